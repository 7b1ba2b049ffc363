// Shadow rulesets on live traffic: the would-be outcome stored beside each decision, and how often it disagreed.
import type { DecisionHook } from '../checkout/checkout.service.ts';
import type { SqlExecutor } from '../storage/database.ts';

/**
 * Runs in the decision's transaction. The engine already evaluated the shadow beside the active ruleset on the same
 * features, so this adds one INSERT to a transaction that is written anyway, and no read.
 */
export const rulesetShadowHook: DecisionHook = async (tx, context) => {
  const shadow = context.decision.shadow;
  if (shadow === undefined) return {};
  await tx.query(
    `INSERT INTO ruleset_shadow_outcomes
       (decision_id, ruleset_version, active_version, outcome, active_outcome, rule_hits, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (decision_id) DO NOTHING`,
    [
      context.decisionId,
      shadow.ruleset,
      context.decision.versions.ruleset ?? 'unknown',
      shadow.outcome,
      context.decision.outcome,
      JSON.stringify(shadow.ruleHits),
      context.at,
    ],
  );
  return {};
};

export interface ShadowComparison {
  version: string;
  decisions: number;
  agreed: number;
  disagreed: number;
  /** Active outcome -> shadow outcome -> decisions, only where they differ. */
  disagreements: { active: string; shadow: string; decisions: number }[];
}

export async function compareRulesetShadow(db: SqlExecutor, version: string): Promise<ShadowComparison> {
  const rows = await db.query<{ active_outcome: string; outcome: string; decisions: string | number }>(
    `SELECT active_outcome, outcome, count(*) AS decisions FROM ruleset_shadow_outcomes
     WHERE ruleset_version = $1 GROUP BY active_outcome, outcome ORDER BY active_outcome, outcome`,
    [version],
  );
  const counted = rows.map((row) => ({ ...row, decisions: Number(row.decisions) }));
  const agreed = counted
    .filter((row) => row.outcome === row.active_outcome)
    .reduce((sum, row) => sum + row.decisions, 0);
  const total = counted.reduce((sum, row) => sum + row.decisions, 0);
  return {
    version,
    decisions: total,
    agreed,
    disagreed: total - agreed,
    disagreements: counted
      .filter((row) => row.outcome !== row.active_outcome)
      .map((row) => ({ active: row.active_outcome, shadow: row.outcome, decisions: row.decisions })),
  };
}
