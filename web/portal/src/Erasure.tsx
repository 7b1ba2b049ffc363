// "Erase my data": a confirmation that says what goes and what the law keeps, then the answer of the erasure.
import { useState } from 'react';
import { api, ApiFailure, session } from './api.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { useText } from './i18n/language.tsx';

interface ErasureAnswer {
  id: string;
  status: 'pending' | 'done' | 'failed';
  due_at: string;
  kept: Array<{ kind: 'invoice' | 'open_debt' | 'fraud_incident'; count: number; keep_until: string }>;
}

export function Erasure({ onSignedOut }: { onSignedOut: () => void }) {
  const { text, date, failure } = useText();
  const [confirming, setConfirming] = useState(false);
  const [answer, setAnswer] = useState<ErasureAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function erase() {
    setConfirming(false);
    try {
      setAnswer(await api<ErasureAnswer>('POST', '/v1/me/erasure'));
      // The portal session went with the account: nothing more to show but this answer.
      session.clear();
    } catch (caught) {
      setProblem(failure(caught));
      if (caught instanceof ApiFailure && caught.status === 401) onSignedOut();
    }
  }

  if (answer)
    return (
      <section aria-labelledby="erasure-heading" className="card" role="status">
        <h2 id="erasure-heading">{text('erasure.title')}</h2>
        <p>{answer.status === 'done' ? text('erasure.done') : text('erasure.pending', { due: date(answer.due_at) })}</p>
        {answer.kept.length > 0 && (
          <ul>
            {answer.kept.map((record) => (
              <li key={record.kind}>
                {text(`erasure.kept.${record.kind}`, { count: record.count, until: date(record.keep_until) })}
              </li>
            ))}
          </ul>
        )}
        <p>{text('erasure.receipt', { id: answer.id })}</p>
        <button type="button" onClick={onSignedOut}>
          {text('app.signOut')}
        </button>
      </section>
    );
  return (
    <section aria-labelledby="erasure-heading">
      <h2 id="erasure-heading">{text('erasure.title')}</h2>
      <p>{text('erasure.intro')}</p>
      {problem && <p role="alert">{problem}</p>}
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        {text('erasure.button')}
      </button>
      {confirming && (
        <ConfirmDialog
          titleId="erasure-title"
          title={text('erasure.confirm.title')}
          consequences={[text('erasure.confirm.gone'), text('erasure.confirm.kept'), text('erasure.confirm.signOut')]}
          confirm={text('erasure.confirm.yes')}
          onConfirm={() => void erase()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}
