// Idempotency-Key handling: a repeat with the same key and body replays the first response; another body is 409.
import type { Database, SqlExecutor } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import { ApiError } from '../shared/errors.ts';
import { canonicalJson, sha256 } from '../shared/hashing.ts';
import type { RouteReply } from './route.ts';

export interface IdempotencyStore {
  /** Runs `work` once per (owner, route, key); later calls replay its stored reply. */
  run(
    owner: string,
    route: string,
    key: string,
    body: unknown,
    at: Date,
    work: () => Promise<RouteReply>,
  ): Promise<RouteReply>;
}

export interface IdempotencyOptions {
  /**
   * How long a claim protects a request in progress. A claim older than this belongs to a process that died
   * (or a request far past the server's request timeout), and the next request with the key takes it over.
   */
  readonly claimMilliseconds?: number;
}

const inProgress = 0;

/** Top-level answer fields that are secrets (a new merchant key, a webhook signing secret, a consumer token). */
const secretFields = ['api_key', 'secret', 'token'] as const;

function carriesSecret(body: unknown): boolean {
  return typeof body === 'object' && body !== null && secretFields.some((field) => field in body);
}

interface StoredKey {
  request_hash: string;
  status_code: number;
  response: unknown;
  claimed_until: Date | null;
  withheld: boolean;
}

export function makeIdempotencyStore(database: Database, options: IdempotencyOptions = {}): IdempotencyStore {
  const claimMilliseconds = options.claimMilliseconds ?? 60_000;

  /** Claims the key: null when this request may do the work (a fresh key, or an abandoned claim taken over), else what is stored. */
  async function claim(
    owner: string,
    route: string,
    key: string,
    requestHash: string,
    at: Date,
  ): Promise<StoredKey | null> {
    const claimedUntil = new Date(at.getTime() + claimMilliseconds);
    try {
      await database.query(
        `INSERT INTO idempotency_keys (merchant_id, route, key, request_hash, status_code, response, created_at, claimed_until)
         VALUES ($1, $2, $3, $4, $5, 'null'::jsonb, $6, $7)`,
        [owner, route, key, requestHash, inProgress, at, claimedUntil],
      );
      return null;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const takenOver = await database.query(
      `UPDATE idempotency_keys SET claimed_until = $5
       WHERE merchant_id = $1 AND route = $2 AND key = $3 AND request_hash = $4 AND status_code = ${inProgress}
         AND (claimed_until IS NULL OR claimed_until <= $6)
       RETURNING key`,
      [owner, route, key, requestHash, claimedUntil, at],
    );
    if (takenOver.length > 0) return null;
    const [stored] = await database.query<StoredKey>(
      `SELECT request_hash, status_code, response, claimed_until, withheld FROM idempotency_keys
       WHERE merchant_id = $1 AND route = $2 AND key = $3`,
      [owner, route, key],
    );
    // Purged between the insert and the read: the caller's retry claims it afresh.
    return (
      stored ?? {
        request_hash: requestHash,
        status_code: inProgress,
        response: null,
        claimed_until: null,
        withheld: false,
      }
    );
  }

  return {
    async run(owner, route, key, body, at, work) {
      if (key.length === 0 || key.length > 255) {
        throw new ApiError(
          400,
          'invalid_idempotency_key',
          'Idempotency-Key must be 1 to 255 characters',
          'Idempotency-Key',
        );
      }
      const requestHash = sha256(canonicalJson(body ?? null));
      // Claim the key first, so that two concurrent requests with one key cannot both do the work.
      const stored = await claim(owner, route, key, requestHash, at);
      if (stored) {
        if (stored.request_hash !== requestHash) {
          throw new ApiError(
            409,
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request',
            'Idempotency-Key',
          );
        }
        if (stored.status_code === inProgress) {
          throw new ApiError(
            409,
            'idempotency_request_in_progress',
            'a request with this Idempotency-Key is still in progress',
            'Idempotency-Key',
            {
              retry_after_seconds: Math.max(
                1,
                Math.ceil(((stored.claimed_until?.getTime() ?? 0) - at.getTime()) / 1000),
              ),
            },
          );
        }
        if (stored.withheld) {
          throw new ApiError(
            409,
            'idempotency_response_withheld',
            `the first request with this Idempotency-Key succeeded (${stored.status_code}); its answer carried a secret, which is not kept`,
            'Idempotency-Key',
          );
        }
        return { status: stored.status_code, body: stored.response, headers: { 'idempotent-replayed': 'true' } };
      }
      let reply: RouteReply;
      try {
        reply = await work();
      } catch (error) {
        // A failed request did nothing durable: release the key so the client can retry (if the database lets us;
        // otherwise the claim expires).
        await database
          .query('DELETE FROM idempotency_keys WHERE merchant_id = $1 AND route = $2 AND key = $3', [owner, route, key])
          .catch(() => {});
        throw error;
      }
      const withheld = carriesSecret(reply.body);
      await database.query(
        `UPDATE idempotency_keys SET status_code = $4, response = $5, withheld = $6, claimed_until = NULL
         WHERE merchant_id = $1 AND route = $2 AND key = $3`,
        [owner, route, key, reply.status, withheld ? 'null' : JSON.stringify(reply.body), withheld],
      );
      return reply;
    },
  };
}

/**
 * Releases every claim in progress. Only for a database one process owns (embedded PGlite): at start no request
 * can be running, so each claim belongs to a process that crashed.
 */
export async function releaseAbandonedClaims(database: SqlExecutor): Promise<number> {
  const rows = await database.query(`DELETE FROM idempotency_keys WHERE status_code = ${inProgress} RETURNING key`);
  return rows.length;
}
