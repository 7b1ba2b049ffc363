// "Ask for a human review" of one decision: a message box, then the request's state as the server keeps it.
import { useState, type FormEvent } from 'react';
import { api, type Decision } from './api.ts';
import { useText } from './i18n/language.tsx';

export function ReviewRequest({ decision, onRequested }: { decision: Decision; onRequested: () => Promise<void> }) {
  const { text, date, failure } = useText();
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (decision.review) {
    const { review } = decision;
    return (
      <div className="notice review" role="status" data-review={review.status}>
        <p>
          {text(review.status === 'open' ? 'review.requested' : 'review.resolved', {
            date: date(review.requested_at),
          })}
        </p>
        {review.status === 'open' && review.answer_due_at && (
          <p>{text('review.dueBy', { date: date(review.answer_due_at) })}</p>
        )}
        {review.answer && <p data-answer={review.answer}>{text(`review.answer.${review.answer}`)}</p>}
        {review.message && <p>{text('review.yourMessage', { message: review.message })}</p>}
      </div>
    );
  }
  if (!open)
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {text('review.ask')}
      </button>
    );

  const fieldId = `review-${decision.id}`;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api('POST', '/v1/me/reviews', {
        decision_id: decision.id,
        message: message.trim() || text('review.defaultMessage'),
      });
      await onRequested();
    } catch (caught) {
      setProblem(failure(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="review-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={fieldId}>{text('review.message')}</label>
      <p className="hint" id={`${fieldId}-hint`}>
        {text('review.hint')}
      </p>
      <textarea
        id={fieldId}
        aria-describedby={`${fieldId}-hint`}
        rows={4}
        maxLength={2000}
        value={message}
        onChange={(event) => setMessage(event.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {text('review.send')}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          {text('common.cancel')}
        </button>
      </div>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
    </form>
  );
}
