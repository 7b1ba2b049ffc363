// The "This was not me" link: GET shows a confirmation page (mail scanners may fetch it), POST records, once.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import {
  consumerPages,
  escapeHtml,
  invalidLinkPage,
  orderSummaryHtml,
  pageLanguageQuery,
  type ConsumerPages,
} from './html.page.ts';
import type { NoticeReport, NoticeView, OrderNoticeService } from './order-notice.service.ts';

const params = z.object({ token: z.string().regex(/^ntc_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a notice link token') });

function confirmPage(pages: ConsumerPages, view: Extract<NoticeView, { kind: 'open' | 'used' }>) {
  const { page, write } = pages;
  const summary = orderSummaryHtml(pages, view);
  if (view.kind === 'used') {
    const title = write('notice.used.title');
    return page(200, title, `<h1>${title}</h1>${summary}<p class="done">${write('notice.used.body')}</p>`);
  }
  const title = write('notice.open.title');
  return page(
    200,
    title,
    `<h1>${title}</h1>${summary}<p>${write('notice.open.body')}</p>
     <form method="post" enctype="text/plain"><button type="submit" id="not-me">${write('notice.open.button')}</button></form>`,
  );
}

function reportPage(pages: ConsumerPages, report: NoticeReport) {
  const { page, write } = pages;
  if (report.kind === 'invalid') return invalidLinkPage(pages);
  if (report.kind === 'already_used') {
    const title = write('notice.used.title');
    return page(409, title, `<h1>${title}</h1><p class="done">${write('notice.alreadyUsed.body')}</p>`);
  }
  const title = write('notice.recorded.title');
  return page(
    200,
    title,
    `<h1>${title}</h1><p class="done">${write('notice.recorded.body', { claimId: escapeHtml(report.claimId) })}</p>`,
  );
}

export function orderNoticeRoutes(notices: OrderNoticeService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/notices/:token',
      summary: '"Was this you?" link: a page that shows the order and asks to confirm "This was not me"',
      tags: ['notices'],
      auth: 'none',
      params,
      query: pageLanguageQuery,
      responses: {
        200: {
          description: 'HTML confirmation page (Dutch unless ?lang=en or the browser prefers English)',
          contentType: 'text/html',
        },
        404: { description: 'Invalid link' },
      },
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        const view = await notices.show(params.token);
        return view.kind === 'invalid' ? invalidLinkPage(pages) : confirmPage(pages, view);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/notices/:token',
      summary: '"This was not me": files a not_mine claim (invoice paused, merchant told to hold the shipment), once',
      tags: ['notices'],
      auth: 'none',
      idempotent: true,
      params,
      query: pageLanguageQuery,
      responses: {
        200: { description: 'Recorded', contentType: 'text/html' },
        404: { description: 'Invalid link' },
        409: { description: 'Already used' },
      },
      handler: async ({ params, query, request }) =>
        reportPage(consumerPages(request, query.lang), await notices.reportNotMine(params.token)),
    }),
  ];
}
