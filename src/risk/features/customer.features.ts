// The shopper as the merchant and the typed details show them: the shop account's age, and how well the e-mail fits the name.
import { jaroWinkler } from '@skyra/jaro-winkler';
import type { NormalisedName } from '../normalise/name.normaliser.ts';
import { defineFamily } from './feature.family.ts';

/**
 * How much an e-mail local part looks made from this name, in [0, 1]: 1 for "anna.devries" or "adevries85"
 * with Anna de Vries, about 0.5 for the surname alone, low for "info" or "deals4u". A score rather than
 * yes/no, because honest mailboxes (own domains, "info@", a partner's name) and look-alikes sit in between.
 */
export function nameEmailSimilarity(localPart: string, name: NormalisedName): number {
  const letters = localPart.toLowerCase().replace(/[^a-z]/g, '');
  const surname = name.surname.replace(/[^a-z]/g, '');
  const given = (name.givenName || (name.full.split(' ')[0] ?? '')).replace(/[^a-z]/g, '');
  if (letters.length === 0 || (surname.length === 0 && given.length === 0)) return 0;
  const hasSurname = surname.length >= 3 && letters.includes(surname);
  const hasGiven = given.length >= 3 && letters.includes(given);
  const hasInitial = given.length > 0 && hasSurname && letters.replace(surname, '').startsWith(given[0] ?? '');
  if (hasSurname && (hasGiven || hasInitial)) return 1;
  if (hasSurname) return 0.6;
  if (hasGiven) return 0.4;
  // Typos and transliterations ("jansssen", "mueller"): how close the letters are to the name's letters.
  const nameLetters = `${given}${surname}`;
  return Math.round(0.35 * Math.max(jaroWinkler(letters, nameLetters), jaroWinkler(letters, surname)) * 1000) / 1000;
}

const secondsSince = (at: number, iso: string | undefined): number | null => {
  if (iso === undefined) return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : Math.max(0, Math.round((at - time) / 1000));
};

export const customerFeatures = defineFamily('identity', (context) => context, [
  {
    name: 'merchant_account_present',
    type: 'boolean',
    meaning: "The merchant sent the shopper's own shop account (merchant_account).",
    compute: (c) => c.input.session.merchant_account !== undefined,
  },
  {
    name: 'merchant_account_age_seconds',
    type: 'number',
    meaning: "Seconds from the shop account's registration (merchant_account.registered_at) to this purchase.",
    compute: (c) => secondsSince(c.input.at, c.input.session.merchant_account?.registered_at),
  },
  {
    name: 'merchant_account_changed_seconds',
    type: 'number',
    meaning: "Seconds since the shop account's e-mail, phone or password last changed (merchant_account.changed_at).",
    compute: (c) => secondsSince(c.input.at, c.input.session.merchant_account?.changed_at),
  },
  {
    name: 'name_email_similarity',
    type: 'number',
    meaning:
      'How much the e-mail local part looks made from the typed name, 0..1 (1: given name or initial and surname).',
    compute: (c) => (c.claim.email === null ? null : nameEmailSimilarity(c.claim.email.localPart, c.claim.name)),
  },
]);
