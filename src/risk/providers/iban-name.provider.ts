// The IBAN-name check (confirmation of payee): is this IBAN held by the claimed name? A SIGNAL, never a proof —
// an IBAN is printed on every invoice, so knowing one proves nothing; a mismatch raises risk, a match approves nothing.
import { nameSimilarity, normaliseName } from '../normalise/name.normaliser.ts';
import { normaliseIban } from '../normalise/iban.normaliser.ts';
import type { Provider } from './provider.ts';

export interface IbanNameQuery {
  readonly iban: string;
  readonly name: string;
}

export interface IbanNameSignals {
  readonly result: 'match' | 'mismatch' | 'unknown_account';
}

/** Names match like a bank's confirmation-of-payee: diacritics and word order ignored, small typos tolerated. */
export const nameMatchThreshold = 0.92;

/** Test IBANs and their holders for development and tests; a live adapter asks a confirmation-of-payee service. */
export const developmentBankAccounts: Readonly<Record<string, string>> = {
  NL91ABNA0417164300: 'Anna de Vries',
  NL20INGB0001234567: 'Jan Jansen',
  NL44RABO0123456789: 'José van der Berg',
  NL69INGB0123456789: 'Mallory Mulder',
};

export function makeDevelopmentIbanNameProvider(
  accounts: Readonly<Record<string, string>> = developmentBankAccounts,
): Provider<IbanNameQuery, IbanNameSignals> {
  return {
    name: 'iban_name_development',
    cacheKey: ({ iban, name }) => `${iban}\u0000${name}`,
    lookup({ iban, name }) {
      const holder = accounts[normaliseIban(iban) ?? ''];
      if (holder === undefined) return { result: 'unknown_account' };
      const similarity = nameSimilarity(normaliseName(holder), normaliseName(name));
      return { result: similarity >= nameMatchThreshold ? 'match' : 'mismatch' };
    },
  };
}
