// The Ids port: prefixed, sortable, unguessable identifiers (ses_..., ord_...).
import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'mer'
  | 'bid'
  | 'vpm'
  | 'bsc'
  | 'acc'
  | 'sub'
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
  | 'chc'
  | 'ltr'
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
  | 'ipm'
  | 'cap'
  | 'rfd'
  | 'shp'
  | 'car'
  | 'cev'
  | 'oev'
  | 'rvw'
  | 'stf'
  | 'sen'
  | 'ssn'
  | 'apr'
  | 'dct'
  | 'lev'
  | 'arl'
  | 'rst';

export interface Ids {
  next(prefix: IdPrefix): string;
}

/** Time-ordered (48-bit ms) plus 80 random bits, base32 (Crockford) like a ULID. */
export function makeIds(now: () => number = Date.now): Ids {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  // One call to the CSPRNG per 256 ids instead of one per id: imports make hundreds of thousands of them.
  let pool = randomBytes(4096);
  let offset = pool.length;
  return {
    next(prefix) {
      let time = now();
      let timePart = '';
      for (let index = 0; index < 10; index++) {
        timePart = alphabet[time % 32] + timePart;
        time = Math.floor(time / 32);
      }
      if (offset + 16 > pool.length) {
        pool = randomBytes(4096);
        offset = 0;
      }
      let randomPart = '';
      for (let index = 0; index < 16; index++) randomPart += alphabet[pool[offset + index]! % 32];
      offset += 16;
      return `${prefix}_${timePart}${randomPart}`;
    },
  };
}
