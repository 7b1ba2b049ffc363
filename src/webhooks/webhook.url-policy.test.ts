// Which webhook URLs are refused when private targets are not allowed.
import { describe, expect, it } from 'vitest';
import { resolveTarget, urlAllowed } from './webhook.url-policy.ts';

describe('urlAllowed', () => {
  it.each([
    ['https://hooks.example.com/rearguard', true],
    ['https://93.184.216.34/x', true],
    ['https://[2606:2800:220:1:248:1893:25c8:1946]/x', true],
    ['http://127.0.0.1:8080/x', false],
    ['http://10.1.2.3/x', false],
    ['http://192.168.1.1/x', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['http://[::1]/x', false],
    ['http://[::ffff:127.0.0.1]/x', false],
    ['http://[::127.0.0.1]/x', false],
    ['http://[64:ff9b::7f00:1]/x', false],
    ['http://[2002:7f00:1::]/x', false],
    ['http://[fe80::1]/x', false],
    ['http://0.0.0.0/x', false],
    ['http://2130706433/x', false],
    ['http://0x7f.1/x', false],
    ['http://localhost:3000/x', false],
    ['http://localhost./x', false],
    ['http://LOCALHOST../x', false],
    ['http://api.localhost/x', false],
    ['http://ip6-localhost/x', false],
    ['http://ip6-loopback/x', false],
    ['http://localhost.localdomain/x', false],
    ['http://printer.local/x', false],
    ['http://metadata.google.internal/x', false],
    ['http://intranet/x', false],
  ])('%s -> %s', (url, allowed) => {
    expect(urlAllowed(url, false)).toBe(allowed);
    expect(urlAllowed(url, true)).toBe(true);
  });
});

describe('resolveTarget', () => {
  it('returns the checked literal address and refuses private ones', async () => {
    expect(await resolveTarget('https://93.184.216.34/x', false)).toEqual({
      host: '93.184.216.34',
      address: '93.184.216.34',
      family: 4,
    });
    expect(await resolveTarget('http://127.0.0.1/x', false)).toBeNull();
    expect(await resolveTarget('http://127.0.0.1/x', true)).toMatchObject({ address: '127.0.0.1' });
  });
});
