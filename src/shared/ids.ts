// The Ids port: prefixed, sortable, unguessable identifiers (ses_..., ord_...).
import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'mer'
  | 'acc'
  | 'chn'
  | 'ses'
  | 'dec'
  | 'ord'
  | 'inv'
  | 'pay'
  | 'lbl'
  | 'key'
  | 'out'
  | 'chl'
  | 'clm'
  | 'cas'
  | 'whk'
  | 'pky'
  | 'ntc'
  | 'rul'
  | 'mdl'
  | 'lst'
  | 'alr'
  | 'era'
  | 'cse'
  | 'cmt'
  | 'sgn'
  | 'vrf'
  | 'wac'
  | 'evt'
  | 'whd'
  | 'pyo'
  | 'flg'
  | 'aud'
  | 'ipm';

export interface Ids {
  next(prefix: IdPrefix): string;
}

/** Time-ordered (48-bit ms) plus 80 random bits, base32 (Crockford) like a ULID. */
export function makeIds(now: () => number = Date.now): Ids {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  return {
    next(prefix) {
      let time = now();
      let timePart = '';
      for (let index = 0; index < 10; index++) {
        timePart = alphabet[time % 32] + timePart;
        time = Math.floor(time / 32);
      }
      const random = randomBytes(16);
      let randomPart = '';
      for (let index = 0; index < 16; index++) randomPart += alphabet[random[index]! % 32];
      return `${prefix}_${timePart}${randomPart}`;
    },
  };
}
