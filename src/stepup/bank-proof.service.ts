// What both proofs at the bank share: start an attempt, take its single-use completion, match, conflict, complete.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import type { ChallengeMethod, HistoryEvent, RiskEngine } from '../risk/engine.ts';
import {
  assertMethodAllowed,
  assertUsable,
  clientTokenFor,
  loadChallenge,
  type ChallengeCaller,
} from './challenge.access.ts';
import type { ChallengeService, ProofExtra } from './challenge.service.ts';
import { findChallenge } from './challenge.repository.ts';
import { matchIdentity, sameName } from './identity.match.ts';
import { sameHash, signToken } from './otp.codes.ts';
import type { ProofStart, ProofStatus, VerifiedIdentity } from './proof.ts';
import {
  findProofAttempt,
  finishProofAttempt,
  insertBankSubjectConflict,
  insertProofAttempt,
  latestProofAttempt,
  linkBankSubject,
  recordAttemptIdentity,
  takeProofAttempt,
} from './proof-attempts.repository.ts';
import type { PersonalData } from '../privacy/personal-data.ts';
import {
  accountSealedSql,
  accountSubjectJoinSql,
  type AccountData,
  type AccountSealedColumns,
} from '../privacy/account-data.ts';

/** Each challenge allows a few trips to the bank; failures also count against the challenge's attempts. */
export const maxProofStartsPerChallenge = 5;

export type ProviderOutcome =
  | { readonly kind: 'identified'; readonly identity: VerifiedIdentity }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

export type CompletionOutcome =
  { readonly kind: 'verified' } | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface BankProofDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secret: string;
  readonly challenges: Pick<ChallengeService, 'attempt' | 'complete'>;
  readonly engine: Pick<RiskEngine, 'record'>;
  /** Finds accounts by the pseudonym of a date of birth and opens their names. */
  readonly personalData: PersonalData;
}

/**
 * Accounts of this identity already tied to a different bank subject: the challenge's account, and any account with
 * the same name and date of birth that a bank identified (a claim need not resolve to it to be the same person).
 */
async function accountsWithOtherSubject(
  tx: SqlExecutor,
  accounts: AccountData,
  accountId: string | null,
  identity: VerifiedIdentity,
  subject: string,
): Promise<string[]> {
  const birth = identity.dateOfBirth ? accounts.birthPseudonym(identity.dateOfBirth) : null;
  const rows = await tx.query<{ id: string } & AccountSealedColumns>(
    `SELECT a.id, ${accountSealedSql('a', 'k')} FROM accounts a ${accountSubjectJoinSql('a', 'k')}
       JOIN account_bank_subjects s ON s.account_id = a.id
     WHERE s.subject <> $1 AND (a.id = $2 OR ($3::text IS NOT NULL AND a.birth_pseudonym = $3))`,
    [subject, accountId, birth],
  );
  return rows
    .filter((row) => {
      if (row.id === accountId) return true;
      const name = accounts.accountPerson(row).name;
      return name !== null && sameName(name, identity.name);
    })
    .map((row) => row.id);
}

/** What a passed proof at the bank hands to the approval: the verified identity, and the bank subject to link. */
function proofExtra(identity: VerifiedIdentity): ProofExtra {
  const subject = identity.bankSubject;
  return {
    identity: { name: identity.name, dateOfBirth: identity.dateOfBirth, address: identity.address },
    onApproved: async (tx, accountId, approvedAt) => {
      if (subject === null || !(await linkBankSubject(tx, accountId, subject, approvedAt))) return [];
      return [{ kind: 'bank_identity', accountId, at: approvedAt.getTime(), outcome: 'linked' }];
    },
  };
}

