// Rate limits on the staff sign-in and enrolment ceremonies, per client address: the console's door is public.
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import { ApiError } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { limited, makeSqlRateLimiter, type RateLimit } from '../stepup/send.rate-limit.ts';

const minute = 60_000;

/**
 * A passkey cannot be guessed, so this guards the server rather than the accounts: ceremony rows and signature checks
 * are cheap but not free. A whole desk starting its shift behind one address (two calls per sign-in) stays far below.
 */
export const staffSignInLimits = [
  { limit: 60, windowMilliseconds: 15 * minute },
  { limit: 500, windowMilliseconds: 24 * 60 * minute },
] as const satisfies readonly RateLimit[];

export type StaffSignInLimit = (request: FastifyRequest) => Promise<void>;

export function makeStaffSignInLimit(dependencies: { database: SqlExecutor; clock: Clock }): StaffSignInLimit {
  const limiter = makeSqlRateLimiter(dependencies.database);
  return async (request) => {
    const result = await limiter.consume(
      limited(`staff-sign-in:${request.ip}`, staffSignInLimits),
      dependencies.clock.now(),
    );
    if (!result.allowed) {
      throw new ApiError(
        429,
        'too_many_sign_in_attempts',
        'too many sign-in attempts from here; try again later',
        undefined,
        {
          retry_after_seconds: result.retryAfterSeconds,
        },
      );
    }
  };
}
