// Account-wide lockout of step-up proofs: failures count across challenges, with back-off over hours and days.
import { ApiError } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { attemptLimits, limited, makeSqlRateLimiter, type RateLimiterFor } from './send.rate-limit.ts';

/**
 * A new checkout is a new challenge but not a fresh budget of guesses. Sign-in guesses are counted apart (their own
 * keys), so a stranger guessing at the portal never locks a shopper's checkout.
 */
export function proofLockout(rateLimiter: RateLimiterFor | undefined, tx: SqlExecutor, accountId: string | null) {
  const limiter = (rateLimiter ?? makeSqlRateLimiter)(tx);
  const attempts = accountId ? limited(`step-up:fail:account:${accountId}`, attemptLimits.account) : [];
  return {
    /** Refuses every proof, the right one too, while the account is locked out. */
    async assertOpen(now: number): Promise<void> {
      const result = await limiter.check(attempts, now);
      if (result.allowed) return;
      throw new ApiError(
        429,
        'too_many_attempts',
        'too many failed proofs for this account; try again later',
        undefined,
        {
          retry_after_seconds: result.retryAfterSeconds,
        },
      );
    },
    async recordFailure(now: number): Promise<void> {
      await limiter.record(attempts, now);
    },
  };
}
