// Serves the checkout widget: the embeddable script and the hosted challenge page (framework-free, no build step).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { escapeHtml } from '../notify/html.page.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { allowedOriginsOfChallenge } from './allowed-origins.ts';
import { languages } from '../i18n/format.ts';
import { renderChallengePage, widgetLanguage } from './widget.page.ts';

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

/**
 * The challenge page may be framed only by the merchant's registered origins (frame-ancestors), runs only its own
 * script and talks only to this origin; the client token stays in the URL fragment, never sent to a server.
 */
const pageSecurity = (frameAncestors: readonly string[]) => ({
  'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors ${
    frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"
  }; base-uri 'none'; form-action 'none'`,
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});
const challengePageQuery = z.object({
  id: z.string().max(100).optional(),
  origin: z.string().max(300).optional(),
  lang: z.enum(languages).optional().describe("The merchant's language choice; else the browser's, else Dutch"),
  theme: z.string().max(1000).optional().describe('Theme variables: name:value pairs separated by ";"'),
});
const scriptHeaders = { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' };

export function widgetRoutes(dependencies: { database: SqlExecutor }) {
  const files = {
    script: asset('rearguard.js'),
    page: asset('challenge.html'),
    pageScript: asset('challenge.js'),
    proofReturn: asset('proof-return.js'),
  };
  const common = { method: 'GET' as const, tags: ['widget'], auth: 'none' as const };
  return [
    defineRoute({
      ...common,
      url: '/widget/rearguard.js',
      summary:
        'The embeddable widget script: Rearguard.mountChallenge({element, challengeId, clientToken, onResult, lang, theme})',
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
      handler: async () => ({
        status: 200,
        contentType: 'text/javascript; charset=utf-8',
        headers: scriptHeaders,
        body: files.script,
      }),
    }),
    defineRoute({
      ...common,
      url: '/widget/challenge',
      summary:
        'The hosted challenge page (?id=chl_...&origin=<merchant origin>&lang=nl|en&theme=...#token=<client_token>)',
      query: challengePageQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ query, request }) => {
        const allowed = /^chl_[0-9a-z]{1,40}$/.test(query.id ?? '')
          ? await allowedOriginsOfChallenge(dependencies.database, query.id!)
          : [];
        // The page posts its result only to an origin the merchant registered; any other gets nothing.
        const parentOrigin = query.origin !== undefined && allowed.includes(query.origin) ? query.origin : '';
        const language = widgetLanguage(query.lang, request.headers['accept-language']);
        return {
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: {
            ...pageSecurity(allowed),
            'content-language': language,
          },
          body: renderChallengePage(files.page, language, query.theme).replace(
            '<html',
            `<html data-parent-origin="${escapeHtml(parentOrigin)}"`,
          ),
        };
      },
    }),
    defineRoute({
      ...common,
      url: '/widget/challenge.js',
      summary: "The challenge page's script",
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
      handler: async () => ({
        status: 200,
        contentType: 'text/javascript; charset=utf-8',
        headers: scriptHeaders,
        body: files.pageScript,
      }),
    }),
    defineRoute({
      ...common,
      url: '/widget/proof-return.js',
      summary: "The bank return page's script: tells the waiting challenge page and closes the popup",
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
      handler: async () => ({
        status: 200,
        contentType: 'text/javascript; charset=utf-8',
        headers: scriptHeaders,
        body: files.proofReturn,
      }),
    }),
  ];
}
