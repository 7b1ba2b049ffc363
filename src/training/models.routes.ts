// Admin API of the model registry: versions with shadow comparison figures, promote and rollback.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { rocAuc, sweepThresholds } from '../model/index.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { modelStatuses, type ModelRegistry } from './model.registry.ts';
import { modelThresholdsSchema } from './model.artifact.ts';
import type { ModelService } from './model.service.ts';

/** How a model did on the live decisions it scored in shadow, next to the champion on the same decisions. */
export interface ShadowComparison {
  readonly scored: number;
  readonly meanScore: number | null;
  readonly meanChampionScore: number | null;
  /** Share of decisions at or above each model's own step-up threshold, and how often both agree. */
  readonly flaggedShare: number | null;
  readonly championFlaggedShare: number | null;
  readonly agreement: number | null;
  /** Scored decisions whose order has since been labelled fraud; AUCs need at least one. */
  readonly fraudLabelled: number;
  readonly rocAuc: number | null;
  readonly championRocAuc: number | null;
}

const shadowWindow = 20_000;

const nullableNumber = z.number().nullable();
const shadowComparisonSchema = z.object({
  scored: z.number(),
  meanScore: nullableNumber,
  meanChampionScore: nullableNumber,
  flaggedShare: nullableNumber,
  championFlaggedShare: nullableNumber,
  agreement: nullableNumber,
  fraudLabelled: z.number(),
  rocAuc: nullableNumber,
  championRocAuc: nullableNumber,
});
/** GET /v1/admin/models; the handler's body is typed by it. */
const modelsViewSchema = z.object({
  serving: z.object({ version: z.string(), thresholds: modelThresholdsSchema }).nullable(),
  versions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(modelStatuses),
      dataFrom: z.string().nullable(),
      dataTo: z.string().nullable(),
      params: z.record(z.string(), z.unknown()),
      metrics: z.record(z.string(), z.unknown()),
      thresholds: z.record(z.string(), z.number()),
      createdAt: z.string(),
      shadow: shadowComparisonSchema.nullable(),
    }),
  ),
  history: z.array(
    z.object({
      seq: z.string(),
      model_id: z.string().nullable(),
      previous_model_id: z.string().nullable(),
      action: z.string(),
      at: z.string(),
    }),
  ),
});
const promotedSchema = z.object({
  kind: z.enum(['promoted', 'already_champion']),
  id: z.string(),
  previous: z.string().nullable().optional(),
  serving: z.string().nullable(),
});
const rolledBackSchema = z.object({
  kind: z.literal('rolled_back'),
  from: z.string(),
  to: z.string().nullable(),
  serving: z.string().nullable(),
});

export async function compareShadow(
  database: Database,
  modelId: string,
  thresholds: { stepUp: number },
  championStepUp: number | null,
): Promise<ShadowComparison> {
  const rows = await database.query<{ score: number; champion_score: number | null; fraud: boolean }>(
    `SELECT s.score, s.champion_score,
            EXISTS (SELECT 1 FROM orders o JOIN labels l ON l.order_id = o.id
                    WHERE o.decision_id = s.decision_id AND l.label <> 'legit') AS fraud
       FROM model_shadow_scores s WHERE s.model_id = $1 ORDER BY s.decided_at DESC LIMIT ${shadowWindow}`,
    [modelId],
  );
  const count = rows.length;
  const share = (part: number) => (count === 0 ? null : part / count);
  let sum = 0;
  let championSum = 0;
  let flagged = 0;
  let championFlagged = 0;
  let agreed = 0;
  let fraud = 0;
  for (const row of rows) {
    const championScore = row.champion_score ?? 0;
    sum += row.score;
    championSum += championScore;
    const flags = row.score >= thresholds.stepUp;
    const championFlags = championStepUp !== null && championScore >= championStepUp;
    flagged += flags ? 1 : 0;
    championFlagged += championFlags ? 1 : 0;
    agreed += flags === championFlags ? 1 : 0;
    fraud += row.fraud ? 1 : 0;
  }
  const labels = rows.map((row) => (row.fraud ? 1 : 0));
  const auc = (scores: number[]) => (fraud === 0 || fraud === count ? null : rocAuc(sweepThresholds(scores, labels)));
  return {
    scored: count,
    meanScore: share(sum),
    meanChampionScore: share(championSum),
    flaggedShare: share(flagged),
    championFlaggedShare: championStepUp === null ? null : share(championFlagged),
    agreement: championStepUp === null ? null : share(agreed),
    fraudLabelled: fraud,
    rocAuc: auc(rows.map((row) => row.score)),
    championRocAuc: auc(rows.map((row) => row.champion_score ?? 0)),
  };
}

export function modelsRoutes(deps: { database: Database; registry: ModelRegistry; models: ModelService }) {
  const { database, registry, models } = deps;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/models',
      summary: 'Model versions: the serving champion, challengers with shadow comparison figures, promotion history',
      tags: ['models'],
      auth: 'admin',
      responses: { 200: { description: 'Versions and comparison', schema: modelsViewSchema } },
      handler: async () => {
        const champion = models.champion();
        const championStepUp = champion?.metadata.thresholds.stepUp ?? null;
        const versions = await registry.list();
        const withComparison = await Promise.all(
          versions.map(async (version) => ({
            ...version,
            shadow:
              version.status === 'challenger'
                ? await compareShadow(database, version.id, { stepUp: version.thresholds.stepUp ?? 1 }, championStepUp)
                : null,
          })),
        );
        const history = (await registry.history()).map((entry) => ({ ...entry, at: entry.at.toISOString() }));
        const body: z.infer<typeof modelsViewSchema> = {
          serving: champion === null ? null : { version: champion.version, thresholds: champion.metadata.thresholds },
          versions: withComparison,
          history,
        };
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/models/:id/promote',
      summary: 'Make a registered version the champion; the current champion is retired (kept for rollback)',
      tags: ['models'],
      auth: 'admin',
      params: z.object({ id: z.string().min(1).max(100) }),
      responses: { 200: { description: 'Promoted', schema: promotedSchema } },
      handler: async ({ params }) => {
        const outcome = await registry.promote(params.id);
        if (outcome.kind === 'not_found') throw notFound(`model ${params.id}`);
        await models.refresh();
        const body: z.infer<typeof promotedSchema> = { ...outcome, serving: models.champion()?.version ?? null };
        return { status: 200, body };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/models/rollback',
      summary: 'Return to the champion before the current one (or the shipped default model)',
      tags: ['models'],
      auth: 'admin',
      responses: { 200: { description: 'Rolled back', schema: rolledBackSchema } },
      handler: async () => {
        const outcome = await registry.rollback();
        if (outcome.kind === 'no_champion')
          throw new ApiError(409, 'no_champion', 'no registered champion to roll back');
        await models.refresh();
        const body: z.infer<typeof rolledBackSchema> = { ...outcome, serving: models.champion()?.version ?? null };
        return { status: 200, body };
      },
    }),
  ];
}
