// Emergency levers in the console: the form that pulls one from an alert, and the table of levers with their state.
import type { FormEvent } from 'react';

export interface Lever {
  id: string;
  alert_id: string | null;
  merchant_id: string;
  action: 'step_up' | 'review';
  new_address_only: boolean;
  minimum_amount: number | null;
  pulled_by: string;
  expires_at: string;
  status: 'active' | 'expired' | 'released';
  ended_by: string | null;
}

const when = (iso: string) => new Date(iso).toLocaleString('en-GB');

/** Pulls a lever from an alert; the merchant and the new-address scope start as the alert's rule had them. */
export function LeverForm(props: {
  rule: { merchant_id: string | null; new_address_only: boolean } | undefined;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
}) {
  return (
    <form className="lever-form" onSubmit={props.onSubmit}>
      <label>
        Merchant
        <input name="merchant_id" defaultValue={props.rule?.merchant_id ?? ''} required />
      </label>
      <label>
        Action
        <select name="action" defaultValue="step_up">
          <option value="step_up">step up</option>
          <option value="review">review</option>
        </select>
      </label>
      <label className="inline">
        <input type="checkbox" name="new_address_only" defaultChecked={props.rule?.new_address_only ?? false} />
        New-address orders only
      </label>
      <label>
        From EUR
        <input name="minimum_amount" type="number" min="0" step="0.01" />
      </label>
      <label>
        For minutes
        <input name="minutes" type="number" min="1" max="1440" defaultValue="120" required />
      </label>
      <button type="submit">Pull lever</button>
    </form>
  );
}

export function LeverTable(props: { levers: readonly Lever[]; onRelease: (lever: Lever) => void }) {
  return (
    <table className="queue-table">
      <thead>
        <tr>
          <th>Lever</th>
          <th>Merchant</th>
          <th>Acts on</th>
          <th>Until</th>
          <th>Pulled by</th>
          <th>Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.levers.map((lever) => (
          <tr key={lever.id} data-lever={lever.id}>
            <td>{lever.action.replace('_', ' ')}</td>
            <td>{lever.merchant_id}</td>
            <td>
              {lever.new_address_only ? 'new-address orders' : 'all orders'}
              {lever.minimum_amount !== null ? ` from EUR ${(lever.minimum_amount / 100).toFixed(2)}` : ''}
            </td>
            <td>{when(lever.expires_at)}</td>
            <td>{lever.pulled_by}</td>
            <td className={`status-${lever.status}`}>
              {lever.status}
              {lever.ended_by ? ` (${lever.ended_by})` : ''}
            </td>
            <td>
              {lever.status === 'active' && (
                <button className="secondary" onClick={() => props.onRelease(lever)}>
                  Release
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
