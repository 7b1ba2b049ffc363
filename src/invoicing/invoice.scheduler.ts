// The collection schedule: reminders, one late fee, and "unpaid" at the end, each step done once per invoice, by the Clock.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { HistoryEvent, RiskEngine } from '../risk/engine.ts';
import { enqueueConsumerNotice } from '../protection/consumer.notice.ts';
import { lockInvoice, type InvoiceRow } from './invoice.transitions.ts';
import type { AccountData } from '../privacy/account-data.ts';

export interface CollectionPolicy {
  /** Day offsets from the due date, ascending; a negative one is a friendly reminder before the due date. */
  readonly reminderDays: readonly number[];
  readonly lateFeeCents: number;
  readonly lateFeeAfterDays: number;
  readonly unpaidAfterDays: number;
}

export type ScheduleStep =
  | { readonly kind: 'reminder'; readonly step: string; readonly number: number }
  | { readonly kind: 'late_fee'; readonly step: 'late_fee' }
  | { readonly kind: 'unpaid'; readonly step: 'unpaid' };

const dayMilliseconds = 86_400_000;

/**
 * Pure: the steps an open invoice is due for at `now`. When several reminders are due at once (the scheduler
 * was down), only the latest is sent and the older ones are marked done, so nobody gets three letters in a day.
 */
export function dueSteps(
  policy: CollectionPolicy,
  dueAt: number,
  now: number,
): { send: ScheduleStep[]; skip: string[] } {
  const reminders = policy.reminderDays
    .map((offset, index) => ({
      at: dueAt + offset * dayMilliseconds,
      step: `reminder_${index + 1}`,
      number: index + 1,
    }))
    .filter((reminder) => reminder.at <= now);
  const send: ScheduleStep[] = [];
  const latest = reminders.at(-1);
  if (latest) send.push({ kind: 'reminder', step: latest.step, number: latest.number });
  if (policy.lateFeeCents > 0 && dueAt + policy.lateFeeAfterDays * dayMilliseconds <= now) {
    send.push({ kind: 'late_fee', step: 'late_fee' });
  }
  if (dueAt + policy.unpaidAfterDays * dayMilliseconds <= now) send.push({ kind: 'unpaid', step: 'unpaid' });
  return { send, skip: reminders.slice(0, -1).map((reminder) => reminder.step) };
}

const euros = (cents: number, currency: string) => `${currency} ${(cents / 100).toFixed(2)}`;

export function makeInvoiceScheduler(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  policy: CollectionPolicy;
  /** Opens the channel a notice goes to. */
  accounts: AccountData;
}) {
  const { database, clock, ids, engine, policy, accounts } = dependencies;
  const earliestOffsetDays = Math.min(0, ...policy.reminderDays);

  /** Claims a step for an invoice; false when it was done before (the primary key makes this idempotent). */
  async function claimStep(tx: SqlExecutor, invoiceId: string, step: string, at: Date): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO invoice_schedule_steps (invoice_id, step, done_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING step`,
      [invoiceId, step, at],
    );
    return rows.length > 0;
  }

  /** Returns null when the step was done before, else the history it made. */
  async function runStep(
    tx: SqlExecutor,
    invoice: InvoiceRow,
    step: ScheduleStep,
    at: Date,
  ): Promise<HistoryEvent[] | null> {
    if (!(await claimStep(tx, invoice.id, step.step, at))) return null;
    const data = { invoice_id: invoice.id, order_id: invoice.order_id, due_at: invoice.due_at.toISOString() };
    const outstanding = invoice.amount + invoice.fees - invoice.paid_amount;
    if (step.kind === 'reminder') {
      await enqueueConsumerNotice(tx, ids, accounts, {
        accountId: invoice.account_id,
        template: 'payment_reminder',
        text: `Reminder ${step.number}: ${euros(outstanding, invoice.currency)} is due on ${invoice.due_at.toISOString().slice(0, 10)}. Not your order? Report it in your account and you will not have to pay.`,
        data: { ...data, reminder: step.number, outstanding },
        at,
      });
      return [];
    }
    if (step.kind === 'late_fee') {
      await tx.query('UPDATE invoices SET fees = fees + $2 WHERE id = $1', [invoice.id, policy.lateFeeCents]);
      await enqueueConsumerNotice(tx, ids, accounts, {
        accountId: invoice.account_id,
        template: 'late_fee_added',
        text: `A late fee of ${euros(policy.lateFeeCents, invoice.currency)} was added to your overdue invoice.`,
        data: { ...data, fee: policy.lateFeeCents },
        at,
      });
      return [];
    }
    await tx.query(`UPDATE invoices SET status = 'unpaid' WHERE id = $1`, [invoice.id]);
    await tx.query(`INSERT INTO payments (id, invoice_id, amount, outcome, paid_at) VALUES ($1, $2, 0, 'unpaid', $3)`, [
      ids.next('pay'),
      invoice.id,
      at,
    ]);
    await enqueueConsumerNotice(tx, ids, accounts, {
      accountId: invoice.account_id,
      template: 'invoice_unpaid',
      text: 'Your invoice is now overdue and unpaid. Please pay it, or contact us if something is wrong with the order.',
      data: { ...data, outstanding },
      at,
    });
    return [{ kind: 'payment', orderId: invoice.order_id, at: at.getTime(), outcome: 'unpaid' }];
  }

  /** One pass over every open invoice that may be due for a step; returns how many steps were taken. */
  async function tick(): Promise<number> {
    const now = clock.now();
    const at = new Date(now);
    const candidates = await database.query<{ id: string }>(
      `SELECT id FROM invoices WHERE status = 'open' AND due_at <= $1 ORDER BY due_at, id`,
      [new Date(now - earliestOffsetDays * dayMilliseconds)],
    );
    let taken = 0;
    for (const candidate of candidates) {
      const events = await database.transaction(async (tx) => {
        // Re-read under the lock: a claim that paused the invoice a moment ago wins over the schedule.
        const invoice = await lockInvoice(tx, candidate.id);
        if (!invoice || invoice.status !== 'open') return [];
        const { send, skip } = dueSteps(policy, invoice.due_at.getTime(), now);
        for (const step of skip) await claimStep(tx, invoice.id, step, at);
        const collected: HistoryEvent[] = [];
        for (const step of send) {
          const events = await runStep(tx, invoice, step, at);
          if (events === null) continue;
          taken += 1;
          collected.push(...events);
        }
        return collected;
      });
      for (const event of events) await engine.record(event);
    }
    return taken;
  }

  return { tick };
}

export type InvoiceScheduler = ReturnType<typeof makeInvoiceScheduler>;
