// Where webhooks may go: public hosts only, unless private ones are allowed (development, tests), so a merchant cannot aim us at our own network.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

const privateHostNames = /(^|\.)(localhost|local|internal|localdomain)$/i;

function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'unicast';
}

/** Checks the URL as written: literal private addresses and local host names are refused. */
export function urlAllowed(url: string, allowPrivate: boolean): boolean {
  if (allowPrivate) return true;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return isPublicAddress(host);
  return !privateHostNames.test(host);
}

/** Checks where the name resolves to now, just before delivery (a public name may point inside later). */
export async function resolvesToPublic(url: string, allowPrivate: boolean): Promise<boolean> {
  if (allowPrivate) return true;
  if (!urlAllowed(url, false)) return false;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return true;
  const addresses = await lookup(host, { all: true });
  return addresses.length > 0 && addresses.every((entry) => isPublicAddress(entry.address));
}
