// Idempotency-Key handling: a repeat with the same key and body replays the first response; another body is 409.
import type { Database } from '../storage/database.ts';
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

const inProgress = 0;

export function makeIdempotencyStore(database: Database): IdempotencyStore {
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
      try {
        // Claim the key first, so that two concurrent requests with one key cannot both do the work.
        await database.query(
          `INSERT INTO idempotency_keys (merchant_id, route, key, request_hash, status_code, response, created_at)
           VALUES ($1, $2, $3, $4, $5, 'null'::jsonb, $6)`,
          [owner, route, key, requestHash, inProgress, at],
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const [stored] = await database.query<{ request_hash: string; status_code: number; response: unknown }>(
          'SELECT request_hash, status_code, response FROM idempotency_keys WHERE merchant_id = $1 AND route = $2 AND key = $3',
          [owner, route, key],
        );
        if (!stored || stored.request_hash !== requestHash) {
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
          );
        }
        return { status: stored.status_code, body: stored.response, headers: { 'idempotent-replayed': 'true' } };
      }
      let reply: RouteReply;
      try {
        reply = await work();
      } catch (error) {
        // A failed request did nothing durable: release the key so the client can retry.
        await database.query('DELETE FROM idempotency_keys WHERE merchant_id = $1 AND route = $2 AND key = $3', [
          owner,
          route,
          key,
        ]);
        throw error;
      }
      await database.query(
        'UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE merchant_id = $1 AND route = $2 AND key = $3',
        [owner, route, key, reply.status, JSON.stringify(reply.body)],
      );
      return reply;
    },
  };
}
