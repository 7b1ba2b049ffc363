// Where webhooks may go: public hosts only, unless private ones are allowed (development, tests), so a merchant cannot aim us at our own network.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Names that resolve inside a host or a private network (with or without a trailing dot). */
const privateHostNames =
  /(^|\.)(localhost|local|internal|localdomain|home\.arpa|lan|intranet|corp|private|test|invalid|example)$|^ip6-|^ip-/i;
const globalUnicastV6 = ipaddr.parseCIDR('2000::/3');

/** Public unicast only: IPv4 outside every special range, IPv6 in 2000::/3 without an embedded IPv4 (6to4, NAT64). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || parsed.match(globalUnicastV6);
}

function hostOf(url: string): string {
  return new URL(url).hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
}

/** Checks the URL as written: literal private addresses, local and single-label host names are refused. */
export function urlAllowed(url: string, allowPrivate: boolean): boolean {
  if (allowPrivate) return true;
  let host: string;
  try {
    host = hostOf(url);
  } catch {
    return false;
  }
  if (ipaddr.isValid(host)) return isPublicAddress(host);
  return host.includes('.') && !privateHostNames.test(host);
}

export interface ResolvedTarget {
  readonly host: string;
  /** The address that was checked; the connection goes to it, never to a second lookup. */
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Resolves the URL's host once, just before delivery (a public name may point inside later), and returns the
 * checked address to connect to; null when the name is refused or any of its addresses is not public.
 */
export async function resolveTarget(url: string, allowPrivate: boolean): Promise<ResolvedTarget | null> {
  if (!urlAllowed(url, allowPrivate)) return null;
  const host = hostOf(url);
  if (ipaddr.isValid(host)) return { host, address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 };
  const addresses = await lookup(host, { all: true });
  if (addresses.length === 0) return null;
  if (!allowPrivate && !addresses.every((entry) => isPublicAddress(entry.address))) return null;
  const first = addresses[0]!;
  return { host, address: first.address, family: first.family === 6 ? 6 : 4 };
}
