// Onboarding links and the letter's "not me" code: confirm a channel (GET shows a page, POST confirms, once), and
// report an order in one's name with the code from a letter.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import {
  consumerPages,
  escapeHtml,
  invalidLinkPage,
  orderSummaryHtml,
  pageLanguageQuery,
  type ConsumerPages,
} from '../notify/html.page.ts';
import type { ChannelConfirmationService, ConfirmationView } from './channel-confirmation.ts';
import type { NotMeService, NotMeView } from './identity-letter.ts';

const params = z.object({ token: z.string().regex(/^chc_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a confirmation link token') });

function page(pages: ConsumerPages, view: ConfirmationView, confirming: boolean) {
  const { page: answer, write } = pages;
  switch (view.kind) {
    case 'invalid':
      return invalidLinkPage(pages);
    case 'expired':
      return answer(
        410,
        write('confirm.expired.title'),
        `<h1>${write('confirm.expired.title')}</h1><p>${write('confirm.expired.body')}</p>`,
      );
    case 'confirmed':
      return answer(
        200,
        write('confirm.done.title'),
        `<h1>${write('confirm.done.title')}</h1><p class="done">${write('confirm.done.body', { kind: view.channel })} ${
          confirming ? write('confirm.done.use') : ''
        }</p>`,
      );
    case 'open':
      return answer(
        200,
        write('confirm.open.title', { kind: view.channel }),
        `<h1>${write('confirm.open.title', { kind: view.channel })}</h1><p>${write('confirm.open.body')}</p>
         <form method="post" enctype="text/plain"><button type="submit" id="confirm">${write('confirm.open.button')}</button></form>`,
      );
  }
}

const notMeCode = z.string().trim().min(1).max(40).describe('The "not me" code printed in the letter');
const notMeQuery = pageLanguageQuery.extend({ code: notMeCode.optional() });

const enterCodeForm = ({ write, language }: ConsumerPages, note = '') =>
  `${note}<form method="get" action="/v1/not-me"><input type="hidden" name="lang" value="${language}">
   <p><label>${write('notMe.codeLabel')} <input name="code" autocomplete="off" required maxlength="40"></label></p>
   <button type="submit" id="look-up">${write('notMe.continue')}</button></form>`;

function notMePage(pages: ConsumerPages, code: string | undefined, view: NotMeView | null) {
  const { page: answer, write, language } = pages;
  if (code === undefined || view === null) {
    return answer(200, write('notMe.title'), `<h1>${write('notMe.title')}</h1>${enterCodeForm(pages)}`);
  }
  if (view.kind === 'invalid') {
    return answer(
      404,
      write('notMe.unknown.title'),
      `<h1>${write('notMe.unknown.title')}</h1>${enterCodeForm(pages, `<p>${write('notMe.unknown.body')}</p>`)}`,
    );
  }
  const summary = orderSummaryHtml(pages, view);
  if (view.kind === 'reported') {
    const title = write('notice.used.title');
    return answer(200, title, `<h1>${title}</h1>${summary}<p class="done">${write('notMe.reported.body')}</p>`);
  }
  return answer(
    200,
    write('notice.open.title'),
    `<h1>${write('notice.open.title')}</h1>${summary}<p>${write('notMe.open.body')}</p>
     <form method="post" action="/v1/not-me/${encodeURIComponent(code)}?lang=${language}" enctype="text/plain">
     <button type="submit" id="not-me">${write('notice.open.button')}</button></form>`,
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
      query: pageLanguageQuery,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params, query, request }) =>
        page(consumerPages(request, query.lang), await services.confirmations.show(params.token), false),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/channel-confirmations/:token',
      summary: 'Confirms the channel: it becomes verified for step-up codes, notices and portal sign-in',
      tags: ['onboarding'],
      auth: 'none',
      params,
      query: pageLanguageQuery,
      responses: {
        200: { description: 'Confirmed', contentType: 'text/html' },
        404: { description: 'Invalid link' },
        410: { description: 'Expired' },
      },
      handler: async ({ params, query, request }) =>
        page(consumerPages(request, query.lang), await services.confirmations.confirm(params.token), true),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/not-me',
      summary: 'The report page a letter points to: enter the "not me" code, see the order, confirm',
      tags: ['onboarding'],
      auth: 'none',
      query: notMeQuery,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 404: { description: 'Unknown code' } },
      handler: async ({ query, request }) =>
        notMePage(
          consumerPages(request, query.lang),
          query.code,
          query.code === undefined ? null : await services.notMe.show(query.code),
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/not-me/:code',
      summary: "The report page's button: files the not_mine claim for the code's order, once (HTML answer)",
      tags: ['onboarding'],
      auth: 'none',
      params: z.object({ code: notMeCode }),
      query: pageLanguageQuery,
      responses: {
        200: { description: 'Recorded', contentType: 'text/html' },
        404: { description: 'Unknown code' },
        409: { description: 'Already reported' },
      },
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        const { page: answer, write } = pages;
        const report = await services.notMe.report(params.code);
        if (report.kind === 'invalid') return notMePage(pages, params.code, { kind: 'invalid' });
        if (report.kind === 'already_reported') {
          const title = write('notice.used.title');
          return answer(409, title, `<h1>${title}</h1><p class="done">${write('notMe.reported.body')}</p>`);
        }
        const title = write('notice.recorded.title');
        return answer(
          200,
          title,
          `<h1>${title}</h1><p class="done">${write('notice.recorded.body', { claimId: escapeHtml(report.claimId) })}</p>`,
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
