// Directions of risk we know before any data: XGBoost's monotone constraints, so a tree cannot learn the opposite.
import type { FeatureEncoding } from './feature.encoding.ts';

/**
 * +1: more of it never lowers the risk; -1: it never raises the risk. Only where the direction holds for every
 * fraud shape and every market: sharing of one device, IP, address or phone between people, closeness to
 * confirmed fraud, and conflicts can only add doubt; a proven identity can only remove it. Everything else
 * (amounts, tenure, history) is left free: an account takeover targets good accounts, so "more paid orders"
 * has no safe direction.
 */
const rising: readonly RegExp[] = [
  /^distinct_(device|ip|shipping|phone)_(accounts|emails|names)_(24h|7d|30d)$/,
  /^(device|ip|shipping|email|phone)_(distinct|other)_(order_)?accounts$/,
  /^(device|ip|shipping|billing|email|phone|iban)_fraud_orders$/,
  /^fraud_nearness(_pickup|_channels)?$/,
  /^identity_conflict_count$/,
  /^bank_subject_conflicts?$/,
  /^iban_name_mismatch$/,
  /^provider_email_disposable$/,
];

const falling: readonly RegExp[] = [/^account_identity_proven$/, /^account_bank_identified$/];

export function monotoneDirection(featureName: string): -1 | 0 | 1 {
  if (rising.some((pattern) => pattern.test(featureName))) return 1;
  if (falling.some((pattern) => pattern.test(featureName))) return -1;
  return 0;
}

/** Category columns are codes without an order, so they stay free whatever their name. */
export function monotoneConstraints(encoding: FeatureEncoding): Record<string, -1 | 1> {
  const constraints: Record<string, -1 | 1> = {};
  for (const column of encoding.columns) {
    const direction = column.kind === 'category' ? 0 : monotoneDirection(column.name);
    if (direction !== 0) constraints[column.name] = direction;
  }
  return constraints;
}

/** XGBoost's parameter form: one direction per column in column order, e.g. "(0,1,-1)". */
export function monotoneParameter(encoding: FeatureEncoding): string {
  const constraints = monotoneConstraints(encoding);
  return `(${encoding.columns.map((column) => constraints[column.name] ?? 0).join(',')})`;
}
