// The rule language: conditions over features as a JSON AST, rules, score items and a versioned ruleset, all zod-validated.
import { z } from 'zod';
import { challengeMethods, ruleActions } from '../engine.ts';
import { expectedLossSchema } from '../policy/expected.loss.ts';

export const comparisonOperators = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte'] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const featureName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'a feature name such as cart_amount');

export type Condition =
  | { readonly kind: 'all'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'any'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'not'; readonly condition: Condition }
  | {
      readonly kind: 'cmp';
      readonly feature: string;
      readonly op: ComparisonOperator;
      readonly value: number | string | boolean | null;
    }
  | { readonly kind: 'in'; readonly feature: string; readonly values: readonly (number | string)[] }
  | { readonly kind: 'exists'; readonly feature: string };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('all'), conditions: z.array(conditionSchema).min(1) }),
    z.object({ kind: z.literal('any'), conditions: z.array(conditionSchema).min(1) }),
    z.object({ kind: z.literal('not'), condition: conditionSchema }),
    z.object({ kind: z.literal('cmp'), feature: featureName, op: z.enum(comparisonOperators), value: scalar }),
    z.object({
      kind: z.literal('in'),
      feature: featureName,
      values: z.array(z.union([z.number(), z.string()])).min(1),
    }),
    z.object({ kind: z.literal('exists'), feature: featureName }),
  ]),
);

export const ruleFamilies = ['identity', 'credit', 'hard'] as const;
export type RuleFamily = (typeof ruleFamilies)[number];

export const ruleSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  description: z.string().min(1),
  condition: conditionSchema,
  action: z.enum(ruleActions),
  reason: z.object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/),
    /** Shown to the consumer: plain words, no internals. */
    message: z.string().min(1),
  }),
  /** For step_up: the only challenge methods this rule accepts (e.g. the proofs at the bank for new customers). */
  challengeMethods: z.array(z.enum(challengeMethods)).min(1).optional(),
  /**
   * What kind of doubt a decline or review rule raises. `identity`: doubt whether the buyer is the person named, which
   * a proof can settle, so the policy asks (step_up) instead of refusing while a method exists. `credit`: exposure or
   * unpaid invoices, reason codes `credit_*`, never lifted by a proof. `hard` (also when absent: a rule acts as
   * written): evidence of fraud such as confirmed-fraud links or floods, never lifted by a proof either.
   */
  family: z.enum(ruleFamilies).optional(),
  enabled: z.boolean().default(true),
});

/** One line of the transparent points score: when the condition holds, add the points. */
export const scoreItemSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  condition: conditionSchema,
  points: z.number().min(-100).max(100),
});

export const rulesetSchema = z.object({
  version: z.string().min(1),
  rules: z.array(ruleSchema),
  score: z.object({
    items: z.array(scoreItemSchema),
    /** Points at which the score reaches 1. */
    scale: z.number().positive(),
  }),
  thresholds: z
    .object({
      stepUp: z.number().min(0).max(1),
      review: z.number().min(0).max(1),
      decline: z.number().min(0).max(1),
      /** When a provider did not answer, step up from this score instead of approving. */
      stepUpWhenProviderUnavailable: z.number().min(0).max(1),
    })
    // The policy tries decline, then review, then step-up: inverted bands would silently skip the milder outcomes.
    .superRefine((thresholds, context) => {
      const ordered: [keyof typeof thresholds, keyof typeof thresholds][] = [
        ['stepUpWhenProviderUnavailable', 'stepUp'],
        ['stepUp', 'review'],
        ['review', 'decline'],
      ];
      for (const [lower, higher] of ordered) {
        if (thresholds[lower] > thresholds[higher]) {
          context.addIssue({
            code: 'custom',
            path: [lower],
            message: `${lower} (${thresholds[lower]}) must not be above ${higher} (${thresholds[higher]})`,
          });
        }
      }
    }),
  /**
   * Costs that cut a calibrated model's probability into bands by expected loss (probability x amount vs the
   * friction of each action). Absent: the defaults in policy/expected.loss.ts. The thresholds above serve the
   * points score (no model) and models without calibration.
   */
  expectedLoss: expectedLossSchema.optional(),
});

/** Deeper conditions are no rule an analyst writes; the limit keeps parsing and evaluation off the stack's edge. */
export const maxConditionDepth = 32;

/**
 * How deeply conditions nest in a candidate ruleset as given (not yet parsed), measured with an explicit stack
 * so that a hostile nesting thousands deep is measured, not recursed into. Stops counting past `limit`.
 */
export function conditionDepth(candidate: unknown, limit = maxConditionDepth): number {
  let deepest = 0;
  const pending: { value: unknown; depth: number }[] = [{ value: candidate, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, depth } = item;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const entry of value) pending.push({ value: entry, depth });
      continue;
    }
    for (const [key, entry] of Object.entries(value)) {
      pending.push({ value: entry, depth: key === 'condition' || key === 'conditions' ? depth + 1 : depth });
    }
  }
  return deepest;
}

export type Rule = z.infer<typeof ruleSchema>;
export type ScoreItem = z.infer<typeof scoreItemSchema>;
export type Ruleset = z.infer<typeof rulesetSchema>;
export type RulesetInput = z.input<typeof rulesetSchema>;

/** Every feature a condition names, for checking a ruleset against the catalogue before it is used. */
export function featuresOf(condition: Condition): string[] {
  switch (condition.kind) {
    case 'all':
    case 'any':
      return condition.conditions.flatMap(featuresOf);
    case 'not':
      return featuresOf(condition.condition);
    case 'cmp':
    case 'in':
    case 'exists':
      return [condition.feature];
  }
}
