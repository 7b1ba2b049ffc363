// The case view of one queue item: settle it (review) or resolve it (claim; confirmed fraud needs a second person),
// with the decision explained, the account's identity, and the remediations at hand.
import { useCallback, useEffect, useState } from 'react';
import { api, money } from './api.ts';
import { DecisionPanel } from './DecisionPanel.tsx';
import {
  ClaimAgainstAccount,
  ContactCustomer,
  DevicesAndAddresses,
  IdentityTimeline,
  LinkedEntities,
  Orders,
} from './CaseSections.tsx';
import { failureText, slaClock, type CaseView as View } from './desk.types.ts';

interface Settled {
  status: string;
  resolution: { order_id: string | null } | null;
}

export function CaseView(props: { itemId: string; onNext: () => void; onBack: () => void }) {
  const [view, setView] = useState<View | null>(null);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [closed, setClosed] = useState(false);

  const load = useCallback(async () => {
    setView(await api<View>('GET', `/v1/ops/queue/${props.itemId}/case`));
  }, [props.itemId]);

  useEffect(() => {
    setClosed(false);
    setMessage(null);
    // Opening an item is starting to work it: lock it (or renew the lock); a colleague's lock is shown, not taken.
    void api('POST', `/v1/ops/queue/${props.itemId}/lock`)
      .catch(() => undefined)
      .then(load)
      .catch((failure: unknown) => setMessage(failureText(failure)));
  }, [load, props.itemId]);

  async function act(label: string, method: 'POST', path: string, body?: unknown) {
    setMessage(null);
    try {
      await api(method, path, body);
      setMessage(`${label}.`);
      await load();
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  async function settle(verdict: 'approve' | 'decline') {
    try {
      const settled = await api<Settled>('POST', `/v1/ops/reviews/${props.itemId}/${verdict}`, note ? { note } : {});
      const order = settled.resolution?.order_id;
      setMessage(`${settled.status}${order ? ` — order ${order}` : ''}`);
      setClosed(true);
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  async function resolve(outcome: 'fraud_confirmed' | 'claim_upheld' | 'rejected') {
    try {
      const answer = await api<{ status: string }>('POST', `/v1/ops/cases/${props.itemId}/resolve`, { outcome, note });
      setMessage(
        answer.status === 'pending' ? 'Confirmed fraud is waiting for a second person.' : `Case resolved: ${outcome}.`,
      );
      setClosed(answer.status !== 'pending');
    } catch (failure) {
      setMessage(failureText(failure));
    }
  }

  const takeOver = () =>
    act('You now work this item', 'POST', `/v1/ops/queue/${props.itemId}/lock`, { take_over: true });

  if (!view) return <section>{message ? <p role="alert">{message}</p> : <p>Loading…</p>}</section>;
  const { item } = view;
  const heldByOther = Boolean(item.lock && !item.lock.mine);
  return (
    <section className="case-view" data-case-view={item.id}>
      <div className="toolbar">
        <button className="secondary" onClick={props.onBack}>
          ← Queue
        </button>
        <h2>
          {item.kind === 'review' ? 'Review' : `Claim (${item.claim_kind ?? 'claim'})`} · {item.merchant.name ?? '—'} ·{' '}
          {money(item.amount)}
        </h2>
        <span className={item.seconds_remaining < 1800 ? 'sla urgent' : 'sla'}>{slaClock(item.seconds_remaining)}</span>
        <span>{item.lock ? (item.lock.mine ? 'Locked to you' : `Locked by ${item.lock.by}`) : 'Not locked'}</span>
        {heldByOther && (
          <button className="secondary" onClick={() => void takeOver()}>
            Take over
          </button>
        )}
        <button onClick={props.onNext}>Next item</button>
      </div>
      {message && <p role="status">{message}</p>}
      {!closed && (
        <div className="settle">
          <label className="inline">
            Note
            <input value={note} onChange={(event) => setNote(event.target.value)} />
          </label>
          {item.kind === 'review' ? (
            <>
              <button disabled={heldByOther} onClick={() => void settle('approve')}>
                Approve
              </button>
              <button className="secondary" disabled={heldByOther} onClick={() => void settle('decline')}>
                Decline
              </button>
            </>
          ) : (
            <>
              <button disabled={heldByOther || !note} onClick={() => void resolve('fraud_confirmed')}>
                Confirm fraud
              </button>
              <button
                className="secondary"
                disabled={heldByOther || !note}
                onClick={() => void resolve('claim_upheld')}
              >
                Uphold claim
              </button>
              <button className="secondary" disabled={heldByOther || !note} onClick={() => void resolve('rejected')}>
                Reject claim
              </button>
            </>
          )}
        </div>
      )}
      <div className="case-grid">
        <div>
          <h3>Claim against account</h3>
          <ClaimAgainstAccount view={view} />
          <h3>Identity timeline</h3>
          <IdentityTimeline view={view} />
          <h3>Linked entities</h3>
          <LinkedEntities view={view} />
          <DevicesAndAddresses view={view} act={act} />
        </div>
        <div>{view.decision ? <DecisionPanel decision={view.decision} /> : <p>No decision record.</p>}</div>
      </div>
      <h3>Orders and remediation</h3>
      <Orders view={view} act={act} />
      <h3>Contact the customer</h3>
      <ContactCustomer view={view} act={act} />
      <h3>Audit trail</h3>
      <ul aria-label="Audit trail">
        {view.audit.map((entry, index) => (
          <li key={index}>
            {entry.actor}: {entry.action} at {new Date(entry.at).toLocaleTimeString('en-GB')}
          </li>
        ))}
      </ul>
    </section>
  );
}
