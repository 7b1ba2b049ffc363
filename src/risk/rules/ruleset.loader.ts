// Loads and checks a ruleset: schema-valid, unique rule ids, and every feature it names exists in the catalogue.
import { readFileSync } from 'node:fs';
import { featureCatalogue } from '../features/feature.catalogue.ts';
import { conditionDepth, featuresOf, maxConditionDepth, rulesetSchema, type Ruleset } from './rule.schema.ts';

export type RulesetCheck =
  { readonly kind: 'ok'; readonly ruleset: Ruleset } | { readonly kind: 'invalid'; readonly errors: readonly string[] };

const knownFeatures = new Set(featureCatalogue.map((definition) => definition.name));

/** For rulesets coming from the database or the ops console: problems are reported, not thrown. */
export function checkRuleset(candidate: unknown): RulesetCheck {
  if (conditionDepth(candidate) > maxConditionDepth)
    return { kind: 'invalid', errors: [`rules: conditions nest deeper than ${maxConditionDepth} levels`] };
  const parsed = rulesetSchema.safeParse(candidate);
  if (!parsed.success)
    return { kind: 'invalid', errors: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  const errors: string[] = [];
  const ids = new Set<string>();
  const conditions = [
    ...parsed.data.rules.map((rule) => ({ id: rule.id, condition: rule.condition })),
    ...parsed.data.score.items.map((item) => ({ id: `score.${item.id}`, condition: item.condition })),
  ];
  for (const rule of parsed.data.rules) {
    if (ids.has(rule.id)) errors.push(`rules: duplicate id ${rule.id}`);
    ids.add(rule.id);
  }
  for (const { id, condition } of conditions) {
    for (const feature of featuresOf(condition)) {
      if (!knownFeatures.has(feature) && !feature.startsWith('emd_')) errors.push(`${id}: unknown feature ${feature}`);
    }
  }
  return errors.length === 0 ? { kind: 'ok', ruleset: parsed.data } : { kind: 'invalid', errors };
}

/** The shipped default ruleset; a broken file is a programming error, so this one throws. */
export function loadDefaultRuleset(): Ruleset {
  const file = new URL('../../../rules/default.json', import.meta.url);
  const check = checkRuleset(JSON.parse(readFileSync(file, 'utf8')));
  if (check.kind === 'invalid') throw new Error(`rules/default.json is invalid: ${check.errors.join('; ')}`);
  return check.ruleset;
}