export function makeBankProofService(dependencies: BankProofDependencies) {
  const { database, clock, ids, secret } = dependencies;

  /** The `state` (or reference) that travels through the bank: the attempt id, HMAC-signed; usable once. */
  const signedStateFor = (method: ChallengeMethod, attemptId: string) =>
    `${attemptId}.${signToken(secret, `proof-state:${method}`, attemptId)}`;

  function attemptIdOf(method: ChallengeMethod, state: string): string | null {
    const attemptId = state.split('.')[0] ?? '';
    return attemptId && sameHash(state, signedStateFor(method, attemptId)) ? attemptId : null;
  }

  async function start(
    method: ChallengeMethod,
    challengeId: string,
    caller: ChallengeCaller,
    begin: (
      attemptId: string,
      state: string,
      purpose: { amountCents: number },
    ) => Promise<{
      url: string;
      flow: Record<string, string>;
      reference: string | null;
    }>,
  ): Promise<ProofStart> {
    const { challenge } = await loadChallenge(database, secret, challengeId, caller);
    assertUsable(challenge, clock.now());
    assertMethodAllowed(challenge, method);
    const started = await database.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM proof_attempts WHERE challenge_id = $1',
      [challenge.id],
    );
    if (Number(started[0]?.count ?? 0) >= maxProofStartsPerChallenge) {
      throw new ApiError(429, 'too_many_attempts', 'too many attempts for this challenge; start the checkout again');
    }
    const attemptId = ids.next(method === 'bank_identification' ? 'bid' : 'vpm');
    const state = signedStateFor(method, attemptId);
    let begun: Awaited<ReturnType<typeof begin>>;
    try {
      begun = await begin(attemptId, state, { amountCents: 1 });
    } catch {
      throw new ApiError(409, 'proof_unavailable', 'the bank or payment service cannot be reached; try again later');
    }
    await insertProofAttempt(database, {
      id: attemptId,
      challenge_id: challenge.id,
      method,
      flow: begun.flow,
      provider_reference: begun.reference,
      created_at: new Date(clock.now()),
    });
    return { method, redirect_url: begun.url, expires_at: challenge.expires_at.toISOString() };
  }

  /** Takes the attempt named by a signed state once; null when the state is forged, unknown or already used. */
  async function take(method: ChallengeMethod, state: string) {
    const attemptId = attemptIdOf(method, state);
    if (!attemptId) return null;
    const attempt = await takeProofAttempt(database, attemptId);
    return attempt?.method === method ? attempt : null;
  }

  /**
   * The bank (or payment service) vouched for someone: is it the person claimed? A mismatch is a failed attempt and
   * touches no account. A match for an account whose bank subject differs is stored as a conflict and fails too.
   */
  async function finish(
    method: ChallengeMethod,
    attemptId: string,
    outcome: ProviderOutcome,
  ): Promise<CompletionOutcome> {
    const attempt = await findProofAttempt(database, attemptId);
    const challenge = attempt ? await findChallenge(database, attempt.challenge_id) : null;
    if (!attempt || !challenge) return { kind: 'failed', code: 'not_found', message: 'this proof is not known' };
    const at = new Date(clock.now());
    if (outcome.kind === 'unavailable') {
      await finishProofAttempt(database, attemptId, {
        status: 'failed',
        failureCode: 'proof_unavailable',
        identity: null,
        at,
      });
      return { kind: 'failed', code: 'proof_unavailable', message: 'the bank could not be reached; try again' };
    }
    const caller: ChallengeCaller = { kind: 'client', token: clientTokenFor(secret, challenge.id) };
    if (outcome.kind === 'identified') await recordAttemptIdentity(database, attemptId, outcome.identity);
    try {
      await dependencies.challenges.attempt(challenge.id, caller, async (tx, locked, input) => {
        assertMethodAllowed(locked, method);
        if (outcome.kind === 'refused') {
          return { ok: false, code: 'proof_refused', message: 'the bank did not confirm who you are' };
        }
        const identity = outcome.identity;
        const match = matchIdentity(input, identity);
        if (!match.ok) return { ok: false, code: match.code, message: match.message };
        const subject = identity.bankSubject;
        const conflicting =
          subject === null
            ? []
            : await accountsWithOtherSubject(
                tx,
                dependencies.personalData.accounts,
                locked.account_id,
                identity,
                subject,
              );
        if (subject !== null && conflicting.length > 0) {
          const events: HistoryEvent[] = [];
          for (const accountId of conflicting) {
            await insertBankSubjectConflict(tx, {
              id: ids.next('bsc'),
              account_id: accountId,
              session_id: locked.session_id,
              subject,
              at,
            });
            events.push({ kind: 'bank_identity', accountId, at: at.getTime(), outcome: 'conflict' });
          }
          return {
            ok: false,
            code: 'bank_subject_conflict',
            message: 'the bank identified a different person than the one known for this identity',
            events,
          };
        }
        return { ok: true, method, channelId: null, extra: proofExtra(identity) };
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await finishProofAttempt(database, attemptId, {
        status: 'failed',
        failureCode: error.code,
        identity: outcome.kind === 'identified' ? outcome.identity : null,
        at,
      });
      return { kind: 'failed', code: error.code, message: error.message };
    }
    await finishProofAttempt(database, attemptId, {
      status: 'verified',
      failureCode: null,
      identity: outcome.kind === 'identified' ? outcome.identity : null,
      at,
    });
    return { kind: 'verified' };
  }

  async function status(method: ChallengeMethod, challengeId: string, caller: ChallengeCaller): Promise<ProofStatus> {
    const { challenge } = await loadChallenge(database, secret, challengeId, caller);
    const attempt = await latestProofAttempt(database, challenge.id, method);
    if (challenge.status === 'verified' && challenge.verified_method === method) {
      // Completing again only replays a finished purchase; after a crash between proof and purchase it finishes it,
      // still building the account from what the bank verified.
      const extra = attempt?.identity ? proofExtra(attempt.identity) : {};
      return { status: 'verified', result: await dependencies.challenges.complete(challenge, method, extra) };
    }
    if (!attempt) return { status: 'not_started' };
    if (attempt.status === 'failed') {
      return {
        status: 'failed',
        code: attempt.failure_code ?? 'proof_failed',
        message: failureMessages[attempt.failure_code ?? ''] ?? 'This could not be confirmed.',
      };
    }
    return { status: 'pending' };
  }

  /** Takes an attempt found by the provider's own reference (a payment id) once. */
  const takeAttempt = (attemptId: string) => takeProofAttempt(database, attemptId);

  return { start, take, takeAttempt, attemptIdOf, finish, status };
}

const failureMessages: Readonly<Record<string, string>> = {
  name_mismatch: 'The name at your bank is not the name given at the checkout.',
  address_mismatch: 'The address at your bank is not the billing address given at the checkout.',
  date_of_birth_mismatch: 'The date of birth at your bank is not the one given at the checkout.',
  bank_subject_conflict: 'Your bank identified a different person than the one we know for these details.',
  proof_refused: 'Your bank did not confirm who you are.',
  proof_unavailable: 'Your bank could not be reached. Please try again.',
  challenge_locked: 'Too many attempts. This purchase cannot be confirmed here.',
  challenge_expired: 'This took too long. Please start the checkout again.',
};

export type BankProofService = ReturnType<typeof makeBankProofService>;
