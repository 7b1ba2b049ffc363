// Block and allow lists as the engine reads them: a port the storage layer implements over its list table.
import { isIP } from 'node:net';
import type { Address } from '../../checkout/session.schema.ts';
import { normaliseAddress } from '../normalise/address.normaliser.ts';
import { normaliseEmail } from '../normalise/email.normaliser.ts';
import { phoneKey } from '../normalise/phone.normaliser.ts';
import { normaliseIban } from '../normalise/iban.normaliser.ts';
import type { NormalisedSession } from '../normalise/session.normaliser.ts';

export const listKinds = ['email', 'phone', 'device', 'address', 'ip', 'iban'] as const;
export type ListKind = (typeof listKinds)[number];

/**
 * Values are normalised the way the engine normalises them (e-mail key, E.164 phone, address key, device id,
 * lower-case IP); `normaliseListValue` gives the storage layer the same function when an entry is added.
 */
export interface ListView {
  has(kind: ListKind, normalisedValue: string): boolean;
}

export interface Lists {
  readonly block: ListView;
  readonly allow: ListView;
}

export const emptyList: ListView = { has: () => false };
export const noLists: Lists = { block: emptyList, allow: emptyList };

export function makeMemoryListView(entries: Iterable<readonly [ListKind, string]>): ListView {
  const keys = new Set<string>();
  for (const [kind, value] of entries) keys.add(`${kind}\u0000${value}`);
  return { has: (kind, value) => keys.has(`${kind}\u0000${value}`) };
}

/** The session's entities as list lookups: which kind, which value. */
export function listEntries(claim: NormalisedSession): [ListKind, string][] {
  const entries: [ListKind, string][] = [];
  if (claim.emailKey !== null) entries.push(['email', claim.emailKey]);
  if (claim.phoneKey !== null) entries.push(['phone', claim.phoneKey]);
  if (claim.deviceKey !== null) entries.push(['device', claim.deviceKey]);
  entries.push(['address', claim.billing.key]);
  if (claim.shipping.key !== claim.billing.key) entries.push(['address', claim.shipping.key]);
  if (claim.ip !== null) entries.push(['ip', claim.ip]);
  if (claim.ibanKey !== null) entries.push(['iban', claim.ibanKey]);
  return entries;
}

/** Allow lists only vouch for things the shopper cannot simply type: a device or IP, never an e-mail or phone. */
export const allowListKinds: readonly ListKind[] = ['device', 'ip'];

/** For the storage layer: normalise a list entry the way the engine normalises the session it is checked against. */
export function normaliseListValue(kind: ListKind, raw: string, country = 'NL'): string | null {
  switch (kind) {
    case 'email':
      return normaliseEmail(raw)?.key ?? null;
    case 'phone':
      return phoneKey(raw);
    case 'device':
      return raw.trim() || null;
    case 'ip': {
      // Only an address can ever match a checkout's IP: anything else on the list would be a silent no-op.
      const ip = raw.trim().toLowerCase();
      return isIP(ip) === 0 ? null : ip;
    }
    case 'iban':
      return normaliseIban(raw);
    case 'address':
      // Addresses arrive as their parts; a raw value here is taken to be an address key already ("NL|1012LG|12|A").
      return raw.includes('|') ? raw : `${country}|${raw}`;
  }
}

export function addressListValue(address: Address): string {
  return normaliseAddress(address).key;
}
