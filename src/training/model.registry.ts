// The model registry in the database: versions, one champion, challengers, and promote / rollback with history.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database, SqlExecutor } from '../storage/database.ts';
import { modelMetadataSchema, type ModelArtifact } from './model.artifact.ts';

export const modelStatuses = ['champion', 'challenger', 'retired'] as const;
export type ModelStatus = (typeof modelStatuses)[number];

export interface ModelVersionSummary {
  readonly id: string;
  readonly name: string;
  readonly status: ModelStatus;
  readonly dataFrom: string | null;
  readonly dataTo: string | null;
  readonly params: Record<string, unknown>;
  readonly metrics: Record<string, unknown>;
  readonly thresholds: Record<string, number>;
  readonly createdAt: string;
}

export type PromoteOutcome =
  | { readonly kind: 'promoted'; readonly id: string; readonly previous: string | null }
  | { readonly kind: 'already_champion'; readonly id: string }
  | { readonly kind: 'not_found'; readonly id: string };

export type RollbackOutcome =
  | { readonly kind: 'rolled_back'; readonly from: string; readonly to: string | null }
  | { readonly kind: 'no_champion' };

interface VersionRow {
  id: string;
  name: string;
  status: ModelStatus;
  data_from: Date | null;
  data_to: Date | null;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  thresholds: Record<string, number>;
  created_at: Date;
}

const summaryColumns = 'id, name, status, data_from, data_to, params, metrics, thresholds, created_at';

function summary(row: VersionRow): ModelVersionSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    dataFrom: row.data_from?.toISOString() ?? null,
    dataTo: row.data_to?.toISOString() ?? null,
    params: row.params,
    metrics: row.metrics,
    thresholds: row.thresholds,
    createdAt: row.created_at.toISOString(),
  };
}

export function makeModelRegistry(deps: { database: Database; clock: Clock; ids: Ids }) {
  const { database, clock, ids } = deps;

  async function load(executor: SqlExecutor, where: string, params: unknown[]) {
    const rows = await executor.query<{ id: string; model_json: string; metadata: unknown }>(
      `SELECT id, model_json, metadata FROM model_versions WHERE ${where} ORDER BY created_at, id`,
      params as never[],
    );
    return rows.map((row) => ({
      id: row.id,
      artifact: { modelJson: row.model_json, metadata: modelMetadataSchema.parse(row.metadata) } as ModelArtifact,
    }));
  }

  async function setStatus(tx: SqlExecutor, id: string, status: ModelStatus): Promise<void> {
    await tx.query('UPDATE model_versions SET status = $2 WHERE id = $1', [id, status]);
  }

  return {
    /** Registers a trained version as a challenger: it scores in shadow until promoted. */
    async register(artifact: ModelArtifact): Promise<string> {
      const id = ids.next('mdl');
      const { metadata } = artifact;
      await database.query(
        `INSERT INTO model_versions (id, name, status, model_json, metadata, data_from, data_to, params, metrics, thresholds, created_at)
         VALUES ($1, $2, 'challenger', $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          metadata.name,
          artifact.modelJson,
          JSON.stringify(metadata),
          metadata.training.dataFrom,
          metadata.training.dataTo,
          JSON.stringify(metadata.params),
          JSON.stringify(metadata.metrics),
          JSON.stringify(metadata.thresholds),
          new Date(clock.now()),
        ],
      );
      return id;
    },

    async list(): Promise<ModelVersionSummary[]> {
      const rows = await database.query<VersionRow>(
        `SELECT ${summaryColumns} FROM model_versions ORDER BY created_at, id`,
      );
      return rows.map(summary);
    },

    async champion() {
      return (await load(database, "status = 'champion'", []))[0] ?? null;
    },

    challengers: () => load(database, "status = 'challenger'", []),

    async history() {
      return database.query<{
        seq: string;
        model_id: string | null;
        previous_model_id: string | null;
        action: string;
        at: Date;
      }>('SELECT seq, model_id, previous_model_id, action, at FROM model_promotions ORDER BY seq');
    },

    /** The champion steps down (retired, kept for rollback); the chosen version serves from now on. */
    promote(id: string): Promise<PromoteOutcome> {
      return database.transaction(async (tx) => {
        const [target] = await tx.query<{ status: ModelStatus }>(
          'SELECT status FROM model_versions WHERE id = $1 FOR UPDATE',
          [id],
        );
        if (!target) return { kind: 'not_found', id };
        if (target.status === 'champion') return { kind: 'already_champion', id };
        const [current] = await tx.query<{ id: string }>(
          "SELECT id FROM model_versions WHERE status = 'champion' FOR UPDATE",
        );
        if (current) await setStatus(tx, current.id, 'retired');
        await setStatus(tx, id, 'champion');
        await tx.query(
          "INSERT INTO model_promotions (model_id, previous_model_id, action, at) VALUES ($1, $2, 'promote', $3)",
          [id, current?.id ?? null, new Date(clock.now())],
        );
        return { kind: 'promoted', id, previous: current?.id ?? null };
      });
    },

    /** Back to the champion before the current one (by the promotion that crowned it); none left means the shipped default. */
    rollback(): Promise<RollbackOutcome> {
      return database.transaction(async (tx) => {
        const [current] = await tx.query<{ id: string }>(
          "SELECT id FROM model_versions WHERE status = 'champion' FOR UPDATE",
        );
        if (!current) return { kind: 'no_champion' };
        const [crowned] = await tx.query<{ previous_model_id: string | null }>(
          "SELECT previous_model_id FROM model_promotions WHERE model_id = $1 AND action = 'promote' ORDER BY seq DESC LIMIT 1",
          [current.id],
        );
        const previous = crowned?.previous_model_id ?? null;
        await setStatus(tx, current.id, 'retired');
        if (previous !== null) await setStatus(tx, previous, 'champion');
        await tx.query(
          "INSERT INTO model_promotions (model_id, previous_model_id, action, at) VALUES ($1, $2, 'rollback', $3)",
          [previous, current.id, new Date(clock.now())],
        );
        return { kind: 'rolled_back', from: current.id, to: previous };
      });
    },
  };
}

export type ModelRegistry = ReturnType<typeof makeModelRegistry>;
