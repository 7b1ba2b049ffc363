// Why a purchase in the consumer's name was checked, held or declined, in plain words, with a way to ask a person.
import type { Decision } from './api.ts';
import { useApi, type PageProps } from './useApi.ts';
import { ReviewRequest } from './ReviewRequest.tsx';
import { useText } from './i18n/language.tsx';
import { ShopHeading } from './ShopHeading.tsx';

export function Decisions({ onUnauthorized }: PageProps) {
  const { text, textOf, date, failure } = useText();
  const { data, error, reload } = useApi<{ data: Decision[] }>('/v1/me/decisions', onUnauthorized);

  if (error) return <p role="alert">{failure(error)}</p>;
  if (!data) return <p>{text('common.loading')}</p>;
  if (data.data.length === 0) return <p>{text('decisions.empty')}</p>;
  return (
    <ul className="cards">
      {data.data.map((decision) => (
        <li key={decision.id} className="card" data-decision={decision.id} data-outcome={decision.outcome}>
          <div className="row">
            <ShopHeading merchant={decision.merchant} amount={decision.amount} />
            <span className={`status decision-${decision.outcome}`}>
              {textOf(`outcome.${decision.outcome}`, 'outcome.review')}
            </span>
          </div>
          <p>{text('decision.decided', { date: date(decision.decided_at) })}</p>
          {decision.reasons.length > 0 && (
            <>
              <h3 className="visually-hidden">{text('decision.reasons')}</h3>
              {/* Reason texts come in the consumer's language from the server's catalogue; codes stay for support calls. */}
              <ul>
                {decision.reasons.map((reason) => (
                  <li key={reason.code} data-reason={reason.code}>
                    {reason.text}
                    {reason.what_would_change && (
                      <p className="counterfactual">
                        <strong>{text('decision.wouldChange')}</strong> {reason.what_would_change}
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
          {/* Only where a decision held up or refused a purchase; an approval has nothing to review. */}
          {(decision.reviewable || decision.review) && <ReviewRequest decision={decision} onRequested={reload} />}
        </li>
      ))}
    </ul>
  );
}
