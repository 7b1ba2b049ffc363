// The right of access (GDPR Art. 15): everything held about the signed-in person, gathered into one document.
import type { Clock } from '../shared/clock.ts';
import { notFound } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { ListPage } from '../http/list-envelope.ts';
import type { PortalService } from '../portal/portal.service.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  channelSealedSql,
  channelSubjectJoinSql,
  type AccountData,
  type AccountSealedColumns,
  type ChannelSealedColumns,
} from './account-data.ts';

/** What the export leaves out on purpose, and why: said in the document itself, so nothing is silently missing. */
export const notInExport = [
  {
    what: 'one-time codes, sign-in links and passkey key material',
    why: 'they are secrets; we keep codes and tokens only as one-way hashes, which reveal nothing about you',
  },
  {
    what: 'internal fraud-prevention signals (scores of other people, flags on shared devices or addresses)',
    why: 'they concern other people as well, and showing them would help fraudsters (GDPR Art. 23, UAVG Art. 41)',
  },
] as const;

/** Follows a list route's cursor to its end, so the export holds every item, not the first page. */
async function everyItem<Item>(
  page: (request: { limit: number; cursor?: string }) => Promise<ListPage<Item>>,
): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  for (;;) {
    const next = await page({ limit: 200, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...next.data);
    if (!next.has_more || next.next_cursor === null) return items;
    cursor = next.next_cursor;
  }
}

const iso = (value: Date | null) => value?.toISOString() ?? null;

