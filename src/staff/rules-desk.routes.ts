// Rules on the desk: ruleset versions, and a backtest preview of one on the recorded history before anyone asks to
// activate it (activation itself is a four-eyes request in ops-actions.routes.ts).
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { maxPageSize } from '../http/list-envelope.ts';
import type { Database } from '../storage/database.ts';
import type { RulesetsService } from '../ops/rulesets.service.ts';
import { recordedDecisions, summariseBacktest } from '../training/backtest.command.ts';
import { replayOrigin } from '../training/history.source.ts';
import { makeProgressBar } from '../training/progress.bar.ts';
import type { StaffAuth } from './staff-auth.service.ts';

export function rulesDeskRoutes(dependencies: { auth: StaffAuth; database: Database; rulesets: RulesetsService }) {
  const { auth, database, rulesets } = dependencies;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/ops/rulesets',
      summary: 'Ruleset versions, newest first (one active)',
      tags: ['ops'],
      auth: 'none',
      responses: { 200: { description: '{data, next_cursor, has_more}' } },
      handler: async ({ request }) => {
        await auth.require(request);
        // The desk shows every version on one screen; a store with more than a page of versions shows the newest.
        const rows = (await rulesets.list({ limit: maxPageSize, after: null })).slice(0, maxPageSize);
        return {
          status: 200,
          body: {
            data: rows.map((row) => ({
              version: row.version,
              active: row.active,
              rules: Number(row.rules),
              note: row.note,
              created_at: row.created_at.toISOString(),
              activated_at: row.activated_at?.toISOString() ?? null,
            })),
            next_cursor: null,
            has_more: false,
          },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/:version/backtest',
      summary: 'Backtest a stored ruleset version on the recorded history: outcomes, fraud caught, friction, rule hits',
      tags: ['ops'],
      auth: 'none',
      params: z.object({ version: z.string().min(1).max(100) }),
      responses: { 200: { description: 'The backtest summary' } },
      handler: async ({ request, params }) => {
        await auth.require(request);
        const stored = await rulesets.get(params.version);
        const ruleset = rulesets.validate(stored.body);
        const { history } = await replayOrigin(
          { kind: 'database', database },
          makeProgressBar(process.stderr, true),
          ruleset,
        );
        return { status: 200, body: summariseBacktest(history, await recordedDecisions(database)) };
      },
    }),
  ];
}
