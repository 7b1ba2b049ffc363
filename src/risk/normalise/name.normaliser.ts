// Name normalisation and similarity: diacritics folded, word order ignored, Jaro-Winkler for typos.
import { jaroWinkler } from '@skyra/jaro-winkler';
import { foldText } from './text.normaliser.ts';

export interface NormalisedName {
  /** Folded full name, e.g. "jose van der berg". */
  readonly full: string;
  /** Words sorted, so "Berg, José van der" and "José van der Berg" share a key. */
  readonly sortedKey: string;
  /** Last word: the family name for the Dutch/English order of names. */
  readonly surname: string;
  /** First word when there is more than one meaningful word ("anna" in "Anna de Vries"); '' otherwise. */
  readonly givenName: string;
}

/** Common name particles; skipped when picking a surname so "van der Berg" yields "berg". */
const particles = new Set(['van', 'der', 'den', 'de', 'het', 'ter', 'ten', 'te', 'la', 'le', 'du', 'von', 'da', 'di']);

export function normaliseName(raw: string): NormalisedName {
  const full = foldText(raw);
  const words = full.split(' ').filter((word) => word.length > 0);
  const sortedKey = [...words].sort().join(' ');
  const meaningful = words.filter((word) => !particles.has(word));
  const surname = meaningful[meaningful.length - 1] ?? words[words.length - 1] ?? '';
  const givenName = meaningful.length > 1 ? (meaningful[0] ?? '') : '';
  return { full, sortedKey, surname, givenName };
}

/** Similarity in [0, 1]: the best of a straight and a word-order-free Jaro-Winkler comparison. */
export function nameSimilarity(left: NormalisedName, right: NormalisedName): number {
  if (left.full.length === 0 || right.full.length === 0) return 0;
  if (left.full === right.full || left.sortedKey === right.sortedKey) return 1;
  const whole = Math.max(jaroWinkler(left.full, right.full), jaroWinkler(left.sortedKey, right.sortedKey));
  // A shared first name lifts Jaro-Winkler a lot ("Noah de Vries" ~ "Noah Mulder"); different surnames are different people.
  const surname = jaroWinkler(left.surname, right.surname);
  if (surname < 0.8) return Math.min(whole, surname);
  // A shared surname lifts it just as much ("Jan de Vries" ~ "Anna de Vries"): family members are different people.
  const given = givenNameSimilarity(left.givenName, right.givenName);
  return given < 0.8 ? Math.min(whole, given) : whole;
}

/** 1 when either is unknown or one is the other's initial ("J." for "Jan"); Jaro-Winkler otherwise. */
function givenNameSimilarity(left: string, right: string): number {
  if (left.length === 0 || right.length === 0) return 1;
  const initial = (short: string, long: string) =>
    short.replace(/\./g, '').length === 1 && long.startsWith(short[0] ?? '');
  if (initial(left, right) || initial(right, left)) return 1;
  return jaroWinkler(left, right);
}

/** Does an e-mail local part look like it was made from this name ("jan.jansen85" for Jan Jansen)? */
export function emailResemblesName(localPart: string, name: NormalisedName): boolean {
  const letters = localPart.toLowerCase().replace(/[^a-z]/g, '');
  if (letters.length < 3 || name.surname.length < 3) return false;
  if (letters.includes(name.surname)) return true;
  const firstWord = name.full.split(' ')[0] ?? '';
  return firstWord.length >= 3 && letters.includes(firstWord);
}