export function makeExportService(dependencies: {
  database: SqlExecutor;
  clock: Clock;
  portal: PortalService;
  /** Opens the account's and its channels' sealed values. */
  accounts: AccountData;
}) {
  const { database, clock, portal, accounts } = dependencies;

  const rows = <Row>(sql: string, accountId: string) => database.query<Row>(sql, [accountId]);

  /** `acceptLanguage` words the decisions' reasons when the account chose no language (the JSON's caller, or the page's). */
  async function exportFor(accountId: string, acceptLanguage?: string) {
    const [stored] = await rows<
      { id: string; language: string | null; always_verify: boolean; created_at: Date } & AccountSealedColumns
    >(
      `SELECT a.id, a.language, a.always_verify, a.created_at, ${accountSealedSql('a', 'k')}
       FROM accounts a ${accountSubjectJoinSql('a', 'k')} WHERE a.id = $1`,
      accountId,
    );
    if (!stored) throw notFound('account');
    const { id, language, always_verify, created_at } = stored;
    const account = { id, ...accounts.accountPerson(stored), language, always_verify, created_at };
    const channels = (
      await rows<{ kind: string; verified_at: Date | null; created_at: Date } & ChannelSealedColumns>(
        `SELECT c.kind, c.verified_at, c.created_at, ${channelSealedSql('c')}
         FROM channels c ${channelSubjectJoinSql('c')} WHERE c.account_id = $1 ORDER BY c.created_at`,
        accountId,
      )
    ).map((row) => ({
      kind: row.kind,
      value: accounts.channelValue(row),
      verified_at: row.verified_at,
      created_at: row.created_at,
    }));
    const channelValues = channels.flatMap((channel) => (channel.value === null ? [] : [channel.value]));
    const [passkeys, signIns, sessions, proofs, bankIdentity, claims, cases, notices, messages, disowned] =
      await Promise.all([
        rows<{ id: string; created_at: Date; last_used_at: Date | null }>(
          'SELECT id, created_at, last_used_at FROM passkeys WHERE account_id = $1 ORDER BY created_at',
          accountId,
        ),
        rows<{ created_at: Date; used_at: Date | null; client_ip: string | null; failed_attempts: number }>(
          `SELECT created_at, used_at, client_ip, failed_attempts FROM sign_ins WHERE account_id = $1
           ORDER BY created_at`,
          accountId,
        ),
        rows<{ method: string; created_at: Date; expires_at: Date; revoked_at: Date | null }>(
          `SELECT method, created_at, expires_at, revoked_at FROM consumer_sessions WHERE account_id = $1
           ORDER BY created_at`,
          accountId,
        ),
        rows<{ method: string; verified_at: Date; device_id: string | null; session_id: string | null }>(
          `SELECT method, verified_at, device_id, session_id FROM verifications WHERE account_id = $1
           ORDER BY verified_at`,
          accountId,
        ),
        rows<{ subject: string; verified_at: Date }>(
          'SELECT subject, verified_at FROM account_bank_subjects WHERE account_id = $1',
          accountId,
        ),
        rows<{ id: string; order_id: string; kind: string; status: string; message: string | null; created_at: Date }>(
          `SELECT id, order_id, kind, status, message, created_at FROM claims WHERE account_id = $1 ORDER BY created_at`,
          accountId,
        ),
        rows<{ id: string; kind: string; status: string; resolution: string | null; opened_at: Date }>(
          `SELECT id, kind, status, resolution, opened_at FROM cases WHERE account_id = $1 ORDER BY opened_at`,
          accountId,
        ),
        rows<{ order_id: string; created_at: Date; used_at: Date | null }>(
          'SELECT order_id, created_at, used_at FROM order_notices WHERE account_id = $1 ORDER BY created_at',
          accountId,
        ),
        // What we sent to this person's addresses; the texts are left out because some held one-time codes.
        database.query<{
          kind: string;
          channel: string;
          to: string;
          subject: string;
          created_at: Date;
          status: string;
        }>(
          `SELECT o.payload->>'kind' AS kind, o.payload->>'channel' AS channel, o.recipient AS "to",
             o.payload->>'subject' AS subject, o.created_at, o.status
           FROM outbox o WHERE o.topic = 'notification' AND o.recipient = ANY($1::text[])
           ORDER BY o.created_at`,
          [channelValues],
        ),
        rows<{ entity_kind: string; entity_value: string; created_at: Date }>(
          `SELECT entity_kind, entity_value, created_at FROM account_disowned_entities WHERE account_id = $1
           ORDER BY created_at`,
          accountId,
        ),
      ]);
    const [purchases, invoices, decisions, devices, addresses] = await Promise.all([
      everyItem((page) => portal.purchases(accountId, page)),
      everyItem((page) => portal.invoices(accountId, page)),
      everyItem((page) => portal.decisions(accountId, page, acceptLanguage)),
      everyItem((page) => portal.devices(accountId, page)),
      everyItem((page) => portal.addresses(accountId, page)),
    ]);
    return {
      generated_at: new Date(clock.now()).toISOString(),
      account: { ...account, created_at: account.created_at.toISOString() },
      channels: channels.map((row) => ({ ...row, verified_at: iso(row.verified_at), created_at: iso(row.created_at) })),
      passkeys: passkeys.map((row) => ({
        ...row,
        created_at: iso(row.created_at),
        last_used_at: iso(row.last_used_at),
      })),
      sign_ins: signIns.map((row) => ({ ...row, created_at: iso(row.created_at), used_at: iso(row.used_at) })),
      portal_sessions: sessions.map((row) => ({
        ...row,
        created_at: iso(row.created_at),
        expires_at: iso(row.expires_at),
        revoked_at: iso(row.revoked_at),
      })),
      proofs: proofs.map((row) => ({ ...row, verified_at: iso(row.verified_at) })),
      bank_identity: bankIdentity.map((row) => ({ ...row, verified_at: iso(row.verified_at) })),
      purchases,
      invoices,
      decisions,
      claims: claims.map((row) => ({ ...row, created_at: iso(row.created_at) })),
      cases: cases.map((row) => ({ ...row, opened_at: iso(row.opened_at) })),
      order_notices: notices.map((row) => ({ ...row, created_at: iso(row.created_at), used_at: iso(row.used_at) })),
      messages_sent: messages.map((row) => ({ ...row, created_at: iso(row.created_at) })),
      devices,
      addresses,
      disowned: disowned.map((row) => ({
        kind: row.entity_kind,
        value: row.entity_value,
        created_at: iso(row.created_at),
      })),
      not_included: notInExport,
    };
  }

  return { exportFor };
}

export type ExportService = ReturnType<typeof makeExportService>;
export type ExportDocument = Awaited<ReturnType<ExportService['exportFor']>>;
