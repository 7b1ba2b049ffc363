// One decision explained side by side: what the consumer was told, and what the analyst needs to judge it.
import type { DecisionExplanation } from './desk.types.ts';

const claimLabels = {
  name: 'Name',
  email: 'E-mail',
  phone: 'Phone',
  billing_address: 'Billing address',
  shipping_address: 'Delivery address',
  device_id: 'Device',
  ip: 'IP address',
} as const;

export function DecisionPanel(props: { decision: DecisionExplanation }) {
  const { decision } = props;
  const { analyst } = decision;
  return (
    <div className="decision-panel" aria-label={`Decision ${decision.id}`}>
      <article aria-label="As the consumer sees it">
        <h3>As the consumer sees it</h3>
        <p>{decision.consumer.headline}</p>
        <ul>
          {decision.consumer.reasons.map((reason) => (
            <li key={reason.code}>{reason.message}</li>
          ))}
        </ul>
        {decision.consumer.proofs_offered.length > 0 && (
          <p>
            Asked to prove it with:{' '}
            {decision.consumer.proofs_offered
              .map((proof) => `${proof.method}${proof.target ? ` (${proof.target})` : ''}`)
              .join(', ')}
          </p>
        )}
      </article>
      <article aria-label="As an analyst sees it">
        <h3>As an analyst sees it</h3>
        <dl className="facts">
          <dt>Outcome</dt>
          <dd>{decision.outcome}</dd>
          <dt>Score</dt>
          <dd>{analyst.score?.toFixed(3) ?? '—'}</dd>
          <dt>Decided</dt>
          <dd>{new Date(decision.decided_at).toLocaleString('en-GB', { timeZone: 'Europe/Amsterdam' })}</dd>
          <dt>Versions</dt>
          <dd>
            ruleset {analyst.versions.ruleset ?? '—'}, model {analyst.versions.model ?? 'none'}, {analyst.latency_ms} ms
          </dd>
        </dl>
        <h4>Rule hits</h4>
        {analyst.rule_hits.length === 0 ? (
          <p>No rule hit.</p>
        ) : (
          <ul className="rule-hits">
            {analyst.rule_hits.map((hit) => (
              <li key={hit.rule_id}>
                <code>{hit.rule_id}</code> → {hit.action}: {hit.reason}
              </li>
            ))}
            {analyst.rule_errors.map((error) => (
              <li key={error.rule_id}>
                <code>{error.rule_id}</code> failed: {error.error}
              </li>
            ))}
          </ul>
        )}
        <h4>What raised the model’s score</h4>
        {analyst.top_contributions === null ? (
          <p>No model scored this decision (or its model is no longer loaded).</p>
        ) : (
          <ol className="contributions">
            {analyst.top_contributions.map((entry) => (
              <li key={entry.feature}>{entry.words}</li>
            ))}
          </ol>
        )}
        <h4>What was typed at checkout (a claim, not proof)</h4>
        <dl className="facts">
          {Object.entries(claimLabels).map(([field, label]) => (
            <div key={field} className="fact">
              <dt>{label}</dt>
              <dd>{analyst.claim[field as keyof typeof claimLabels] ?? '—'}</dd>
            </div>
          ))}
        </dl>
      </article>
    </div>
  );
}
