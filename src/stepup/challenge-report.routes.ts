// The "report it" link in a step-up code message: someone got a code they did not ask for; the challenge is locked.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { escapeHtml, htmlPage } from '../notify/html.page.ts';
import { sameHash, signToken } from './otp.codes.ts';
import { findChallenge, updateChallenge } from './challenge.repository.ts';

const params = z.object({ token: z.string().regex(/^chl_[0-9a-z]{1,40}\.[\w-]{16,64}$/, 'a report link token') });

const page = (status: number, title: string, body: string) => ({
  status,
  contentType: 'text/html; charset=utf-8',
  headers: { 'cache-control': 'no-store' },
  body: htmlPage(title, body),
});

export function challengeReportRoutes(dependencies: { database: Database; clock: Clock; secret: string }) {
  const { database, clock, secret } = dependencies;
  const challengeIdOf = (token: string) => {
    const challengeId = token.split('.')[0] ?? '';
    return sameHash(token, `${challengeId}.${signToken(secret, 'challenge-report', challengeId)}`) ? challengeId : null;
  };
  const invalid = () => page(404, 'Link not valid', '<h1>This link is not valid</h1>');
  return [
    defineRoute({
      method: 'GET',
      url: '/report/:token',
      summary: 'Report a step-up code you did not ask for: confirmation page',
      tags: ['step-up'],
      auth: 'none',
      params,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params }) => {
        if (!challengeIdOf(params.token)) return invalid();
        return page(
          200,
          'Did you get a code you did not ask for?',
          `<h1>Did you get a code you did not ask for?</h1><p>Then someone may be trying to buy in your name. Do not share the code. Report it and we stop that purchase.</p>
           <form method="post" enctype="text/plain"><button type="submit" id="report">Report it and stop the purchase</button></form>`,
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
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 404: { description: 'Invalid link' } },
      handler: async ({ params }) => {
        const challengeId = challengeIdOf(params.token);
        if (!challengeId) return invalid();
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
        return page(
          200,
          'Thank you',
          `<h1>Thank you</h1><p class="done">${escapeHtml('The code can no longer be used and we will look into it.')}</p>`,
        );
      },
    }),
  ];
}
