// The "This was not me" link: GET shows a confirmation page (mail scanners may fetch it), POST records, once.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { escapeHtml, htmlPage } from './html.page.ts';
import type { NoticeReport, NoticeView, OrderNoticeService } from './order-notice.service.ts';

const params = z.object({ token: z.string().regex(/^ntc_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a notice link token') });

const html = (status: number, title: string, body: string) => ({
  status,
  contentType: 'text/html; charset=utf-8',
  headers: { 'cache-control': 'no-store' },
  body: htmlPage(title, body),
});

const invalidPage = () =>
  html(
    404,
    'Link not valid',
    '<h1>This link is not valid</h1><p>Open the link from the message exactly as it was sent.</p>',
  );

function confirmPage(view: Extract<NoticeView, { kind: 'open' | 'used' }>) {
  const summary = `<p>An order of <strong>${escapeHtml(view.amount)}</strong> at <strong>${escapeHtml(view.merchant)}</strong>,
    delivery to <strong>${escapeHtml(view.delivery)}</strong>, placed ${escapeHtml(view.placedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC.</p>`;
  if (view.kind === 'used') {
    return html(
      200,
      'Already reported',
      `<h1>Already reported</h1>${summary}<p class="done">We have your report; the invoice is paused and the shop was told to hold the parcel.</p>`,
    );
  }
  return html(
    200,
    'Was this you?',
    `<h1>Was this you?</h1>${summary}
     <p>If you did not place this order, tell us. You will not pay for it, the invoice is paused at once and the shop is asked to hold the parcel. No police report is needed.</p>
     <form method="post" enctype="text/plain"><button type="submit" id="not-me">This was not me</button></form>`,
  );
}

function reportPage(report: NoticeReport) {
  if (report.kind === 'invalid') return invalidPage();
  if (report.kind === 'already_used') {
    return html(
      409,
      'Already reported',
      '<h1>Already reported</h1><p class="done">This link was used before; your report stands.</p>',
    );
  }
  return html(
    200,
    'Thank you',
    `<h1>Thank you, we are on it</h1><p class="done">Report ${escapeHtml(report.claimId)} is recorded. You will not pay for this order; the invoice is paused and the shop was told to hold the parcel. We will contact you on the details we have on file.</p>`,
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
      responses: {
        200: { description: 'HTML confirmation page', contentType: 'text/html' },
        404: { description: 'Invalid link' },
      },
      handler: async ({ params }) => {
        const view = await notices.show(params.token);
        return view.kind === 'invalid' ? invalidPage() : confirmPage(view);
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
      responses: {
        200: { description: 'Recorded', contentType: 'text/html' },
        404: { description: 'Invalid link' },
        409: { description: 'Already used' },
      },
      handler: async ({ params }) => reportPage(await notices.reportNotMine(params.token)),
    }),
  ];
}
