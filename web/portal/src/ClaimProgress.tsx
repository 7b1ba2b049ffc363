// A filed report's progress as steps: reported, invoice paused, shop told, then looked into or decided.
import type { Claim, Invoice } from './api.ts';
import { useText, type MessageId } from './i18n/language.tsx';

interface Step {
  readonly key: string;
  readonly message: MessageId;
  readonly done: boolean;
  readonly date?: string;
}

export function ClaimProgress({ claim, invoice }: { claim: Claim; invoice: Invoice | null }) {
  const { text, textOf, date } = useText();
  const decided = claim.status !== 'open';
  const steps: Step[] = [
    { key: 'reported', message: 'claim.step.reported', done: true, date: claim.created_at },
    // Filing pauses the invoice and tells the shop in one transaction, so both are facts once the claim exists.
    ...(invoice?.status === 'paused' ? [{ key: 'paused', message: 'claim.step.paused' as const, done: true }] : []),
    { key: 'shop', message: 'claim.step.shop', done: true },
    decided
      ? {
          key: 'decided',
          message: claim.status === 'upheld' ? 'claim.step.upheld' : 'claim.step.rejected',
          done: true,
          date: claim.resolved_at ?? claim.created_at,
        }
      : { key: 'looking', message: 'claim.step.looking', done: false },
  ];
  return (
    <section className="claim" data-claim={claim.kind} data-claim-status={claim.status}>
      <h3>{textOf(`claim.kind.${claim.kind}`, 'claim.progress')}</h3>
      <ol className="progress" aria-label={text('claim.progress')}>
        {steps.map((step) => (
          <li key={step.key} className={step.done ? 'done' : 'current'} aria-current={step.done ? undefined : 'step'}>
            {text(step.message, step.date ? { date: date(step.date) } : undefined)}
            <span className="visually-hidden">{`, ${text(step.done ? 'claim.step.done' : 'claim.step.current')}`}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
