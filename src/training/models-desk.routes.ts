// The model registry on the desk (/v1/ops, staff cookie): versions with metrics, champion vs challenger on the same
// live decisions with their ROC and PR curves, promotion through four eyes, and an audited rollback.
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import { precisionRecallCurve, rocCurve, sweepThresholds } from '../model/index.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { approvalViewSchema, type ApprovalsService } from '../staff/approvals.service.ts';
import { makeStaffAudit } from '../staff/audit.ts';
import { modelStatuses, type ModelRegistry } from './model.registry.ts';
import type { ModelService } from './model.service.ts';
import { compareShadow } from './models.routes.ts';

const point = z.object({ x: z.number(), y: z.number() });
const curvesSchema = z
  .object({ roc: z.array(point), pr: z.array(point), decisions: z.number(), fraud: z.number() })
  .nullable()
  .describe('Null until the shared live decisions include both fraud and good orders');

const deskModelsSchema = z.object({
  serving: z.string().nullable(),
  versions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(modelStatuses),
      created_at: z.string(),
      metrics: z.record(z.string(), z.unknown()),
      thresholds: z.record(z.string(), z.number()),
      shadow: z
        .object({
          scored: z.number(),
          agreement: z.number().nullable(),
          fraud_labelled: z.number(),
          roc_auc: z.number().nullable(),
          champion_roc_auc: z.number().nullable(),
          challenger_curves: curvesSchema,
          champion_curves: curvesSchema,
        })
        .nullable(),
    }),
  ),
});

/** At most this many points per curve: enough to draw, small enough to send. */
const curvePoints = 60;
const thin = (points: readonly { x: number; y: number }[]) => {
  const step = Math.max(1, Math.ceil(points.length / curvePoints));
  const kept = points.filter((_, index) => index % step === 0 || index === points.length - 1);
  return kept.map((item) => ({ x: Number(item.x.toFixed(4)), y: Number(item.y.toFixed(4)) }));
};

/** Both models' curves on the challenger's shadow decisions: the same orders, so the curves compare fairly. */
async function sharedCurves(database: Database, modelId: string) {
  const rows = await database.query<{ score: number; champion_score: number | null; fraud: boolean }>(
    `SELECT s.score, s.champion_score,
            EXISTS (SELECT 1 FROM orders o JOIN labels l ON l.order_id = o.id
                    WHERE o.decision_id = s.decision_id AND l.label <> 'legit') AS fraud
       FROM model_shadow_scores s WHERE s.model_id = $1 ORDER BY s.decided_at DESC LIMIT 20000`,
    [modelId],
  );
  const labels = rows.map((row) => (row.fraud ? 1 : 0));
  const fraud = labels.reduce<number>((sum, label) => sum + label, 0);
  const curves = (scores: number[]) => {
    if (fraud === 0 || fraud === rows.length) return null;
    const sweep = sweepThresholds(scores, labels);
    return { roc: thin(rocCurve(sweep)), pr: thin(precisionRecallCurve(sweep)), decisions: rows.length, fraud };
  };
  return {
    challenger: curves(rows.map((row) => row.score)),
    champion: rows.some((row) => row.champion_score === null) ? null : curves(rows.map((row) => row.champion_score!)),
  };
}

export function modelsDeskRoutes(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  registry: ModelRegistry;
  models: ModelService;
  approvals: ApprovalsService;
}) {
  const { database, registry, models, approvals } = dependencies;
  const audit = makeStaffAudit(dependencies);
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/models',
      summary: 'Model versions with metrics; challengers against the champion on the same live decisions, with curves',
      tags: ['ops'],
      responses: { 200: { description: 'The registry as the desk sees it', schema: deskModelsSchema } },
      handler: async ({}) => {
        const champion = models.champion();
        const championStepUp = champion?.metadata.thresholds.stepUp ?? null;
        const versions = await Promise.all(
          (await registry.list()).map(async (version) => {
            if (version.status !== 'challenger') return { version, shadow: null };
            const thresholds = { stepUp: version.thresholds.stepUp ?? 1 };
            const comparison = await compareShadow(database, version.id, thresholds, championStepUp);
            const curves = await sharedCurves(database, version.id);
            return {
              version,
              shadow: {
                scored: comparison.scored,
                agreement: comparison.agreement,
                fraud_labelled: comparison.fraudLabelled,
                roc_auc: comparison.rocAuc,
                champion_roc_auc: comparison.championRocAuc,
                challenger_curves: curves.challenger,
                champion_curves: curves.champion,
              },
            };
          }),
        );
        const body: z.infer<typeof deskModelsSchema> = {
          serving: champion?.version ?? null,
          versions: versions.map(({ version, shadow }) => ({
            id: version.id,
            name: version.name,
            status: version.status,
            created_at: version.createdAt,
            metrics: version.metrics,
            thresholds: version.thresholds,
            shadow,
          })),
        };
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/models/:id/promote',
      summary: 'Ask to promote a model version to champion (lead role); a second lead or admin confirms it (202)',
      tags: ['ops'],
      staffRole: 'lead',
      params: z.object({ id: z.string().min(1).max(100) }),
      responses: { 202: { description: 'The pending approval', schema: approvalViewSchema } },
      handler: async ({ staff: member, params }) => {
        if (!(await registry.list()).some((version) => version.id === params.id)) throw notFound(`model ${params.id}`);
        return {
          status: 202,
          body: await approvals.request(member, 'model.promote', params.id, {
            previous: models.champion()?.version ?? null,
          }),
        };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/models/rollback',
      summary: 'Return to the champion before the current one (lead role; audited; at once, as an undo)',
      tags: ['ops'],
      staffRole: 'lead',
      responses: {
        200: {
          description: 'Rolled back',
          schema: z.object({ from: z.string(), to: z.string().nullable(), serving: z.string().nullable() }),
        },
      },
      handler: async ({ staff: member }) => {
        const outcome = await registry.rollback();
        if (outcome.kind === 'no_champion')
          throw new ApiError(409, 'no_champion', 'no registered champion to roll back');
        await models.refresh();
        const serving = models.champion()?.version ?? null;
        await audit(
          member,
          'model.rollback',
          outcome.from,
          { champion: outcome.from },
          { champion: outcome.to, serving },
        );
        return { status: 200, body: { from: outcome.from, to: outcome.to, serving } };
      },
    }),
  ];
}

/** The four-eyes executor: what happens when a second person confirms a promotion. */
export async function promoteModel(registry: ModelRegistry, models: ModelService, id: string) {
  const outcome = await registry.promote(id);
  if (outcome.kind === 'not_found') throw notFound(`model ${id}`);
  await models.refresh();
  return { champion: id, serving: models.champion()?.version ?? null };
}
