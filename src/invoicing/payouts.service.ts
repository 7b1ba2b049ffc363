// Guaranteed payment: every approved order earns the merchant a payout entry in the same transaction, whatever happens after.
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { Merchant } from '../http/route.ts';

interface PayoutRow {
  seq: number;
  id: string;
  order_id: string;
  amount: number;
  currency: string;
  created_at: Date;
}

export function makePayoutLedgerHook(dependencies: { ids: Ids }): DecisionHook {
  return async (tx, context) => {
    if (context.decision.outcome !== 'approved' || context.orderId === null) return {};
    const amount = context.session.input.amount;
    await tx.query(
      `INSERT INTO payout_entries (id, merchant_id, order_id, amount, currency, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [dependencies.ids.next('pyo'), context.merchant.id, context.orderId, amount.value, amount.currency, context.at],
    );
    return {};
  };
}

export function makePayoutsService(dependencies: { database: SqlExecutor }) {
  const { database } = dependencies;
  return {
    async list(merchant: Merchant, page: { limit: number; after: number | null }) {
      const rows = await database.query<PayoutRow>(
        `SELECT seq, id, order_id, amount, currency, created_at FROM payout_entries
         WHERE merchant_id = $1 AND ($2::bigint IS NULL OR seq > $2) ORDER BY seq LIMIT $3`,
        [merchant.id, page.after, page.limit],
      );
      const totals = await database.query<{ currency: string; total: string; entries: string }>(
        `SELECT currency, SUM(amount)::text AS total, COUNT(*)::text AS entries FROM payout_entries
         WHERE merchant_id = $1 GROUP BY currency ORDER BY currency`,
        [merchant.id],
      );
      return {
        data: rows.map((row) => ({
          id: row.id,
          order_id: row.order_id,
          amount: { value: Number(row.amount), currency: row.currency },
          created_at: row.created_at.toISOString(),
          cursor: Number(row.seq),
        })),
        totals: totals.map((row) => ({
          value: Number(row.total),
          currency: row.currency,
          entries: Number(row.entries),
        })),
      };
    },
  };
}

export type PayoutsService = ReturnType<typeof makePayoutsService>;
