// The shape of one erasure step (one table or store), and what a step reports: rows erased, records kept and why.
import type { PrivacyConfig } from '../config.ts';
import type { Ids } from '../shared/ids.ts';
import type { SqlExecutor } from '../storage/database.ts';
import type { ErasureSubject } from './erasure.subject.ts';
import type { Pseudonyms } from './pseudonyms.ts';

/**
 * The number of the latest finished erasure (any node; 0: none). Other nodes purge their in-memory state once they
 * see a higher one, and a state snapshot names the last one it was purged of. Numbers, not clocks, so that nodes whose
 * clocks differ, or two erasures within one millisecond, are still told apart.
 */
export async function latestFinishedErasure(executor: SqlExecutor): Promise<number> {
  const [row] = await executor.query<{ latest: string | number | null }>(
    'SELECT max(finished_seq) AS latest FROM erasure_requests',
  );
  return Number(row?.latest ?? 0);
}

export const restrictedKinds = ['invoice', 'open_debt', 'fraud_incident'] as const;
export type RestrictedKind = (typeof restrictedKinds)[number];

/** Why a kind of record outlives the erasure, in words a consumer reads in the answer. */
export const legalBases: Readonly<Record<RestrictedKind, string>> = {
  invoice:
    'Tax law: invoices and the payout ledger are kept for the tax retention period (NL: 7 years, AWR art. 52; GDPR Art. 17(3)(b))',
  open_debt:
    'Open debt: what is needed to collect an unpaid invoice is kept until it is settled, at most until the claim is time-barred (NL: 5 years, BW 3:307; GDPR Art. 17(3)(e))',
  fraud_incident:
    'Confirmed fraud: the incident is kept for a limited period to prevent further fraud and to defend legal claims (GDPR Art. 17(3)(e), UAVG Art. 33)',
};

/** One erasure: who, for which request, when; the settings and parts the steps need. */
export interface Erasure {
  readonly requestId: string;
  readonly subject: ErasureSubject;
  readonly now: Date;
  readonly ids: Ids;
  readonly privacy: PrivacyConfig;
  readonly pseudonyms: Pseudonyms;
}

export interface KeptRecords {
  readonly kind: RestrictedKind;
  readonly count: number;
  /** The latest due date of the kept records of this kind. */
  readonly keepUntil: Date;
}

export interface StepOutcome {
  /** Rows (or entries) removed or made anonymous by this step. */
  readonly erased: number;
  readonly kept?: readonly KeptRecords[];
}

/**
 * One table or store. Steps run in order in one transaction; the list is data so that a new store (the encrypted
 * subject store's key shredding) is one more entry, not a change to the worker.
 */
export interface ErasureStep {
  readonly name: string;
  run(tx: SqlExecutor, erasure: Erasure): Promise<StepOutcome>;
}

export const yearsAfter = (date: Date, years: number) => {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
};

export const daysAfter = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
