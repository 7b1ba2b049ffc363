// Claimed identity versus account: does what was typed agree with the account it points to?
import { emailResemblesName } from '../normalise/name.normaliser.ts';
import { defineFamily } from './feature.family.ts';

export const identityFeatures = defineFamily('identity', ({ resolution }) => resolution, [
  {
    name: 'identity_account_matched',
    type: 'boolean',
    meaning: 'The claim resolved to a known account.',
    compute: (r) => r.accountId !== null,
  },
  {
    name: 'identity_new_customer',
    type: 'boolean',
    meaning: 'No known account matches the claim.',
    compute: (r) => r.newCustomer,
  },
  {
    name: 'identity_match_strength',
    type: 'number',
    meaning: 'Weighted match strength of the resolved account in [0, 1].',
    compute: (r) => r.strength,
  },
  {
    name: 'identity_email_match',
    type: 'number',
    meaning: '1 when the typed e-mail is on file for the resolved account.',
    compute: (r) => r.attributes.email,
  },
  {
    name: 'identity_phone_match',
    type: 'number',
    meaning: '1 when the typed phone is on file for the resolved account.',
    compute: (r) => r.attributes.phone,
  },
  {
    name: 'identity_name_similarity',
    type: 'number',
    meaning: 'Jaro-Winkler similarity of the typed name and the account name (diacritics folded, word order free).',
    compute: (r) => r.attributes.name,
  },
  {
    name: 'identity_date_of_birth_match',
    type: 'number',
    meaning: '1 same, 0 different, null when either side is unknown.',
    compute: (r) => r.attributes.dateOfBirth,
  },
  {
    name: 'identity_billing_address_match',
    type: 'number',
    meaning: '1 billing is the account home address, 0.5 same postcode, 0 otherwise.',
    compute: (r) => r.attributes.billingAddress,
  },
  {
    name: 'identity_email_accounts',
    type: 'number',
    meaning: 'Accounts that have the typed e-mail on file.',
    compute: (r) => r.emailAccountIds.length,
  },
  {
    name: 'identity_phone_accounts',
    type: 'number',
    meaning: 'Accounts that have the typed phone on file.',
    compute: (r) => r.phoneAccountIds.length,
  },
  {
    name: 'identity_billing_address_accounts',
    type: 'number',
    meaning: 'Accounts whose home address is the typed billing address.',
    compute: (r) => r.billingAddressAccountIds.length,
  },
  {
    name: 'identity_conflict_count',
    type: 'number',
    meaning: 'Number of resolution conflicts.',
    compute: (r) => r.conflicts.length,
  },
  {
    name: 'identity_email_phone_conflict',
    type: 'boolean',
    meaning: 'The typed e-mail and phone are on file for different accounts.',
    compute: (r) => r.conflicts.includes('email_and_phone_point_to_different_accounts'),
  },
  {
    name: 'identity_email_other_account',
    type: 'boolean',
    meaning: 'The typed e-mail belongs to an account other than the resolved one.',
    compute: (r) => r.conflicts.includes('email_belongs_to_other_account'),
  },
  {
    name: 'identity_phone_other_account',
    type: 'boolean',
    meaning: 'The typed phone belongs to an account other than the resolved one.',
    compute: (r) => r.conflicts.includes('phone_belongs_to_other_account'),
  },
  {
    name: 'identity_name_mismatch',
    type: 'boolean',
    meaning: "The typed name is not the resolved account's name.",
    compute: (r) => r.conflicts.includes('name_differs_from_account'),
  },
  {
    name: 'identity_date_of_birth_mismatch',
    type: 'boolean',
    meaning: "The typed date of birth differs from the account's.",
    compute: (r) => r.conflicts.includes('date_of_birth_differs_from_account'),
  },
  {
    name: 'identity_name_address_other_account',
    type: 'boolean',
    meaning:
      'The typed name and billing address belong to another account than the one the contact details resolve to.',
    compute: (r) => r.conflicts.includes('name_and_address_belong_to_other_account'),
  },
  {
    name: 'identity_email_resembles_name',
    type: 'boolean',
    meaning: 'The e-mail local part contains the first name or surname typed.',
    compute: (_r, context) =>
      context.claim.email !== null && emailResemblesName(context.claim.email.localPart, context.claim.name),
  },
  {
    name: 'identity_known_address_unknown_name',
    type: 'boolean',
    meaning:
      "The billing address is a customer's home, but the typed name matches none of them (someone else's address).",
    compute: (r) => r.newCustomer && r.billingAddressAccountIds.length > 0,
  },
  {
    name: 'identity_typed_channels_unknown',
    type: 'boolean',
    meaning: 'The resolved account has neither the typed e-mail nor the typed phone on file.',
    compute: (r) => r.accountId !== null && r.attributes.email === 0 && r.attributes.phone === 0,
  },
]);
