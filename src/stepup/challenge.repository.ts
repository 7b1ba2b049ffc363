// Storage of challenges and verification outcomes; no rules here, only rows.
import { channelSealedSql, channelSubjectJoinSql, type ChannelSealedColumns } from '../privacy/account-data.ts';
import type { ChallengeOption } from '../risk/engine.ts';
import type { SqlExecutor } from '../storage/database.ts';

export const challengeStatuses = ['pending', 'verified', 'locked', 'expired'] as const;
export type ChallengeStatus = (typeof challengeStatuses)[number];

export interface ChallengeRow {
  id: string;
  session_id: string;
  merchant_id: string;
  decision_id: string;
  account_id: string | null;
  device_id: string | null;
  options: ChallengeOption[];
  status: ChallengeStatus;
  failed_attempts: number;
  code_hash: string | null;
  code_method: string | null;
  code_sent_at: Date | null;
  sends: number;
  passkey_challenge: string | null;
  verified_method: string | null;
  verified_at: Date | null;
  expires_at: Date;
  created_at: Date;
}

const columns = `id, session_id, merchant_id, decision_id, account_id, device_id, options, status, failed_attempts,
  code_hash, code_method, code_sent_at, sends, passkey_challenge, verified_method, verified_at, expires_at, created_at`;

export async function insertChallenge(
  db: SqlExecutor,
  row: Pick<
    ChallengeRow,
    | 'id'
    | 'session_id'
    | 'merchant_id'
    | 'decision_id'
    | 'account_id'
    | 'device_id'
    | 'options'
    | 'expires_at'
    | 'created_at'
  >,
): Promise<void> {
  await db.query(
    `INSERT INTO challenges (id, session_id, merchant_id, decision_id, account_id, device_id, options, status, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)`,
    [
      row.id,
      row.session_id,
      row.merchant_id,
      row.decision_id,
      row.account_id,
      row.device_id,
      JSON.stringify(row.options),
      row.expires_at,
      row.created_at,
    ],
  );
}

export async function findChallenge(
  db: SqlExecutor,
  challengeId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ChallengeRow | null> {
  const rows = await db.query<ChallengeRow>(
    `SELECT ${columns} FROM challenges WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [challengeId],
  );
  return rows[0] ?? null;
}

export async function latestChallengeOfSession(db: SqlExecutor, sessionId: string): Promise<ChallengeRow | null> {
  const rows = await db.query<ChallengeRow>(
    `SELECT ${columns} FROM challenges WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [sessionId],
  );
  return rows[0] ?? null;
}

export async function updateChallenge(
  db: SqlExecutor,
  challengeId: string,
  changes: Partial<Omit<ChallengeRow, 'id' | 'options'>>,
): Promise<void> {
  const entries = Object.entries(changes);
  if (entries.length === 0) return;
  const assignments = entries.map(([column], index) => `${column} = $${index + 2}`).join(', ');
  await db.query(`UPDATE challenges SET ${assignments} WHERE id = $1`, [
    challengeId,
    ...entries.map(([, value]) => value as string | number | Date | null),
  ]);
}

export interface ChannelOnFile extends ChannelSealedColumns {
  id: string;
  account_id: string;
  kind: 'email' | 'phone';
  /** The keyed pseudonym of the normalised value: who the recipient is, for budgets, without the value. */
  value_pseudonym: string;
  verified_at: Date | null;
}

/** The channel a code may go to: on file for this account and verified before the purchase began. */
export async function findVerifiedChannel(
  db: SqlExecutor,
  accountId: string,
  channelId: string,
  verifiedBefore: Date,
): Promise<ChannelOnFile | null> {
  const rows = await db.query<ChannelOnFile>(
    `SELECT c.id, c.account_id, c.kind, c.value_pseudonym, c.verified_at, ${channelSealedSql('c')}
     FROM channels c ${channelSubjectJoinSql('c')}
     WHERE c.id = $1 AND c.account_id = $2 AND c.verified_at IS NOT NULL AND c.verified_at <= $3`,
    [channelId, accountId, verifiedBefore],
  );
  return rows[0] ?? null;
}

export async function insertVerification(
  db: SqlExecutor,
  row: {
    id: string;
    account_id: string | null;
    session_id: string;
    challenge_id: string;
    method: string;
    channel_id: string | null;
    device_id: string | null;
    verified_at: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO verifications (id, account_id, session_id, challenge_id, method, channel_id, device_id, verified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.id,
      row.account_id,
      row.session_id,
      row.challenge_id,
      row.method,
      row.channel_id,
      row.device_id,
      row.verified_at,
    ],
  );
}

export async function findMerchant(db: SqlExecutor, merchantId: string): Promise<{ id: string; name: string } | null> {
  const rows = await db.query<{ id: string; name: string }>('SELECT id, name FROM merchants WHERE id = $1', [
    merchantId,
  ]);
  return rows[0] ?? null;
}

export async function accountHasPasskey(db: SqlExecutor, accountId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM passkeys WHERE account_id = $1 LIMIT 1', [accountId]);
  return rows.length > 0;
}
