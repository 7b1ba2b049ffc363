// Fixed-window rate limits kept in the database, so every server process counts the same sends.
import type { SqlExecutor } from '../storage/database.ts';

export interface RateLimit {
  readonly limit: number;
  readonly windowMilliseconds: number;
}

/** Step-up and sign-in sends: per account and per device, so neither a victim's phone nor one device is flooded. */
export const sendLimits = {
  account: { limit: 5, windowMilliseconds: 15 * 60_000 },
  device: { limit: 10, windowMilliseconds: 60 * 60_000 },
  address: { limit: 5, windowMilliseconds: 15 * 60_000 },
} as const satisfies Record<string, RateLimit>;

export type RateLimitResult =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Counts one use of `key`; when the window is already full the use is refused (and not counted). */
export async function consumeRateLimit(
  database: SqlExecutor,
  key: string,
  rule: RateLimit,
  now: number,
): Promise<RateLimitResult> {
  const windowStart = now - (now % rule.windowMilliseconds);
  const [row] = await database.query<{ count: number }>(
    `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
       WHERE rate_limit_counters.count < $3
     RETURNING count`,
    [key, new Date(windowStart), rule.limit],
  );
  if (row) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.ceil((windowStart + rule.windowMilliseconds - now) / 1000) };
}
