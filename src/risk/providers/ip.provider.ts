// Offline IP intelligence: private and reserved ranges with ipaddr.js, country from the shipped GeoLite2 data.
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import type { Provider } from './provider.ts';

export interface IpSignals {
  readonly valid: boolean;
  /** ipaddr.js range name: unicast for ordinary public addresses; private, loopback, reserved, ... otherwise. */
  readonly range: string;
  readonly isPublic: boolean;
  readonly version: 4 | 6 | null;
  readonly country: string | null;
}

interface GeoIpCountry {
  lookup(ip: string): { readonly country: string } | null;
}

/** geoip-country ships no types and is CommonJS; it loads its database once, on first use. */
let geoip: GeoIpCountry | undefined;
function geoipCountry(): GeoIpCountry {
  geoip ??= createRequire(import.meta.url)('geoip-country') as GeoIpCountry;
  return geoip;
}

export function makeIpProvider(): Provider<string, IpSignals> {
  return {
    name: 'ip_offline',
    cacheKey: (ip) => ip,
    lookup(ip) {
      if (!ipaddr.isValid(ip)) return { valid: false, range: 'invalid', isPublic: false, version: null, country: null };
      let address = ipaddr.parse(ip);
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
        address = (address as ipaddr.IPv6).toIPv4Address();
      const range = address.range();
      const isPublic = range === 'unicast';
      return {
        valid: true,
        range,
        isPublic,
        version: address.kind() === 'ipv4' ? 4 : 6,
        country: isPublic ? (geoipCountry().lookup(address.toString())?.country ?? null) : null,
      };
    },
  };
}
