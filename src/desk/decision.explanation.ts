// One decision explained twice: as the consumer sees it (outcome and reasons in plain words, nothing internal) and as
// an analyst sees it (score, rule hits, the model's top contributions in words, versions, claim against account).
import { z } from 'zod';
import type { DecisionRow } from '../checkout/checkout.repository.ts';
import type { SessionInput } from '../checkout/session.schema.ts';
import type { FeatureVector } from '../risk/engine.ts';
import { featureCatalogue } from '../risk/features/feature.catalogue.ts';
import { rankContributions } from '../model/reason-codes.ts';
import type { ServingModel } from '../training/model.artifact.ts';
import { makeFixedEncoder } from '../training/feature.encoding.ts';

const consumerHeadlines = {
  approved: 'Your purchase was approved: you pay later, by invoice.',
  step_up: 'We asked you to confirm it is you before approving this purchase.',
  review: 'A person on our team is checking this purchase; you will hear from the shop.',
  declined: 'We could not offer pay later for this purchase.',
} as const satisfies Record<DecisionRow['outcome'], string>;

export const contributionSchema = z.object({
  feature: z.string(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  /** Log-odds units; positive raised the risk. */
  contribution: z.number(),
  words: z.string(),
});

export const decisionExplanationSchema = z.object({
  id: z.string(),
  session_id: z.string(),
  merchant_id: z.string(),
  account_id: z.string().nullable(),
  outcome: z.string(),
  decided_at: z.string(),
  consumer: z.object({
    headline: z.string(),
    reasons: z.array(z.object({ code: z.string(), message: z.string() })),
    proofs_offered: z.array(z.object({ method: z.string(), target: z.string().nullable() })),
  }),
  analyst: z.object({
    score: z.number().nullable(),
    versions: z.object({ engine: z.string(), ruleset: z.string().nullable(), model: z.string().nullable() }),
    rule_hits: z.array(z.object({ rule_id: z.string(), action: z.string(), reason: z.string() })),
    rule_errors: z.array(z.object({ rule_id: z.string(), error: z.string() })),
    /** Null when the model that scored it is no longer loaded (its registry entry still describes it). */
    top_contributions: z.array(contributionSchema).nullable(),
    claim: z.object({
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      billing_address: z.string().nullable(),
      shipping_address: z.string().nullable(),
      device_id: z.string().nullable(),
      ip: z.string().nullable(),
    }),
    latency_ms: z.number(),
  }),
});
export type DecisionExplanation = z.infer<typeof decisionExplanationSchema>;

const meanings = new Map(featureCatalogue.map((definition) => [definition.name, definition.meaning]));

export const addressLine = (address: SessionInput['billing_address'] | undefined | null): string | null =>
  address ? `${address.street} ${address.house_number}, ${address.postal_code} ${address.city}` : null;

function describeValue(value: FeatureVector[string] | undefined): string {
  if (value === undefined || value === null) return 'unknown';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The features that raised this decision's score most, each with what it means and the value it had. */
export function topContributions(model: ServingModel, features: FeatureVector, limit = 5) {
  const encode = makeFixedEncoder(model.metadata.encoding);
  const contributions = model.scoring.contributions(encode(features));
  return rankContributions(contributions, model.scoring.featureNames)
    .slice(0, limit)
    .map((entry) => {
      const value = features[entry.feature] ?? null;
      const meaning = meanings.get(entry.feature) ?? entry.feature;
      return {
        feature: entry.feature,
        value,
        contribution: Math.round(entry.contribution * 1000) / 1000,
        words: `${meaning.replace(/\.$/, '')}: ${describeValue(value)}. This raised the risk.`,
      };
    });
}

export function explainDecision(decision: DecisionRow, model: ServingModel | null): DecisionExplanation {
  const input = decision.input as Partial<SessionInput>;
  return {
    id: decision.id,
    session_id: decision.session_id,
    merchant_id: decision.merchant_id,
    account_id: decision.account_id,
    outcome: decision.outcome,
    decided_at: decision.decided_at.toISOString(),
    consumer: {
      headline: consumerHeadlines[decision.outcome],
      reasons: decision.reasons.map((reason) => ({ code: reason.code, message: reason.message })),
      proofs_offered: decision.challenge_options.map((option) => ({
        method: option.method,
        target: option.maskedTarget,
      })),
    },
    analyst: {
      score: decision.score,
      versions: decision.versions,
      rule_hits: decision.rule_results.flatMap((result) =>
        result.kind === 'hit' ? [{ rule_id: result.ruleId, action: result.action, reason: result.reason.message }] : [],
      ),
      rule_errors: decision.rule_results.flatMap((result) =>
        result.kind === 'error' ? [{ rule_id: result.ruleId, error: result.error }] : [],
      ),
      top_contributions: model === null ? null : topContributions(model, decision.features),
      claim: {
        name: input.customer?.name ?? null,
        email: input.customer?.email ?? null,
        phone: input.customer?.phone ?? null,
        billing_address: addressLine(input.billing_address),
        shipping_address: addressLine(input.shipping_address ?? input.billing_address),
        device_id: input.device?.id ?? null,
        ip: input.device?.ip ?? null,
      },
      latency_ms: Math.round(decision.latency_us / 10) / 100,
    },
  };
}
