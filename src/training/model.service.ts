// Serves models to the live engine: the registry's champion (or the shipped default), challengers scoring in shadow.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { RiskModel } from '../risk/risk.engine.ts';
import type { Ruleset } from '../risk/rules/rule.schema.ts';
import type { Database } from '../storage/database.ts';
import { asRiskModel, makeServingModel, readArtifact, type ServingModel } from './model.artifact.ts';
import type { ModelRegistry } from './model.registry.ts';

export const defaultModelPath = fileURLToPath(new URL('../../models/default.json', import.meta.url));

export interface ModelServiceDependencies {
  readonly database: Database;
  readonly registry: ModelRegistry;
  /** The shipped model used while the registry has no champion; null to run on the points score alone. */
  readonly defaultModelPath?: string | null;
  readonly onError?: (message: string, error: unknown) => void;
}

export function makeModelService(deps: ModelServiceDependencies) {
  const defaultPath = deps.defaultModelPath === undefined ? defaultModelPath : deps.defaultModelPath;
  let champion: ServingModel | null = null;
  let challengers: ServingModel[] = [];
  const adapted = new WeakMap<ServingModel, WeakMap<Ruleset['thresholds'], RiskModel>>();

  async function loadDefault(): Promise<ServingModel | null> {
    if (defaultPath === null || !existsSync(defaultPath)) return null;
    return makeServingModel('default', await readArtifact(defaultPath));
  }

  /** Reads the registry again; a version that fails to load is reported and skipped, never served half-built. */
  async function refresh(): Promise<void> {
    const registered = await deps.registry.champion();
    let next: ServingModel | null = null;
    if (registered !== null) {
      try {
        next = champion?.version === registered.id ? champion : makeServingModel(registered.id, registered.artifact);
      } catch (error) {
        deps.onError?.(`champion ${registered.id} could not be loaded; serving the default model`, error);
      }
    }
    if (next === null) next = champion?.version === 'default' ? champion : await loadDefault();
    champion = next;
    const loaded: ServingModel[] = [];
    for (const candidate of await deps.registry.challengers()) {
      const existing = challengers.find((model) => model.version === candidate.id);
      try {
        loaded.push(existing ?? makeServingModel(candidate.id, candidate.artifact));
      } catch (error) {
        deps.onError?.(`challenger ${candidate.id} could not be loaded`, error);
      }
    }
    challengers = loaded;
  }

  /** The engine's model for the active ruleset: the champion's thresholds mapped onto that ruleset's score bands. */
  function riskModel(thresholds: Ruleset['thresholds']): RiskModel | undefined {
    if (champion === null) return undefined;
    let byThresholds = adapted.get(champion);
    if (byThresholds === undefined) adapted.set(champion, (byThresholds = new WeakMap()));
    let model = byThresholds.get(thresholds);
    if (model === undefined) byThresholds.set(thresholds, (model = asRiskModel(champion, thresholds)));
    return model;
  }

  /** Runs in the decision's transaction: each challenger's probability is stored beside the champion's. */
  const shadowHook: DecisionHook = async (tx, context) => {
    if (challengers.length === 0) return {};
    const features = context.decision.features;
    const championScore = champion === null ? null : champion.probability(features);
    for (const challenger of challengers) {
      await tx.query(
        `INSERT INTO model_shadow_scores (decision_id, model_id, score, champion_score, decided_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [context.decisionId, challenger.version, challenger.probability(features), championScore, context.at],
      );
    }
    return {};
  };

  return {
    refresh,
    riskModel,
    shadowHook,
    champion: () => champion,
    challengers: () => challengers,
  };
}

export type ModelService = ReturnType<typeof makeModelService>;
