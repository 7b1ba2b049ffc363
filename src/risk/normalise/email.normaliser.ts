// E-mail normalisation: one mailbox, one key, whatever case, dots or plus-tags the shopper typed.

export interface NormalisedEmail {
  /** The mailbox key used by indexes and lists. */
  readonly key: string;
  readonly localPart: string;
  readonly domain: string;
  readonly hadPlusTag: boolean;
}

/** Providers that ignore dots in the local part, so "j.doe" and "jdoe" are one mailbox. */
const dotInsensitiveDomains = new Map<string, string>([
  ['gmail.com', 'gmail.com'],
  ['googlemail.com', 'gmail.com'],
]);

const syntax = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(raw: string): NormalisedEmail | null {
  const trimmed = raw.trim().toLowerCase();
  if (!syntax.test(trimmed)) return null;
  const at = trimmed.lastIndexOf('@');
  let localPart = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1).replace(/\.$/, '');
  const plus = localPart.indexOf('+');
  const hadPlusTag = plus > 0;
  if (hadPlusTag) localPart = localPart.slice(0, plus);
  const canonicalDomain = dotInsensitiveDomains.get(domain);
  if (canonicalDomain !== undefined) {
    domain = canonicalDomain;
    localPart = localPart.replaceAll('.', '');
  }
  return { key: `${localPart}@${domain}`, localPart, domain, hadPlusTag };
}
