// Block and allow lists as the engine reads them: a port the storage layer implements over its list table.
import type { NormalisedSession } from '../normalise/session.normaliser.ts';

export const listKinds = ['email', 'phone', 'device', 'address', 'ip'] as const;
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
  return entries;
}

/** Allow lists only vouch for things the shopper cannot simply type: a device or IP, never an e-mail or phone. */
export const allowListKinds: readonly ListKind[] = ['device', 'ip'];
