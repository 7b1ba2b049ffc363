// The "report it" link in a step-up code message: someone got a code they did not ask for; the challenge is locked.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { consumerPages, invalidLinkPage, pageLanguageQuery } from '../notify/html.page.ts';
import { signedLinkMatches, signToken } from './otp.codes.ts';
import { findChallenge, updateChallenge } from './challenge.repository.ts';

const params = z.object({ token: z.string().regex(/^chl_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a report link token') });

export function challengeReportRoutes(dependencies: { database: Database; clock: Clock; secret: string }) {
  const { database, clock, secret } = dependencies;
  const challengeIdOf = (token: string) => {
    const challengeId = token.split('.')[0] ?? '';
    return signedLinkMatches(token, challengeId, signToken(secret, 'challenge-report', challengeId))
      ? challengeId
      : null;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/report/:token',
      summary: 'Report a step-up code you did not ask for: confirmation page',
      tags: ['step-up'],
      auth: 'none',
      params,
      query: pageLanguageQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        if (!challengeIdOf(params.token)) return invalidLinkPage(pages);
        const { page, write } = pages;
        return page(
          200,
          write('report.open.title'),
          `<h1>${write('report.open.title')}</h1><p>${write('report.open.body')}</p>
           <form method="post" enctype="text/plain"><button type="submit" id="report">${write('report.open.button')}</button></form>`,
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/report/:token',
      summary: 'Report a step-up code you did not ask for: the challenge is locked so the code can no longer be used',
      tags: ['step-up'],
      auth: 'none',
      params,
      query: pageLanguageQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params, query, request }) => {
        const pages = consumerPages(request, query.lang);
        const challengeId = challengeIdOf(params.token);
        if (!challengeId) return invalidLinkPage(pages);
        const at = new Date(clock.now());
        await database.transaction(async (tx) => {
          const challenge = await findChallenge(tx, challengeId, { forUpdate: true });
          if (!challenge) return;
          if (challenge.status === 'pending') {
            await updateChallenge(tx, challengeId, { status: 'locked', code_hash: null, passkey_challenge: null });
          }
          await tx.query(
            'INSERT INTO challenge_reports (challenge_id, reported_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [challengeId, at],
          );
        });
        const { page, write } = pages;
        return page(
          200,
          write('report.done.title'),
          `<h1>${write('report.done.title')}</h1><p class="done">${write('report.done.body')}</p>`,
        );
      },
    }),
  ];
}
