// "Not me" on a sign-in code or a security notice: the code stops working and every portal session of the account ends.
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { linkSignatureLength, signedLinkMatches, signToken } from '../stepup/otp.codes.ts';

/** A sign-in (whose code someone did not ask for) or an account (whose security setting changed). */
const subjectPattern = /^(sgn|acc)_[0-9a-z]{1,40}$/;
const purpose = 'security-report';

/** The signed link in a sign-in code message or a security notice; it needs no stored row until it is used. */
export function securityReportLink(publicUrl: string, secret: string, subjectId: string): string {
  return `${publicUrl}/security-report/${subjectId}.${signToken(secret, purpose, subjectId).slice(0, linkSignatureLength)}`;
}

export type SecurityReportOutcome =
  { readonly kind: 'invalid' } | { readonly kind: 'reported'; readonly sessionsEnded: number };

export function makeSecurityReportService(dependencies: { database: Database; clock: Clock; secret: string }) {
  const { database, clock, secret } = dependencies;

  /** The signature is checked before the database is asked, so a forged link costs nothing and reveals nothing. */
  function subjectOf(token: string): string | null {
    const subjectId = token.split('.')[0] ?? '';
    return subjectPattern.test(subjectId) && signedLinkMatches(token, subjectId, signToken(secret, purpose, subjectId))
      ? subjectId
      : null;
  }

  /**
   * Acts at once rather than opening a ticket: an unused sign-in code is spent, and whoever may already be signed in
   * (with that code, or after the reported change) is signed out. A second click changes nothing and says the same.
   */
  async function report(token: string): Promise<SecurityReportOutcome> {
    const subjectId = subjectOf(token);
    if (!subjectId) return { kind: 'invalid' };
    const at = new Date(clock.now());
    return database.transaction(async (tx) => {
      let accountId: string | null = subjectId.startsWith('acc_') ? subjectId : null;
      if (subjectId.startsWith('sgn_')) {
        const [signIn] = await tx.query<{ account_id: string | null }>(
          'UPDATE sign_ins SET used_at = COALESCE(used_at, $2) WHERE id = $1 RETURNING account_id',
          [subjectId, at],
        );
        accountId = signIn?.account_id ?? null;
      }
      const ended = accountId
        ? await tx.query<{ id: string }>(
            `UPDATE consumer_sessions SET revoked_at = $2
             WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING id`,
            [accountId, at],
          )
        : [];
      await tx.query(
        `INSERT INTO security_reports (subject_id, account_id, reported_at, sessions_ended) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subject_id) DO UPDATE SET sessions_ended = security_reports.sessions_ended + EXCLUDED.sessions_ended`,
        [subjectId, accountId, at, ended.length],
      );
      return { kind: 'reported', sessionsEnded: ended.length };
    });
  }

  return { isValid: (token: string) => subjectOf(token) !== null, report };
}

export type SecurityReportService = ReturnType<typeof makeSecurityReportService>;
