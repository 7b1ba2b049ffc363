// Names a device as people know it ("iPhone, Safari", "Windows, Chrome") from its user-agent string.
import { UAParser } from 'ua-parser-js';

/** The parser's operating-system names, as their makers write them today. */
const systemNames: Record<string, string> = { 'Mac OS': 'macOS', 'Chromium OS': 'ChromeOS' };
/** Apple's own devices are known by the product name; other phones by maker and system ("Samsung Android"). */
const appleProducts = new Set(['iPhone', 'iPad', 'iPod touch']);

export function deviceName(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const { browser, os, device } = new UAParser(userAgent).getResult();
  const system = os.name ? (systemNames[os.name] ?? os.name) : undefined;
  const platform =
    device.model && appleProducts.has(device.model)
      ? device.model
      : device.vendor && (device.type === 'mobile' || device.type === 'tablet') && system
        ? `${device.vendor} ${system}`
        : system;
  // "Mobile Safari" is Safari to the person holding the phone.
  const browserName = browser.name?.replace(/^Mobile /, '');
  const parts = [platform, browserName].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join(', ') : null;
}
