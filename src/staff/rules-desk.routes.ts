// Rules on the desk: ruleset versions, and a backtest preview of one on the recorded history before anyone asks to
// activate it (activation itself is a four-eyes request in ops-actions.routes.ts).
import type { HistoryRange } from '../storage/history.reader.ts';
import { z } from 'zod';
import { defineStaffRoute } from './staff.route.ts';
import { decodeCursor, listEnvelope, listQuery, maxPageSize, toPage } from '../http/list-envelope.ts';
import type { Database } from '../storage/database.ts';
import type { RulesetsService } from '../ops/rulesets.service.ts';
import { recordedDecisions, summariseBacktest } from '../training/backtest.command.ts';
import { replayOrigin } from '../training/history.source.ts';
import { makeProgressBar } from '../training/progress.bar.ts';
import { backtestMoney } from './backtest-money.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

const versionView = z.object({
  version: z.string(),
  active: z.boolean(),
  shadow: z.boolean().describe('Evaluated beside the active version on live traffic'),
  rules: z.number(),
  note: z.string().nullable(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
});
const countsView = z.object({ orders: z.number(), fraud: z.number(), legit: z.number(), unknown: z.number() });
const share = z.number().nullable();
/** summariseBacktest's BacktestResult as JSON. */
const backtestView = z.object({
  ruleset: z.string(),
  orders: z.number(),
  outcomes: z.record(z.string(), countsView),
  fraud: z.object({ total: z.number(), caught: z.number(), caughtShare: share }),
  friction: z.object({ legit: z.number(), flagged: z.number(), flaggedShare: share }),
  rules: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      hits: z.number(),
      fraud: z.number(),
      legit: z.number(),
      precision: share,
    }),
  ),
  versusRecorded: z.record(z.string(), z.record(z.string(), z.number())).nullable(),
  money: z
    .object({
      fraudCaughtCents: z.number(),
      fraudTotalCents: z.number(),
      reviews: z.number(),
      recordedReviews: z.number().nullable(),
      hours: z.number(),
      reviewsPerHourAdded: z.number().nullable(),
    })
    .describe('Fraud caught in EUR cents, and reviews per hour added against the recorded decisions'),
});
/** Newest first by (created_at, version), as /v1/admin/rulesets. */
const createdCursor = z.tuple([cursorInstantSchema, z.string().max(200)]);

export function rulesDeskRoutes(dependencies: {
  database: Database;
  rulesets: RulesetsService;
  /** Opens live orders' sealed inputs for the replay. */
  openInput?: HistoryRange['openInput'];
}) {
  const { database, rulesets } = dependencies;
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/rulesets',
      summary: 'Ruleset versions, newest first (one active)',
      tags: ['ops'],
      // The desk shows every version on one screen: a page is as large as a page may be unless it asks for less.
      query: listQuery.extend({ limit: listQuery.shape.limit.unwrap().default(maxPageSize) }),
      responses: { 200: { description: 'Versions, newest first', schema: listEnvelope(versionView) } },
      handler: async ({ query }) => {
        const after = query.cursor === undefined ? null : decodeCursor(query.cursor, createdCursor);
        const rows = await rulesets.list({ limit: query.limit, after });
        const body: z.infer<ReturnType<typeof listEnvelope<typeof versionView>>> = toPage(
          rows,
          query.limit,
          (row) => [row.created_at.toISOString(), row.version],
          (row) => ({
            version: row.version,
            active: row.active,
            shadow: row.shadow,
            rules: Number(row.rules),
            note: row.note,
            created_at: row.created_at.toISOString(),
            activated_at: row.activated_at?.toISOString() ?? null,
          }),
        );
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/rulesets/:version/backtest',
      summary: 'Backtest a stored ruleset version on the recorded history: outcomes, fraud caught, friction, rule hits',
      tags: ['ops'],
      params: z.object({ version: z.string().min(1).max(100) }),
      responses: { 200: { description: 'The backtest summary', schema: backtestView } },
      handler: async ({ params }) => {
        const stored = await rulesets.get(params.version);
        const ruleset = rulesets.validate(stored.body);
        const { history } = await replayOrigin(
          { kind: 'database', database, ...(dependencies.openInput ? { openInput: dependencies.openInput } : {}) },
          makeProgressBar(process.stderr, true),
          ruleset,
        );
        const recorded = await recordedDecisions(database);
        const body: z.infer<typeof backtestView> = {
          ...summariseBacktest(history, recorded),
          money: backtestMoney(history, recorded),
        };
        return { status: 200, body };
      },
    }),
  ];
}
