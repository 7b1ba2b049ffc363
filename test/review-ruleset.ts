// The desk's own lever in tests: the shipped ruleset plus a rule that holds every purchase above EUR 100 for review.
import { readFileSync } from 'node:fs';

export const shippedRuleset = JSON.parse(readFileSync(new URL('../rules/default.json', import.meta.url), 'utf8'));

export function reviewLargeRuleset(version = 'review-large-1') {
  const ruleset = structuredClone(shippedRuleset);
  ruleset.version = version;
  ruleset.rules.unshift({
    id: 'review_large',
    description: 'Review anything above EUR 100',
    condition: { kind: 'cmp', feature: 'cart_amount', op: 'gt', value: 10000 },
    action: 'review',
    reason: { code: 'large_order_review', message: 'We check larger orders by hand.' },
  });
  return ruleset;
}
