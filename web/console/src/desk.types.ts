// Shapes of the desk's /v1/ops answers as the console reads them (queue, case view, decision explanations).
import type { Money } from './api.ts';

export interface QueueItem {
  id: string;
  kind: 'review' | 'claim';
  merchant: { id: string | null; name: string | null };
  session_id: string | null;
  decision_id: string | null;
  order_id: string | null;
  account_id: string | null;
  claim_kind: string | null;
  amount: Money;
  score: number | null;
  expected_loss: number;
  due_at: string;
  seconds_remaining: number;
  lock: { staff_id: string; by: string; expires_at: string; mine: boolean } | null;
}

export interface DecisionExplanation {
  id: string;
  session_id: string;
  merchant_id: string;
  account_id: string | null;
  outcome: string;
  decided_at: string;
  consumer: {
    headline: string;
    reasons: { code: string; message: string }[];
    proofs_offered: { method: string; target: string | null }[];
  };
  analyst: {
    score: number | null;
    versions: { engine: string; ruleset: string | null; model: string | null };
    rule_hits: { rule_id: string; action: string; reason: string }[];
    rule_errors: { rule_id: string; error: string }[];
    top_contributions: { feature: string; contribution: number; words: string }[] | null;
    claim: Record<
      'name' | 'email' | 'phone' | 'billing_address' | 'shipping_address' | 'device_id' | 'ip',
      string | null
    >;
    latency_ms: number;
  };
}

export interface CaseView {
  item: QueueItem;
  decision: DecisionExplanation | null;
  account: {
    id: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    address: string | null;
    created_at: string;
    channels: { id: string; kind: string; value: string; verified_at: string | null }[];
    devices: { id: string; user_agent: string | null; last_seen: string }[];
    addresses: { key: string; text: string; last_used: string }[];
  } | null;
  timeline: { at: string; kind: string; detail: string | null }[];
  linked_entities: { kind: string; value: string; orders: number; other_accounts: string[] }[];
  orders: {
    id: string;
    merchant: string | null;
    amount: Money;
    status: string;
    placed_at: string;
    invoice: { id: string; status: string } | null;
  }[];
  contacts: {
    id: string;
    order_id: string;
    question: string;
    asked_by: string;
    asked_at: string;
    answer: string | null;
  }[];
  audit: { actor: string; action: string; at: string }[];
}

/** The SLA clock as the desk reads it. */
export function slaClock(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds <= 0) return 'overdue';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${hours}h ${String(minutes).padStart(2, '0')}m left`;
}

export const failureText = (failure: unknown) => (failure instanceof Error ? failure.message : 'that did not work');
