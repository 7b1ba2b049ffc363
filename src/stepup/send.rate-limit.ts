// Rate limits and lockouts behind one small port; the PostgreSQL adapter keeps fixed-window counters in a table.
import type { SqlExecutor } from '../storage/database.ts';

export interface RateLimit {
  readonly limit: number;
  readonly windowMilliseconds: number;
}

/** One counter: what is counted (`key`) under which rule; one key may carry several rules (back-off tiers). */
export interface LimitedKey {
  readonly key: string;
  readonly rule: RateLimit;
}

export type RateLimitResult =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * The port. Counters may live in PostgreSQL (below) or, with several processes, in Redis: a Redis adapter
 * ignores the executor; the SQL adapter counts inside the caller's transaction so a rolled-back use is not counted.
 */
export interface RateLimiter {
  /** Counts one use of every key; when any window is already full the use is refused and counted nowhere. */
  consume(keys: readonly LimitedKey[], now: number): Promise<RateLimitResult>;
  /** Whether a use would be refused now, without counting it (a lockout check before a guess is judged). */
  check(keys: readonly LimitedKey[], now: number): Promise<RateLimitResult>;
  /** Counts one use of every key even past the limit (failed attempts: each one extends nothing, but is seen). */
  record(keys: readonly LimitedKey[], now: number): Promise<void>;
}

/** Built per transaction by the composition root's choice of adapter. */
export type RateLimiterFor = (executor: SqlExecutor) => RateLimiter;

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Sends are budgeted separately for unauthenticated portal sign-ins and for step-ups of a merchant-authenticated
 * checkout, so sign-in spam never spends the victim's step-up budget. Identity keys are normalised (E.164 phone,
 * the engine's e-mail key), so spelling variants of one number share one budget.
 */
export const sendLimits = {
  stepUpAccount: [{ limit: 5, windowMilliseconds: 15 * minute }],
  stepUpDevice: [{ limit: 10, windowMilliseconds: hour }],
  // One phone or mailbox can be on file for several accounts (a household, or accounts an attacker opened with the
  // victim's number): the person at that address hears from us at most this often, however many accounts ask.
  stepUpRecipient: [
    { limit: 6, windowMilliseconds: hour },
    { limit: 20, windowMilliseconds: day },
  ],
  signInIdentity: [
    { limit: 5, windowMilliseconds: 15 * minute },
    { limit: 15, windowMilliseconds: day },
  ],
  signInAccount: [
    { limit: 5, windowMilliseconds: 15 * minute },
    { limit: 15, windowMilliseconds: day },
  ],
  signInIp: [
    { limit: 20, windowMilliseconds: 15 * minute },
    { limit: 100, windowMilliseconds: day },
  ],
} as const satisfies Record<string, readonly RateLimit[]>;

/**
 * Wrong codes, counted account-wide across sign-ins (and separately across step-up challenges), with back-off over
 * hours and days: at most 10 guesses per quarter hour, 20 per day and 40 per week, then every code is refused until
 * the window ends. Against a six-digit code that is about one chance in 25,000 per week.
 */
export const attemptLimits = {
  account: [
    { limit: 10, windowMilliseconds: 15 * minute },
    { limit: 20, windowMilliseconds: day },
    { limit: 40, windowMilliseconds: 7 * day },
  ],
  ip: [
    { limit: 30, windowMilliseconds: 15 * minute },
    { limit: 200, windowMilliseconds: day },
  ],
} as const satisfies Record<string, readonly RateLimit[]>;

/** Every rule of a key as counters. */
export const limited = (key: string, rules: readonly RateLimit[]): LimitedKey[] => rules.map((rule) => ({ key, rule }));

function windowOf(rule: RateLimit, now: number) {
  const start = now - (now % rule.windowMilliseconds);
  return { start, retryAfterSeconds: Math.ceil((start + rule.windowMilliseconds - now) / 1000) };
}

/** Tiers of one key share the key text; the window length keeps their rows apart. */
const counterKey = (limitedKey: LimitedKey) => `${limitedKey.key}@${limitedKey.rule.windowMilliseconds}`;

const refusedFor = (retryAfterSeconds: number[]): RateLimitResult =>
  retryAfterSeconds.length === 0
    ? { allowed: true }
    : { allowed: false, retryAfterSeconds: Math.max(...retryAfterSeconds) };

export function makeSqlRateLimiter(database: SqlExecutor): RateLimiter {
  const limiter: RateLimiter = {
    async consume(keys, now) {
      // Look first, so a use refused by one tier is not counted in the others; the guarded increment below still
      // holds every limit when two requests race (the loser's other tiers roll back with its transaction).
      const full = await limiter.check(keys, now);
      if (!full.allowed) return full;
      const refused: number[] = [];
      for (const limitedKey of keys) {
        const window = windowOf(limitedKey.rule, now);
        const [row] = await database.query<{ count: number }>(
          `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 1)
           ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
             WHERE rate_limit_counters.count < $3
           RETURNING count`,
          [counterKey(limitedKey), new Date(window.start), limitedKey.rule.limit],
        );
        if (!row) refused.push(window.retryAfterSeconds);
      }
      return refusedFor(refused);
    },
    async check(keys, now) {
      const refused: number[] = [];
      for (const limitedKey of keys) {
        const window = windowOf(limitedKey.rule, now);
        const [row] = await database.query<{ count: number }>(
          'SELECT count FROM rate_limit_counters WHERE key = $1 AND window_start = $2',
          [counterKey(limitedKey), new Date(window.start)],
        );
        if (row && row.count >= limitedKey.rule.limit) refused.push(window.retryAfterSeconds);
      }
      return refusedFor(refused);
    },
    async record(keys, now) {
      for (const limitedKey of keys) {
        const window = windowOf(limitedKey.rule, now);
        await database.query(
          `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 1)
           ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1`,
          [counterKey(limitedKey), new Date(window.start)],
        );
      }
    },
  };
  return limiter;
}
