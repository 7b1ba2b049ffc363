// Privacy routes for the signed-in consumer: the export of everything held about them (GDPR Art. 15).
import { z } from 'zod';
import { defineRoute, type Consumer } from '../http/route.ts';
import type { ExportService } from './export.service.ts';
import { chooseLanguage } from '../i18n/format.ts';
import { consumerPages, pageLanguageQuery } from '../notify/html.page.ts';
import { exportPage, exportPageStyle } from './export.page.ts';

const exportSchema = z
  .object({
    generated_at: z.string(),
    account: z.object({ id: z.string() }).loose(),
    not_included: z.array(z.object({ what: z.string(), why: z.string() })),
  })
  .loose()
  .describe(
    'Every section: account, channels, passkeys, sign-ins, portal sessions, proofs, bank identity, purchases, invoices, decisions (with reasons), claims, cases, order notices, messages sent, devices, addresses, disowned entries',
  );

export function privacyRoutes(exports: ExportService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/me/export',
      summary: 'Everything held about the signed-in person, as one JSON document (right of access)',
      tags: ['portal'],
      auth: 'consumer',
      responses: { 200: { description: 'The export', schema: exportSchema } },
      handler: async ({ consumer }) => ({
        status: 200,
        body: await exports.exportFor((consumer as Consumer).accountId),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/me/export/page',
      summary: 'The same export as a readable, printable page in your language, with a link to the JSON',
      tags: ['portal'],
      auth: 'consumer',
      query: pageLanguageQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ consumer, query, request }) => {
        const accountId = (consumer as Consumer).accountId;
        const document = await exports.exportFor(accountId, request.headers['accept-language']);
        // The account's chosen language wins, as in the portal; then ?lang=, then the browser's.
        const chosen =
          document.account.language === 'nl' || document.account.language === 'en'
            ? document.account.language
            : undefined;
        const { page, write, language } = consumerPages(
          request,
          query.lang ?? chosen ?? chooseLanguage(null, request.headers['accept-language']),
        );
        return page(200, write('export.title'), `<style>${exportPageStyle}</style>${exportPage(document, language)}`);
      },
    }),
  ];
}
