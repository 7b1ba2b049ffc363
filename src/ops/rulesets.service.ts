// Rulesets as versioned data in the database: validated before they are stored, one active at a time.
import { keysetSql } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { isUniqueViolation } from '../storage/database.ts';
import type { Ruleset } from '../risk/rules/rule.schema.ts';
import { checkRuleset, loadDefaultRuleset } from '../risk/rules/ruleset.loader.ts';

export interface RulesetRow {
  version: string;
  body: Ruleset;
  active: boolean;
  created_at: Date;
  activated_at: Date | null;
  note: string | null;
}

export function makeRulesetsService(dependencies: { database: Database; clock: Clock }) {
  const { database, clock } = dependencies;
  let active: Ruleset = loadDefaultRuleset();
  let shadow: Ruleset | null = null;

  function validate(candidate: unknown): Ruleset {
    const check = checkRuleset(candidate);
    if (check.kind === 'invalid') {
      throw new ApiError(422, 'invalid_ruleset', check.errors.slice(0, 5).join('; '), 'rules', {
        errors: check.errors,
      });
    }
    return check.ruleset;
  }

  async function store(ruleset: Ruleset, note: string | null): Promise<void> {
    try {
      await database.query('INSERT INTO rulesets (version, body, created_at, note) VALUES ($1, $2, $3, $4)', [
        ruleset.version,
        JSON.stringify(ruleset),
        new Date(clock.now()),
        note,
      ]);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ApiError(
          409,
          'ruleset_version_exists',
          `ruleset ${ruleset.version} exists; versions are immutable`,
          'version',
        );
      throw error;
    }
  }

  async function activate(version: string, kind: 'activate' | 'rollback' = 'activate'): Promise<Ruleset> {
    const ruleset = await database.transaction(async (tx) => {
      const [row] = await tx.query<RulesetRow>('SELECT version, body FROM rulesets WHERE version = $1', [version]);
      if (!row) throw new ApiError(404, 'not_found', `ruleset ${version} not found`);
      const [previous] = await tx.query<{ version: string }>('SELECT version FROM rulesets WHERE active');
      const at = new Date(clock.now());
      await tx.query('UPDATE rulesets SET active = false WHERE active');
      await tx.query('UPDATE rulesets SET active = true, activated_at = $2 WHERE version = $1', [version, at]);
      await tx.query(
        'INSERT INTO ruleset_activations (version, previous, kind, activated_at) VALUES ($1, $2, $3, $4)',
        [version, previous?.version ?? null, kind, at],
      );
      return validate(row.body);
    });
    active = ruleset;
    return ruleset;
  }

  /** The version that was active before the current one was activated (what a rollback returns to). */
  async function previousVersion(): Promise<string | null> {
    const [row] = await database.query<{ previous: string | null }>(
      'SELECT previous FROM ruleset_activations WHERE version = $1 ORDER BY seq DESC LIMIT 1',
      [active.version],
    );
    return row?.previous ?? null;
  }

  /** Puts a stored version in shadow (null: none); decisions evaluate it beside the active one from now on. */
  async function setShadow(version: string | null): Promise<Ruleset | null> {
    const next = await database.transaction(async (tx) => {
      await tx.query('UPDATE rulesets SET shadow = false WHERE shadow');
      if (version === null) return null;
      const [row] = await tx.query<RulesetRow>('UPDATE rulesets SET shadow = true WHERE version = $1 RETURNING body', [
        version,
      ]);
      if (!row) throw new ApiError(404, 'not_found', `ruleset ${version} not found`);
      return validate(row.body);
    });
    shadow = next;
    return next;
  }

  return {
    /** The ruleset decisions use now; read on every decision. */
    current: () => active,
    /** The ruleset in shadow, if any; read on every decision. */
    shadow: () => shadow,
    setShadow,
    previousVersion,
    /** Back to the version active before this one; the history records it as a rollback. */
    async rollback(): Promise<{ from: string; to: Ruleset }> {
      const from = active.version;
      const previous = await previousVersion();
      if (previous === null)
        throw new ApiError(409, 'no_previous_ruleset', 'no earlier active version to roll back to');
      return { from, to: await activate(previous, 'rollback') };
    },
    validate,
    /** On start: the active stored ruleset, or the shipped default stored and activated on first start. */
    async load(): Promise<Ruleset> {
      const [shadowRow] = await database.query<RulesetRow>('SELECT body FROM rulesets WHERE shadow');
      shadow = shadowRow ? validate(shadowRow.body) : null;
      const [row] = await database.query<RulesetRow>('SELECT version, body FROM rulesets WHERE active');
      if (row) {
        active = validate(row.body);
        return active;
      }
      const shipped = loadDefaultRuleset();
      const [existing] = await database.query<{ version: string }>('SELECT version FROM rulesets WHERE version = $1', [
        shipped.version,
      ]);
      if (!existing) await store(shipped, 'shipped default');
      return activate(shipped.version);
    },
    async create(candidate: unknown, options: { note?: string; activate?: boolean }): Promise<Ruleset> {
      const ruleset = validate(candidate);
      await store(ruleset, options.note ?? null);
      if (options.activate) await activate(ruleset.version);
      return ruleset;
    },
    activate: (version: string) => activate(version),
    /** One keyset page of versions, newest first (limit+1 rows). */
    list: (page: { limit: number; after: readonly [string, string] | null }) => {
      const keyset = keysetSql({ columns: ['created_at', 'version'], direction: 'desc' }, page, 1);
      return database.query<Omit<RulesetRow, 'body'> & { rules: number; shadow: boolean }>(
        `SELECT version, active, shadow, created_at, activated_at, note, jsonb_array_length(body->'rules') AS rules
         FROM rulesets WHERE ${keyset.where} ${keyset.orderBy}`,
        keyset.params,
      );
    },
    async get(version: string): Promise<RulesetRow> {
      const [row] = await database.query<RulesetRow>(
        'SELECT version, body, active, created_at, activated_at, note FROM rulesets WHERE version = $1',
        [version],
      );
      if (!row) throw new ApiError(404, 'not_found', `ruleset ${version} not found`);
      return row;
    },
  };
}

export type RulesetsService = ReturnType<typeof makeRulesetsService>;
