// Following a "This was not me" link: show what it is about, then, once, file a not_mine claim for the order.
import type { Clock } from '../shared/clock.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { signedLinkMatches } from '../stepup/otp.codes.ts';
import { fileClaim, type ClaimDependencies } from '../protection/claim.filing.ts';
import { formatAddress, deliveryAddressOf } from '../stepup/challenge.message.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import { noticeSignature } from './order-notice.hook.ts';

export type NoticeView =
  | { readonly kind: 'invalid' }
  | {
      readonly kind: 'open' | 'used';
      readonly amount: { readonly value: number; readonly currency: string };
      /** Null when the order kept no shop name; the page then says "the shop" in the reader's language. */
      readonly merchant: string | null;
      readonly delivery: string;
      readonly placedAt: Date;
    };

export type NoticeReport =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'already_used' }
  | { readonly kind: 'recorded'; readonly claimId: string };

interface NoticeRow {
  id: string;
  order_id: string;
  account_id: string;
  used_at: Date | null;
  merchant_name: string | null;
  session_id: string | null;
  input: SessionInput;
  placed_at: Date;
}

export function makeOrderNoticeService(dependencies: {
  database: Database;
  clock: Clock;
  secret: string;
  claims: ClaimDependencies;
}) {
  const { database, clock, secret } = dependencies;

  /** The signature is checked before the database is asked, so forged links cost nothing and reveal nothing. */
  function noticeIdOf(token: string): string | null {
    const noticeId = token.split('.')[0] ?? '';
    return /^ntc_[0-9a-z]{1,40}$/.test(noticeId) &&
      signedLinkMatches(token, noticeId, noticeSignature(secret, noticeId))
      ? noticeId
      : null;
  }

  async function find(executor: SqlExecutor, noticeId: string, lock = false) {
    const rows = await executor.query<NoticeRow>(
      `SELECT n.id, n.order_id, n.account_id, n.used_at, o.merchant_name, o.session_id, o.input, o.placed_at
       FROM order_notices n JOIN orders o ON o.id = n.order_id WHERE n.id = $1${lock ? ' FOR UPDATE OF n' : ''}`,
      [noticeId],
    );
    return rows[0] ?? null;
  }

  async function show(token: string): Promise<NoticeView> {
    const noticeId = noticeIdOf(token);
    const row = noticeId ? await find(database, noticeId) : null;
    if (!row) return { kind: 'invalid' };
    const [input] = await dependencies.claims.personalData.inputsOf(database, [row]);
    return {
      kind: row.used_at ? 'used' : 'open',
      amount: row.input.amount,
      merchant: row.merchant_name,
      delivery: formatAddress(deliveryAddressOf(input!)),
      placedAt: row.placed_at,
    };
  }

  /** Single use: the row lock and used_at make a double click or a replayed link record nothing twice. */
  async function reportNotMine(token: string): Promise<NoticeReport> {
    const noticeId = noticeIdOf(token);
    if (!noticeId) return { kind: 'invalid' };
    return database.transaction(async (tx) => {
      const row = await find(tx, noticeId, true);
      if (!row) return { kind: 'invalid' };
      if (row.used_at) return { kind: 'already_used' };
      const at = new Date(clock.now());
      const filed = await fileClaim(tx, dependencies.claims, {
        orderId: row.order_id,
        accountId: row.account_id,
        kind: 'not_mine',
        source: 'notice',
        at,
      });
      if (filed.outcome === 'order_not_found') return { kind: 'invalid' };
      await tx.query('UPDATE order_notices SET used_at = $2, claim_id = $3 WHERE id = $1', [
        noticeId,
        at,
        filed.claimId,
      ]);
      return { kind: 'recorded', claimId: filed.claimId };
    });
  }

  return { show, reportNotMine };
}

export type OrderNoticeService = ReturnType<typeof makeOrderNoticeService>;
