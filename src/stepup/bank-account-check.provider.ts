// The BankAccountCheckProvider port: a bank confirms whether an account (IBAN) is held by the claimed name.
import { nameSimilarity, normaliseName } from '../risk/normalise/name.normaliser.ts';

export type BankAccountCheckResult =
  | { readonly kind: 'match' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'unknown_account' }
  | { readonly kind: 'unavailable' };

export interface BankAccountCheckProvider {
  check(request: { readonly iban: string; readonly claimedName: string }): Promise<BankAccountCheckResult>;
}

/** Names match like a bank's confirmation-of-payee: diacritics and word order ignored, small typos tolerated. */
export const nameMatchThreshold = 0.92;

export const normaliseIban = (iban: string) => iban.replace(/\s+/g, '').toUpperCase();

/** ISO 13616 check digits (mod 97): a mistyped IBAN is told apart from an account the bank does not know. */
export function validIban(iban: string): boolean {
  const compact = normaliseIban(iban);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  const digits = rearranged.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** Test IBANs and their holders for development and tests; a real provider asks the bank instead. */
export const developmentBankAccounts: Readonly<Record<string, string>> = {
  NL91ABNA0417164300: 'Anna de Vries',
  NL20INGB0001234567: 'Jan Jansen',
  NL44RABO0123456789: 'José van der Berg',
};

export function makeDevelopmentBankAccountCheck(
  accounts: Readonly<Record<string, string>> = developmentBankAccounts,
): BankAccountCheckProvider {
  return {
    async check({ iban, claimedName }) {
      const holder = accounts[normaliseIban(iban)];
      if (holder === undefined) return { kind: 'unknown_account' };
      const similarity = nameSimilarity(normaliseName(holder), normaliseName(claimedName));
      return similarity >= nameMatchThreshold ? { kind: 'match' } : { kind: 'mismatch' };
    },
  };
}

/** Without a real provider configured (production until one is wired): no bank can confirm, so no match. */
export const unavailableBankAccountCheck: BankAccountCheckProvider = {
  check: async () => ({ kind: 'unavailable' }),
};
