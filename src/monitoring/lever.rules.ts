// An emergency lever as rules the live engine puts in front of the active ruleset, so the policy treats it as any rule.
import type { Condition, Rule } from '../risk/rules/rule.schema.ts';

export const leverActions = ['step_up', 'review'] as const;
export type LeverAction = (typeof leverActions)[number];

/** The reason a decision under a lever carries: its code tells consumer, merchant and analyst why. */
export const leverReasons: Record<LeverAction, { code: string; message: string }> = {
  step_up: {
    code: 'emergency_lever_step_up',
    message: 'We are checking extra carefully at this shop right now. Please confirm it is you.',
  },
  review: {
    code: 'emergency_lever_review',
    message: 'We are checking extra carefully at this shop right now, so a person looks at this order first.',
  },
};

export interface Lever {
  readonly id: string;
  readonly merchantId: string;
  readonly action: LeverAction;
  readonly newAddressOnly: boolean;
  /** Minor units; only orders of at least this amount. */
  readonly minimumAmount: number | null;
  readonly pulledAt: number;
  readonly expiresAt: number;
}

/** Rule ids name the lever, so a decision's rule hits say which lever acted. */
export const leverRuleId = (leverId: string) => `emergency_lever_${leverId.replace(/[^a-z0-9_]/g, '_')}`;

export function leverRule(lever: Lever): Rule {
  const conditions: Condition[] = [];
  if (lever.newAddressOnly) conditions.push({ kind: 'cmp', feature: 'shipping_on_file', op: 'eq', value: false });
  if (lever.minimumAmount !== null)
    conditions.push({ kind: 'cmp', feature: 'cart_amount', op: 'gte', value: lever.minimumAmount });
  // A lever on every order of the merchant: a condition that always holds (every order has an amount).
  if (conditions.length === 0) conditions.push({ kind: 'exists', feature: 'cart_amount' });
  return {
    id: leverRuleId(lever.id),
    description: `Emergency lever ${lever.id}: ${lever.action.replace('_', ' ')} until ${new Date(lever.expiresAt).toISOString()}`,
    condition: { kind: 'all', conditions },
    action: lever.action,
    reason: leverReasons[lever.action],
    enabled: true,
  };
}
