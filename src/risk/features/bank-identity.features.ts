// What proofs at the bank established about the resolved account: identified at the bank, and conflicting subjects.
import { daysSince, defineFamily } from './feature.family.ts';

export const bankIdentityFeatures = defineFamily('bank', (context) => context.resolution.account, [
  {
    name: 'account_bank_identified',
    type: 'boolean',
    meaning: "The resolved account's holder was identified at their own bank before this purchase.",
    compute: (account) => account?.bankIdentifiedAt != null,
  },
  {
    name: 'account_bank_identified_days',
    type: 'number',
    meaning: 'Days since the account holder was first identified at their bank.',
    compute: (account, context) => daysSince(context.input.at, account?.bankIdentifiedAt),
  },
  {
    name: 'bank_subject_conflict',
    type: 'boolean',
    meaning:
      "A bank identification of this account's identity came from a different person at the bank than the one on file.",
    compute: (account) => (account?.bankSubjectConflicts ?? 0) > 0,
  },
  {
    name: 'bank_subject_conflicts',
    type: 'number',
    meaning: "Bank identifications of this account's identity that came with a different bank subject.",
    compute: (account) => account?.bankSubjectConflicts ?? 0,
  },
]);
