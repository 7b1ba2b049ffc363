// What kind of network and software the purchase came from: IP kind and version, user-agent family.
import ipaddr from 'ipaddr.js';
import { UAParser } from 'ua-parser-js';
import { defineFamily } from './feature.family.ts';

export const ipKinds = ['none', 'invalid', 'public', 'carrier_nat', 'private', 'reserved'] as const;
export type IpKind = (typeof ipKinds)[number];

/**
 * Carrier NAT (100.64.0.0/10) is shared by thousands of mobile subscribers, and private or documentation ranges
 * are leaked by proxies and test setups: none of them says anything about one person, so they are kinds of
 * their own rather than "foreign" or "unknown country".
 */
export function ipKind(ip: string | null): IpKind {
  if (ip === null) return 'none';
  if (!ipaddr.isValid(ip)) return 'invalid';
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  const range = address.range();
  if (range === 'unicast') return 'public';
  if (range === 'carrierGradeNat') return 'carrier_nat';
  if (range === 'private' || range === 'uniqueLocal' || range === 'linkLocal' || range === 'loopback') return 'private';
  return 'reserved';
}

export function ipVersion(ip: string | null): 4 | 6 | null {
  if (ip === null || !ipaddr.isValid(ip)) return null;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) return 4;
  return address.kind() === 'ipv4' ? 4 : 6;
}

export interface UserAgentFamily {
  readonly browser: string | null;
  readonly os: string | null;
  /** mobile, tablet, ... as the parser names it; desktop when it names none but knows the OS. */
  readonly deviceType: string | null;
}

/** Parsed user agents repeat endlessly (one per browser build); a bounded cache spares the regex work. */
const userAgentCache = new Map<string, UserAgentFamily>();

export function userAgentFamily(userAgent: string | undefined): UserAgentFamily {
  if (userAgent === undefined || userAgent.trim() === '') return { browser: null, os: null, deviceType: null };
  let family = userAgentCache.get(userAgent);
  if (family === undefined) {
    const result = new UAParser(userAgent).getResult();
    const os = result.os.name ?? null;
    family = {
      browser: result.browser.name ?? null,
      os,
      deviceType: result.device.type ?? (os === null ? null : 'desktop'),
    };
    if (userAgentCache.size > 10_000) userAgentCache.clear();
    userAgentCache.set(userAgent, family);
  }
  return family;
}

export const networkFeatures = defineFamily(
  'device',
  (context) => ({
    ip: context.claim.ip,
    userAgent: userAgentFamily(context.input.session.device?.user_agent),
  }),
  [
    {
      name: 'ip_kind',
      type: 'string',
      meaning:
        'What the IP is: none (not sent), invalid, public, carrier_nat (100.64.0.0/10, shared by many subscribers), private or reserved (documentation, test and other special ranges).',
      compute: (p) => ipKind(p.ip),
    },
    {
      name: 'ip_version',
      type: 'number',
      meaning: 'IP version, 4 or 6 (IPv4-mapped IPv6 counts as 4); missing without a valid IP.',
      compute: (p) => ipVersion(p.ip),
    },
    {
      name: 'user_agent_browser',
      type: 'string',
      meaning: 'Browser family from the user agent (ua-parser-js), e.g. Chrome, Mobile Safari, Firefox.',
      compute: (p) => p.userAgent.browser,
    },
    {
      name: 'user_agent_os',
      type: 'string',
      meaning: 'Operating system family from the user agent, e.g. iOS, Android, Windows, Mac OS.',
      compute: (p) => p.userAgent.os,
    },
    {
      name: 'user_agent_device_type',
      type: 'string',
      meaning: 'Device type from the user agent: mobile, tablet, desktop (an OS but no device type), ...',
      compute: (p) => p.userAgent.deviceType,
    },
  ],
);
