// Which webhook URLs are refused when private targets are not allowed.
import { describe, expect, it } from 'vitest';
import { urlAllowed } from './webhook.url-policy.ts';

describe('urlAllowed', () => {
  it.each([
    ['https://hooks.example.com/rearguard', true],
    ['https://93.184.216.34/x', true],
    ['http://127.0.0.1:8080/x', false],
    ['http://10.1.2.3/x', false],
    ['http://192.168.1.1/x', false],
    ['http://169.254.169.254/latest/meta-data', false],
    ['http://[::1]/x', false],
    ['http://[::ffff:127.0.0.1]/x', false],
    ['http://localhost:3000/x', false],
    ['http://printer.local/x', false],
  ])('%s -> %s', (url, allowed) => {
    expect(urlAllowed(url, false)).toBe(allowed);
    expect(urlAllowed(url, true)).toBe(true);
  });
});
