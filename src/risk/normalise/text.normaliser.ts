// Shared text folding: diacritics, case and punctuation, so "Ünal-Öztürk" and "unal ozturk" compare equal.

const combiningMarks = /[\u0300-\u036f]/g;
const specialLetters: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', ı: 'i' };
const specialLetterPattern = /[ßæøœłđı]/g;

/** Lower case, diacritics removed, every run of non-alphanumerics turned into one space. */
export function foldText(value: string): string {
  return value
    .normalize('NFD')
    .replace(combiningMarks, '')
    .toLowerCase()
    .replace(specialLetterPattern, (letter) => specialLetters[letter] ?? letter)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** A stable 32-bit FNV-1a hash: lets the state remember "which names were seen" without keeping the names. */
export function hashText(value: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
