// Guaranteed payment: every capture earns the merchant a payout entry (src/orders writes them), a refund reverses its part.
import { z } from 'zod';
import type { SqlExecutor } from '../storage/database.ts';
import type { Merchant } from '../http/route.ts';
import { decodeCursor, keysetSql, toPage } from '../http/list-envelope.ts';

interface PayoutRow {
  seq: number;
  id: string;
  order_id: string;
  kind: string;
  amount: number;
  currency: string;
  created_at: Date;
}

export const payoutEntrySchema = z.object({
  id: z.string(),
  order_id: z.string(),
  kind: z.string(),
  amount: z.object({ value: z.number().int(), currency: z.string() }),
  created_at: z.string(),
});

export const payoutTotalsSchema = z.object({
  totals: z.array(z.object({ value: z.number().int(), currency: z.string(), entries: z.number().int() })),
});

// The ledger's own sequence: entries are appended in order, so a reader that pages by it never misses one.
const payoutCursor = z.tuple([z.number().int().min(0)]);

export function makePayoutsService(dependencies: { database: SqlExecutor }) {
  const { database } = dependencies;
  return {
    /** GET /v1/payouts: one page of the ledger, oldest first, so a merchant can reconcile by following the cursor. */
    async list(merchant: Merchant, page: { limit: number; cursor?: string | undefined }) {
      const after = page.cursor === undefined ? null : decodeCursor(page.cursor, payoutCursor);
      const keyset = keysetSql({ columns: ['seq'], direction: 'asc' }, { limit: page.limit, after }, 2);
      const rows = await database.query<PayoutRow>(
        `SELECT seq, id, order_id, kind, amount, currency, created_at FROM payout_entries
         WHERE merchant_id = $1 AND ${keyset.where} ${keyset.orderBy}`,
        [merchant.id, ...keyset.params],
      );
      return toPage(
        rows,
        page.limit,
        (row) => [Number(row.seq)],
        (row) => ({
          id: row.id,
          order_id: row.order_id,
          kind: row.kind,
          amount: { value: Number(row.amount), currency: row.currency },
          created_at: row.created_at.toISOString(),
        }),
      );
    },

    /** GET /v1/payouts/totals: what the merchant is owed per currency, over the whole ledger. */
    async totals(merchant: Merchant) {
      const totals = await database.query<{ currency: string; total: string; entries: string }>(
        `SELECT currency, SUM(amount)::text AS total, COUNT(*)::text AS entries FROM payout_entries
         WHERE merchant_id = $1 GROUP BY currency ORDER BY currency`,
        [merchant.id],
      );
      return {
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
