// Onboarding links and the letter's "not me" code: confirm a channel (GET shows a page, POST confirms, once), and
// report an order in one's name with the code from a letter.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { escapeHtml, htmlPage } from '../notify/html.page.ts';
import type { ChannelConfirmationService, ConfirmationView } from './channel-confirmation.ts';
import type { NotMeService, NotMeView } from './identity-letter.ts';

const params = z.object({ token: z.string().regex(/^chc_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a confirmation link token') });

const html = (status: number, title: string, body: string) => ({
  status,
  contentType: 'text/html; charset=utf-8',
  headers: { 'cache-control': 'no-store' },
  body: htmlPage(title, body),
});

const what = (channel: 'email' | 'phone') => (channel === 'email' ? 'e-mail address' : 'phone number');

function page(view: ConfirmationView, confirming: boolean) {
  switch (view.kind) {
    case 'invalid':
      return html(404, 'Link not valid', '<h1>This link is not valid</h1><p>Open it exactly as it was sent.</p>');
    case 'expired':
      return html(410, 'Link expired', '<h1>This link has expired</h1><p>Sign in to the portal to confirm again.</p>');
    case 'confirmed':
      return html(
        200,
        'Confirmed',
        `<h1>Confirmed</h1><p class="done">Your ${escapeHtml(what(view.channel))} is confirmed. ${
          confirming ? 'We will use it to reach you and to let you sign in.' : ''
        }</p>`,
      );
    case 'open':
      return html(
        200,
        'Confirm',
        `<h1>Confirm your ${escapeHtml(what(view.channel))}</h1>
         <p>Confirm only if you placed the order this message was about. If you did not, do not confirm: use the
         "not me" code in the letter we send to your address, or contact us.</p>
         <form method="post" enctype="text/plain"><button type="submit" id="confirm">Confirm</button></form>`,
      );
  }
}

const notMeCode = z.string().trim().min(1).max(40).describe('The "not me" code printed in the letter');
const notMeQuery = z.object({ code: notMeCode.optional() });

const enterCodeForm = (note = '') =>
  `${note}<form method="get" action="/v1/not-me"><p><label>Code from the letter
   <input name="code" autocomplete="off" required maxlength="40"></label></p>
   <button type="submit" id="look-up">Continue</button></form>`;

function notMePage(code: string | undefined, view: NotMeView | null) {
  if (code === undefined || view === null) {
    return html(200, 'Not me', `<h1>A purchase in your name that you did not make?</h1>${enterCodeForm()}`);
  }
  if (view.kind === 'invalid') {
    return html(
      404,
      'Code not known',
      `<h1>This code is not known</h1>${enterCodeForm('<p>Check the code in the letter.</p>')}`,
    );
  }
  const summary = `<p>An order of <strong>${escapeHtml(view.amount)}</strong> at <strong>${escapeHtml(view.merchant)}</strong>,
    delivery to <strong>${escapeHtml(view.delivery)}</strong>, placed ${escapeHtml(view.placedAt.toISOString().slice(0, 10))}.</p>`;
  if (view.kind === 'reported')
    return html(200, 'Already reported', `<h1>Already reported</h1>${summary}<p class="done">Your report stands.</p>`);
  return html(
    200,
    'Was this you?',
    `<h1>Was this you?</h1>${summary}<p>If you did not place it, you will not pay for it: the invoice is paused at once
     and the shop is asked to hold the parcel. No police report is needed.</p>
     <form method="post" action="/v1/not-me/${encodeURIComponent(code)}" enctype="text/plain">
     <button type="submit" id="not-me">This was not me</button></form>`,
  );
}

const notMeBody = z.object({ code: notMeCode });

export function onboardingRoutes(services: { confirmations: ChannelConfirmationService; notMe: NotMeService }) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/channel-confirmations/:token',
      summary: 'The confirmation link sent to a new customer’s e-mail or phone: a page asking to confirm',
      tags: ['onboarding'],
      auth: 'none',
      params,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params }) => page(await services.confirmations.show(params.token), false),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/channel-confirmations/:token',
      summary: 'Confirms the channel: it becomes verified for step-up codes, notices and portal sign-in',
      tags: ['onboarding'],
      auth: 'none',
      params,
      responses: {
        200: { description: 'Confirmed', contentType: 'text/html' },
        404: { description: 'Invalid link' },
        410: { description: 'Expired' },
      },
      handler: async ({ params }) => page(await services.confirmations.confirm(params.token), true),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/not-me',
      summary: 'The report page a letter points to: enter the "not me" code, see the order, confirm',
      tags: ['onboarding'],
      auth: 'none',
      query: notMeQuery,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 404: { description: 'Unknown code' } },
      handler: async ({ query }) =>
        notMePage(query.code, query.code === undefined ? null : await services.notMe.show(query.code)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/not-me/:code',
      summary: "The report page's button: files the not_mine claim for the code's order, once (HTML answer)",
      tags: ['onboarding'],
      auth: 'none',
      params: z.object({ code: notMeCode }),
      responses: {
        200: { description: 'Recorded', contentType: 'text/html' },
        404: { description: 'Unknown code' },
        409: { description: 'Already reported' },
      },
      handler: async ({ params }) => {
        const report = await services.notMe.report(params.code);
        if (report.kind === 'invalid') return notMePage(params.code, { kind: 'invalid' });
        if (report.kind === 'already_reported')
          return html(409, 'Already reported', '<h1>Already reported</h1><p class="done">Your report stands.</p>');
        return html(
          200,
          'Thank you',
          `<h1>Thank you, we are on it</h1><p class="done">Report ${escapeHtml(report.claimId)} is recorded. You will not pay for this order; the invoice is paused and the shop was told to hold the parcel.</p>`,
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/not-me',
      summary: 'The "not me" code from a letter: files a not_mine claim for the order (invoice paused), once',
      tags: ['onboarding'],
      auth: 'none',
      body: notMeBody,
      responses: {
        201: { description: 'Recorded', schema: z.object({ claim_id: z.string() }) },
        404: { description: 'Unknown code' },
        409: { description: 'Already reported' },
      },
      handler: async ({ body }) => {
        const report = await services.notMe.report(body.code);
        if (report.kind === 'invalid') throw new ApiError(404, 'unknown_code', 'this code is not known', 'code');
        if (report.kind === 'already_reported')
          throw new ApiError(409, 'already_reported', 'this code was used before; the report stands');
        return { status: 201, body: { claim_id: report.claimId } };
      },
    }),
  ];
}
