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

  async function activate(version: string): Promise<Ruleset> {
    const ruleset = await database.transaction(async (tx) => {
      const [row] = await tx.query<RulesetRow>('SELECT version, body FROM rulesets WHERE version = $1', [version]);
      if (!row) throw new ApiError(404, 'not_found', `ruleset ${version} not found`);
      await tx.query('UPDATE rulesets SET active = false WHERE active');
      await tx.query('UPDATE rulesets SET active = true, activated_at = $2 WHERE version = $1', [
        version,
        new Date(clock.now()),
      ]);
      return validate(row.body);
    });
    active = ruleset;
    return ruleset;
  }

  return {
    /** The ruleset decisions use now; read on every decision. */
    current: () => active,
    validate,
    /** On start: the active stored ruleset, or the shipped default stored and activated on first start. */
    async load(): Promise<Ruleset> {
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
    activate,
    /** One keyset page of versions, newest first (limit+1 rows). */
    list: (page: { limit: number; after: readonly [string, string] | null }) => {
      const keyset = keysetSql({ columns: ['created_at', 'version'], direction: 'desc' }, page, 1);
      return database.query<Omit<RulesetRow, 'body'> & { rules: number }>(
        `SELECT version, active, created_at, activated_at, note, jsonb_array_length(body->'rules') AS rules
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
