// DEVELOPMENT ONLY (`rearguard start --demo`): a pretend bank where you pick a demo person instead of logging in.
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { escapeHtml, htmlPage } from '../../notify/html.page.ts';
import { sameHash, signToken } from '../otp.codes.ts';
import type { BankIdentity, BankIdentityProvider } from './bank-identity.provider.ts';

/** The demo bank's customers: Anna is the seeded demo customer; Mallory is who an attacker would log in as. */
export const developmentBankPeople: readonly BankIdentity[] = [
  {
    subject: 'demo-bank#anna',
    name: 'Anna de Vries',
    dateOfBirth: '1985-03-02',
    address: { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' },
  },
  {
    subject: 'demo-bank#jan',
    name: 'Jan Jansen',
    dateOfBirth: '1970-06-15',
    address: { street: 'Dorpsstraat', house_number: '12', postal_code: '3511AB', city: 'Utrecht', country: 'NL' },
  },
  {
    subject: 'demo-bank#mallory',
    name: 'Mallory Mulder',
    dateOfBirth: '1999-01-01',
    address: { street: 'Industrieweg', house_number: '99', postal_code: '3044AS', city: 'Rotterdam', country: 'NL' },
  },
];

export function makeDevelopmentBankIdentity(settings: {
  readonly publicUrl: string;
  readonly redirectUrl: string;
  readonly secret: string;
}): { provider: BankIdentityProvider; routes: ReturnType<typeof defineRoute>[] } {
  const codeFor = (state: string, index: number) =>
    `${index}.${signToken(settings.secret, 'demo-bank-code', `${state}:${index}`)}`;

  const provider: BankIdentityProvider = {
    async begin({ state }) {
      return { url: `${settings.publicUrl}/demo-bank/login?state=${encodeURIComponent(state)}`, flow: {} };
    },
    async complete({ callbackUrl, state }) {
      const code = callbackUrl.searchParams.get('code') ?? '';
      const index = Number(code.split('.')[0]);
      const person = developmentBankPeople[index];
      if (!person || !sameHash(code, codeFor(state, index))) return { kind: 'refused', reason: 'invalid_grant' };
      return { kind: 'identified', identity: person };
    },
  };

  const routes = [
    defineRoute({
      method: 'GET',
      url: '/demo-bank/login',
      summary: 'DEVELOPMENT ONLY (--demo): the pretend bank; pick a demo person to be identified as',
      tags: ['development'],
      auth: 'none',
      query: z.object({ state: z.string().min(1).max(200) }),
      responses: { 200: { description: 'HTML' } },
      handler: async ({ query }) => {
        const links = developmentBankPeople
          .map((person, index) => {
            const target = new URL(settings.redirectUrl);
            target.searchParams.set('code', codeFor(query.state, index));
            target.searchParams.set('state', query.state);
            return `<li><a id="demo-person-${index}" href="${escapeHtml(target.href)}">${escapeHtml(person.name)}</a></li>`;
          })
          .join('');
        return {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'cache-control': 'no-store' },
          body: htmlPage(
            'Development bank',
            `<h1>Development bank — not a real bank</h1><p>This page exists only when Rearguard runs with <code>--demo</code>. Pick who you are at this pretend bank:</p><ul>${links}</ul>`,
          ),
        };
      },
    }),
  ];
  return { provider, routes };
}
