// The case view's sections about the account: claim against account, identity timeline, linked entities, orders with
// their remediations, devices and addresses to unlink, and questions to the customer with their answers.
import { useState } from 'react';
import { money } from './api.ts';
import type { CaseView } from './desk.types.ts';

type Act = (label: string, method: 'POST', path: string, body?: unknown) => Promise<void>;
const when = (at: string) => new Date(at).toLocaleString('en-GB', { timeZone: 'Europe/Amsterdam' });

export function ClaimAgainstAccount(props: { view: CaseView }) {
  const claim = props.view.decision?.analyst.claim;
  const account = props.view.account;
  if (!account) return <p>No account on file: a first purchase, nothing to compare the claim with.</p>;
  const rows: [string, string | null | undefined, string | null][] = [
    ['Name', claim?.name, account.name],
    ['E-mail', claim?.email, account.email],
    ['Phone', claim?.phone, account.phone],
    ['Address', claim?.billing_address, account.address],
  ];
  return (
    <table className="compare" aria-label="Claim against account">
      <thead>
        <tr>
          <th />
          <th>Typed at checkout</th>
          <th>On file</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, typed, onFile]) => (
          <tr key={label} className={typed && onFile && typed.toLowerCase() !== onFile.toLowerCase() ? 'differs' : ''}>
            <th>{label}</th>
            <td>{typed ?? '—'}</td>
            <td>{onFile ?? '—'}</td>
          </tr>
        ))}
        <tr>
          <th>Verified channels</th>
          <td />
          <td>
            {account.channels
              .filter((channel) => channel.verified_at)
              .map((channel) => channel.value)
              .join(', ') || 'none'}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

export function IdentityTimeline(props: { view: CaseView }) {
  return (
    <ol className="timeline" aria-label="Identity timeline">
      {props.view.timeline.map((entry, index) => (
        <li key={`${entry.kind}-${index}`}>
          <time>{when(entry.at)}</time> {entry.kind.replaceAll('_', ' ')}
          {entry.detail ? `: ${entry.detail}` : ''}
        </li>
      ))}
    </ol>
  );
}

export function LinkedEntities(props: { view: CaseView }) {
  return (
    <ul className="linked" aria-label="Linked entities">
      {props.view.linked_entities.map((entity) => (
        <li key={`${entity.kind}:${entity.value}`}>
          {entity.kind.replace('_', ' ')} <code>{entity.value}</code>: {entity.orders} order(s)
          {entity.other_accounts.length > 0
            ? `, also used by ${entity.other_accounts.join(', ')}`
            : ', this account only'}
        </li>
      ))}
    </ul>
  );
}

export function Orders(props: { view: CaseView; act: Act }) {
  const [note, setNote] = useState('');
  return (
    <>
      <label className="inline">
        Reason for hold / write-off
        <input value={note} onChange={(event) => setNote(event.target.value)} />
      </label>
      <table aria-label="Orders of this account">
        <tbody>
          {props.view.orders.map((order) => (
            <tr key={order.id} data-order={order.id}>
              <td>{order.id}</td>
              <td>{order.merchant ?? '—'}</td>
              <td>{money(order.amount)}</td>
              <td>{order.status}</td>
              <td>invoice {order.invoice?.status ?? '—'}</td>
              <td className="actions">
                <button
                  className="secondary"
                  disabled={!note}
                  onClick={() =>
                    void props.act('Shipment hold sent', 'POST', `/v1/ops/orders/${order.id}/hold-shipment`, { note })
                  }
                >
                  Hold shipment
                </button>
                <button
                  className="secondary"
                  disabled={order.invoice?.status !== 'open'}
                  onClick={() => void props.act('Invoice paused', 'POST', `/v1/ops/orders/${order.id}/pause-invoice`)}
                >
                  Pause invoice
                </button>
                <button
                  className="secondary"
                  disabled={!note || !order.invoice || ['written_off', 'paid'].includes(order.invoice.status)}
                  onClick={() =>
                    void props.act('Written off', 'POST', `/v1/ops/orders/${order.id}/write-off`, { note })
                  }
                >
                  Write off
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function DevicesAndAddresses(props: { view: CaseView; act: Act }) {
  const account = props.view.account;
  if (!account) return null;
  const unlink = (kind: 'device' | 'address', value: string) =>
    props.act(`Unlinked ${kind}`, 'POST', `/v1/ops/accounts/${account.id}/unlink`, { kind, value });
  return (
    <ul className="linked" aria-label="Devices and addresses">
      {account.devices.map((device) => (
        <li key={device.id}>
          device <code>{device.id}</code> {device.user_agent ?? ''}{' '}
          <button className="secondary" onClick={() => void unlink('device', device.id)}>
            Unlink device
          </button>
        </li>
      ))}
      {account.addresses.map((address) => (
        <li key={address.key}>
          address {address.text}{' '}
          <button className="secondary" onClick={() => void unlink('address', address.key)}>
            Unlink address
          </button>
        </li>
      ))}
    </ul>
  );
}

export function ContactCustomer(props: { view: CaseView; act: Act }) {
  const { view } = props;
  const [question, setQuestion] = useState('');
  const [orderId, setOrderId] = useState(view.item.order_id ?? view.orders[0]?.id ?? '');
  const account = view.account;
  if (!account) return <p>No account on file to contact.</p>;
  return (
    <>
      <div className="contact-form">
        <label>
          Order
          <select value={orderId} onChange={(event) => setOrderId(event.target.value)}>
            {view.orders.map((order) => (
              <option key={order.id} value={order.id}>
                {order.id} · {money(order.amount)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Question
          <input value={question} onChange={(event) => setQuestion(event.target.value)} />
        </label>
        <button
          disabled={!question || !orderId}
          onClick={() =>
            void props.act('Question sent', 'POST', `/v1/ops/accounts/${account.id}/contact`, {
              order_id: orderId,
              question,
            })
          }
        >
          Ask through verified channel
        </button>
      </div>
      <ul aria-label="Questions asked">
        {view.contacts.map((contact) => (
          <li key={contact.id} data-contact={contact.id}>
            {when(contact.asked_at)} {contact.asked_by}: “{contact.question}” —{' '}
            {contact.answer ? (
              `answered ${contact.answer.replace('_', ' ')}`
            ) : (
              <>
                <button
                  className="secondary"
                  onClick={() =>
                    void props.act('Answer recorded', 'POST', `/v1/ops/contacts/${contact.id}/answer`, {
                      answer: 'confirmed_mine',
                    })
                  }
                >
                  Customer: it was me
                </button>
                <button
                  className="secondary"
                  onClick={() =>
                    void props.act('Answer recorded', 'POST', `/v1/ops/contacts/${contact.id}/answer`, {
                      answer: 'not_mine',
                    })
                  }
                >
                  Customer: not me
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
