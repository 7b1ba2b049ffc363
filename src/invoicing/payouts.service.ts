// Guaranteed payment: every capture earns the merchant a payout entry (src/orders writes them), a refund reverses its part.
import type { SqlExecutor } from '../storage/database.ts';
import type { Merchant } from '../http/route.ts';

interface PayoutRow {
  seq: number;
  id: string;
  order_id: string;
  kind: string;
  amount: number;
  currency: string;
  created_at: Date;
}

export function makePayoutsService(dependencies: { database: SqlExecutor }) {
  const { database } = dependencies;
  return {
    async list(merchant: Merchant, page: { limit: number; after: number | null }) {
      const rows = await database.query<PayoutRow>(
        `SELECT seq, id, order_id, kind, amount, currency, created_at FROM payout_entries
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
          kind: row.kind,
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
