// The "not me" page of a sign-in code message or a security notice: says what will happen, then acts on one click.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { consumerPages, invalidLinkPage, pageLanguageQuery } from '../notify/html.page.ts';
import type { SecurityReportService } from './security-report.service.ts';

const params = z.object({
  token: z.string().regex(/^(sgn|acc)_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a security report link token'),
});
const common = {
  url: '/security-report/:token',
  tags: ['consumer'],
  auth: 'none' as const,
  params,
  query: pageLanguageQuery,
  responses: { 200: { description: 'HTML', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
};

export function securityReportRoutes(reports: SecurityReportService) {
  return [
    defineRoute({
      ...common,
      method: 'GET',
      summary: 'Report a sign-in or security change you did not make: what will happen, and the button',
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        if (!reports.isValid(params.token)) return invalidLinkPage(pages);
        const { page, write } = pages;
        return page(
          200,
          write('securityReport.open.title'),
          `<h1>${write('securityReport.open.title')}</h1><p>${write('securityReport.open.body')}</p>
           <p>${write('securityReport.open.never')}</p>
           <form method="post" enctype="text/plain"><button type="submit" id="report">${write('securityReport.open.button')}</button></form>`,
        );
      },
    }),
    defineRoute({
      ...common,
      method: 'POST',
      summary: 'Report a sign-in or security change you did not make: the code is spent and every portal session ends',
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        const outcome = await reports.report(params.token);
        if (outcome.kind === 'invalid') return invalidLinkPage(pages);
        const { page, write } = pages;
        return page(
          200,
          write('securityReport.done.title'),
          `<h1>${write('securityReport.done.title')}</h1><p class="done">${write('securityReport.done.body')}</p>
           <p>${write('securityReport.done.next')}</p><p><a href="/portal/">${write('securityReport.done.portal')}</a></p>`,
        );
      },
    }),
  ];
}
