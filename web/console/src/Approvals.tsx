// Four eyes: requests from colleagues that need a second person. Nobody confirms their own.
import { useCallback, useEffect, useState } from 'react';
import { api, type Page, type Staff } from './api.ts';

interface Approval {
  id: string;
  action: string;
  subject: string;
  payload: Record<string, unknown>;
  status: string;
  requested_by: string;
  requested_at: string;
}

const actionText: Record<string, string> = {
  'case.confirm_fraud': 'Close case as confirmed fraud',
  'ruleset.activate': 'Activate ruleset',
  'model.promote': 'Promote model',
};

export function Approvals(props: { staff: Staff }) {
  const [approvals, setApprovals] = useState<Approval[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    setApprovals((await api<Page<Approval>>('GET', '/v1/ops/approvals?status=pending')).data);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function decide(approval: Approval, verdict: 'confirm' | 'reject') {
    try {
      await api('POST', `/v1/ops/approvals/${approval.id}/${verdict}`);
      setMessage(`${actionText[approval.action] ?? approval.action} ${approval.subject}: ${verdict}ed.`);
      await load();
    } catch (failure) {
      setMessage(failure instanceof Error ? failure.message : 'that did not work');
    }
  }

  return (
    <section>
      <h2>Waiting for a second person</h2>
      {message && <p role="status">{message}</p>}
      {approvals === null ? (
        <p>Loading…</p>
      ) : approvals.length === 0 ? (
        <p>Nothing waiting.</p>
      ) : (
        <ol className="queue">
          {approvals.map((approval) => {
            const own = approval.requested_by === props.staff.id;
            return (
              <li key={approval.id} className="queue-item" data-approval={approval.id}>
                <div>
                  <strong>{actionText[approval.action] ?? approval.action}</strong> · {approval.subject}
                  {typeof approval.payload.note === 'string' ? ` · “${approval.payload.note}”` : ''}
                </div>
                <div>{own ? 'Your request: needs someone else' : ''}</div>
                <div className="actions">
                  <button disabled={own} onClick={() => void decide(approval, 'confirm')}>
                    Confirm
                  </button>
                  <button className="secondary" onClick={() => void decide(approval, 'reject')}>
                    {own ? 'Withdraw' : 'Reject'}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
