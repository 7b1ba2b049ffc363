// Storage reads behind the case view: the account on file, its identity changes over time, and what it shares.
import type { SqlExecutor } from '../storage/database.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountSealedColumns,
  type ChannelSealedColumns,
} from '../privacy/account-data.ts';

/** The account with what opens its sealed person (AccountData.accountPerson). */
export interface AccountOnFileRow extends AccountSealedColumns {
  id: string;
  created_at: Date;
}

export async function accountOnFile(db: SqlExecutor, accountId: string): Promise<AccountOnFileRow | null> {
  const [row] = await db.query<AccountOnFileRow>(
    `SELECT a.id, a.created_at, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
      WHERE a.id = $1`,
    [accountId],
  );
  return row ?? null;
}

/** A channel with what opens its sealed value, and the pseudonym the timeline names it by. */
export interface ChannelOnFileRow extends ChannelSealedColumns {
  id: string;
  kind: 'email' | 'phone';
  value_pseudonym: string | null;
  verified_at: Date | null;
  created_at: Date;
}

export async function channelsOnFile(db: SqlExecutor, accountId: string): Promise<ChannelOnFileRow[]> {
  return db.query<ChannelOnFileRow>(
    `SELECT c.id, c.kind, c.value_pseudonym, c.verified_at, c.created_at, ${channelSealedSql('c')}
       FROM channels c ${channelSubjectJoinSql('c')} WHERE c.account_id = $1 ORDER BY c.created_at, c.id`,
    [accountId],
  );
}

export interface TimelineRow {
  at: Date;
  kind: string;
  detail: string | null;
}

/**
 * Every change to who the account is, oldest first: channels added and verified, passkeys, bank proofs and their
 * conflicts, devices and delivery addresses first seen on an order, entities the consumer disowned.
 */
export async function identityTimeline(db: SqlExecutor, accountId: string, limit: number): Promise<TimelineRow[]> {
  return db.query<TimelineRow>(
    `SELECT at, kind, detail FROM (
       SELECT created_at AS at, 'account_created' AS kind, NULL::text AS detail FROM accounts WHERE id = $1
       UNION ALL SELECT created_at, 'channel_added', COALESCE(value_pseudonym, value) FROM channels
         WHERE account_id = $1
       UNION ALL SELECT verified_at, 'channel_verified', COALESCE(value_pseudonym, value) FROM channels
         WHERE account_id = $1 AND verified_at IS NOT NULL
       UNION ALL SELECT created_at, 'passkey_added', NULL FROM passkeys WHERE account_id = $1
       UNION ALL SELECT verified_at, 'bank_identity_proved', NULL FROM account_bank_subjects WHERE account_id = $1
       UNION ALL SELECT at, 'bank_identity_conflict', 'session ' || session_id FROM bank_subject_conflicts
         WHERE account_id = $1
       UNION ALL SELECT min(placed_at), 'device_first_seen', device FROM (
           SELECT placed_at, COALESCE(input->'pseudonyms'->>'device', input->'device'->>'id') AS device
           FROM orders WHERE account_id = $1) devices WHERE device IS NOT NULL GROUP BY device
       UNION ALL SELECT min(placed_at), 'delivery_address_first_seen', address FROM (
           SELECT placed_at, COALESCE(input->'pseudonyms'->>'shipping_address', input->'pseudonyms'->>'billing_address',
             concat_ws(' ', COALESCE(input->'shipping_address', input->'billing_address')->>'street',
             COALESCE(input->'shipping_address', input->'billing_address')->>'house_number',
             COALESCE(input->'shipping_address', input->'billing_address')->>'postal_code')) AS address
           FROM orders WHERE account_id = $1) addresses GROUP BY address
       UNION ALL SELECT created_at, entity_kind || '_disowned', entity_value FROM account_disowned_entities
         WHERE account_id = $1
     ) timeline ORDER BY at, kind LIMIT $2`,
    [accountId, limit],
  );
}

export interface LinkedEntityRow {
  kind: 'device' | 'ip' | 'delivery_address';
  value: string;
  orders: string | number;
  other_accounts: string[] | null;
}

/** Devices, IPs and delivery addresses on this account's orders, each with the other accounts seen with it. */
export async function linkedEntities(db: SqlExecutor, accountId: string): Promise<LinkedEntityRow[]> {
  return db.query<LinkedEntityRow>(
    `WITH entities AS (
       SELECT o.account_id, e.kind, e.value FROM orders o
       CROSS JOIN LATERAL (VALUES
         ('device', COALESCE(o.input->'pseudonyms'->>'device', o.input->'device'->>'id')),
         ('ip', COALESCE(o.input->'pseudonyms'->>'ip', o.input->'device'->>'ip')),
         ('delivery_address', COALESCE(o.input->'pseudonyms'->>'shipping_address', o.input->'pseudonyms'->>'billing_address',
           concat_ws(' ', COALESCE(o.input->'shipping_address', o.input->'billing_address')->>'street',
           COALESCE(o.input->'shipping_address', o.input->'billing_address')->>'house_number',
           COALESCE(o.input->'shipping_address', o.input->'billing_address')->>'postal_code')))
       ) AS e(kind, value)
       WHERE e.value IS NOT NULL AND e.value <> ''
     ), own AS (SELECT kind, value, count(*) AS orders FROM entities WHERE account_id = $1 GROUP BY kind, value)
     SELECT own.kind, own.value, own.orders,
       (SELECT array_agg(DISTINCT other.account_id) FROM entities other
         WHERE other.kind = own.kind AND other.value = own.value AND other.account_id <> $1) AS other_accounts
     FROM own ORDER BY own.kind, own.value LIMIT 100`,
    [accountId],
  );
}

/** The account's own orders as stored (live ones keep pseudonyms; their values are opened from the session). */
export const storedOrdersOf = (db: SqlExecutor, accountId: string) =>
  db.query<{ session_id: string | null; input: unknown }>(
    'SELECT session_id, input FROM orders WHERE account_id = $1 ORDER BY placed_at DESC LIMIT 500',
    [accountId],
  );

export interface ContactRow {
  id: string;
  order_id: string;
  channel_id: string;
  question: string;
  asked_by: string;
  asked_at: Date;
  answer: 'confirmed_mine' | 'not_mine' | null;
  answered_at: Date | null;
  label_id: string | null;
}

export async function contactsOf(db: SqlExecutor, accountId: string): Promise<ContactRow[]> {
  return db.query<ContactRow>(
    `SELECT id, order_id, channel_id, question, asked_by, asked_at, answer, answered_at, label_id FROM desk_contacts
     WHERE account_id = $1 ORDER BY seq`,
    [accountId],
  );
}
