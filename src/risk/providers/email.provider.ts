// Offline e-mail intelligence: syntax, disposable domains (maintained list), free-mail versus company domains.
import { disposableEmailBlocklistSet } from 'disposable-email-domains-js';
import freeMailDomains from 'email-providers/all.json' with { type: 'json' };
import { normaliseEmail } from '../normalise/email.normaliser.ts';
import type { Provider } from './provider.ts';

export interface EmailSignals {
  readonly syntaxValid: boolean;
  readonly disposable: boolean;
  readonly freeMail: boolean;
  readonly domain: string | null;
  readonly localPartDigits: number;
  readonly localPartLength: number;
}

/**
 * Dutch ISP and consumer mail domains the package's list misses (broadband subscribers get a mailbox with
 * their connection): consumer mail, not company domains. A company domain is anything not free and not disposable.
 */
const extraFreeMail = [
  'ziggo.nl',
  'kpnmail.nl',
  'kpnplanet.nl',
  'xs4all.nl',
  'planet.nl',
  'hetnet.nl',
  'home.nl',
  'telfort.nl',
  'online.nl',
  'chello.nl',
  'zeelandnet.nl',
  'upcmail.nl',
  'casema.nl',
  'quicknet.nl',
  'tele2.nl',
  'caiway.nl',
  'solcon.nl',
  'kabelfoon.nl',
  'hccnet.nl',
  'wxs.nl',
];

export function makeEmailProvider(): Provider<string, EmailSignals> {
  const disposable = disposableEmailBlocklistSet();
  const freeMail = new Set<string>([...(freeMailDomains as string[]), ...extraFreeMail]);
  return {
    name: 'email_offline',
    cacheKey: (raw) => raw.trim().toLowerCase(),
    lookup(raw) {
      const email = normaliseEmail(raw);
      if (email === null)
        return {
          syntaxValid: false,
          disposable: false,
          freeMail: false,
          domain: null,
          localPartDigits: 0,
          localPartLength: 0,
        };
      const isDisposable = disposable.has(email.domain);
      return {
        syntaxValid: true,
        disposable: isDisposable,
        freeMail: !isDisposable && freeMail.has(email.domain),
        domain: email.domain,
        localPartDigits: email.localPart.replace(/\D/g, '').length,
        localPartLength: email.localPart.length,
      };
    },
  };
}
