// Point-in-time replay: every order is decided on the state as it was just before it, by the server's own engine code.
import type { Decision, HistoryEvent } from '../risk/engine.ts';
import { decideCore, snapshotQuery } from '../risk/risk.engine.ts';
import { normaliseSession } from '../risk/normalise/session.normaliser.ts';
import { noLists } from '../risk/policy/list.view.ts';
import { gatherSignals, makeProviderSet, type ProviderSet } from '../risk/providers/provider.set.ts';
import type { Ruleset } from '../risk/rules/rule.schema.ts';
import { loadDefaultRuleset } from '../risk/rules/ruleset.loader.ts';
import type { FeatureState } from '../risk/state/feature-state.ts';
import { makeMemoryFeatureState, type MemoryFeatureState } from '../risk/state/memory.feature-state.ts';
import { makeGrowingEncoder, type FeatureEncoding } from './feature.encoding.ts';
import { makeRowStore } from './row.store.ts';

export const ruleOutcomes = ['approved', 'step_up', 'review', 'declined'] as const;

/** Third-party (identity) fraud drives step-up and decline; first-party fraud drives credit limits. */
export const fraudKinds = ['none', 'fraud_third_party', 'fraud_first_party'] as const;

/** The replayed history, column by column: one entry per order, in time order. */
export interface ReplayedHistory {
  readonly count: number;
  readonly encoding: FeatureEncoding;
  /** Row-major float32 features, `encoding.columns.length` per order, NaN = missing. */
  readonly rows: Float32Array;
  readonly orderIds: readonly string[];
  readonly placedAt: Float64Array;
  readonly amounts: Float64Array;
  /** When a fraud label became known (NaN: never). */
  readonly fraudKnownAt: Float64Array;
  /** When any outcome (payment, unpaid, legit label) became known (NaN: never; an open order). */
  readonly outcomeKnownAt: Float64Array;
  /** Index into `fraudKinds` of the first fraud label (0 = none yet): who committed it decides which model learns it. */
  readonly fraudKinds: Uint8Array;
  readonly typologies: readonly (string | null)[];
  /** Index into `ruleOutcomes`: what the ruleset alone (rules, then the points score) would have decided. */
  readonly ruleOutcomes: Uint8Array;
  readonly pointsScores: Float32Array;
  /** Rules hit per order: ids of order i are ruleHitIds[ruleHitOffsets[i] .. ruleHitOffsets[i+1]). */
  readonly ruleIds: readonly string[];
  readonly ruleHitIds: Uint16Array;
  readonly ruleHitOffsets: Uint32Array;
  readonly ruleset: Ruleset;
  /** Orders the engine could not decide (reported, never fatal) and the first error messages. */
  readonly failures: { readonly count: number; readonly first: readonly string[] };
}

export interface ReplayOptions {
  readonly ruleset?: Ruleset;
  readonly providers?: ProviderSet;
  readonly state?: FeatureState;
  /** Typology of a fraud order by order id, looked up when the replay ends (labels arrive after orders). */
  readonly typologyOf?: (orderId: string) => string | undefined;
  /** Every decision as it was made, e.g. for tests comparing replay with live decisions. */
  readonly onDecision?: (orderId: string, decision: Decision) => void;
  /** Called every `progressEvery` orders with the number of orders replayed. */
  readonly onProgress?: (orders: number) => void;
  readonly progressEvery?: number;
}

function isMemoryState(state: FeatureState): state is MemoryFeatureState {
  return typeof (state as Partial<MemoryFeatureState>).snapshotSync === 'function';
}

export async function replayHistory(
  events: AsyncIterable<HistoryEvent> | Iterable<HistoryEvent>,
  options: ReplayOptions = {},
): Promise<ReplayedHistory> {
  const ruleset = options.ruleset ?? loadDefaultRuleset();
  const providers = options.providers ?? makeProviderSet();
  const state = options.state ?? makeMemoryFeatureState();
  const memory = isMemoryState(state) ? state : null;
  const encoder = makeGrowingEncoder();
  const store = makeRowStore(encoder.width());
  const ruleIds = ruleset.rules.filter((rule) => rule.enabled).map((rule) => rule.id);
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]));
  const rowOf = new Map<string, number>();
  const orderIds: string[] = [];
  const placedAt: number[] = [];
  const amounts: number[] = [];
  const outcomes: number[] = [];
  const points: number[] = [];
  const hitIds: number[] = [];
  const hitOffsets: number[] = [0];
  const fraudKnownAt: number[] = [];
  const outcomeKnownAt: number[] = [];
  const kinds: number[] = [];
  const failures = { count: 0, first: [] as string[] };
  const progressEvery = options.progressEvery ?? 1000;

  for await (const event of events) {
    if (event.kind === 'order') {
      try {
        // Decide before applying the order itself: its own facts (and everything after it) stay unseen.
        const claim = normaliseSession(event.session);
        const query = snapshotQuery(claim, event.at);
        const snapshot = memory ? memory.snapshotSync(query) : await state.snapshot(query);
        const signals = await gatherSignals(providers, event.session, event.at);
        const input = {
          sessionId: event.orderId,
          merchantId: event.merchantId,
          merchantName: event.merchantId,
          at: event.at,
          session: event.session,
        };
        const decision = decideCore({ input, claim, snapshot, signals, ruleset, lists: noLists });
        options.onDecision?.(event.orderId, decision);
        const offset = store.add(encoder.register(decision.features));
        encoder.encodeInto(decision.features, store.data(), offset);
        rowOf.set(event.orderId, orderIds.length);
        orderIds.push(event.orderId);
        placedAt.push(event.at);
        amounts.push(event.session.amount.value);
        outcomes.push(ruleOutcomes.indexOf(decision.outcome));
        points.push(pointsOf(decision));
        for (const result of decision.ruleResults) {
          if (result.kind === 'hit') hitIds.push(ruleIndex.get(result.ruleId) ?? 0);
        }
        hitOffsets.push(hitIds.length);
        fraudKnownAt.push(Number.NaN);
        outcomeKnownAt.push(Number.NaN);
        kinds.push(0);
        if (orderIds.length % progressEvery === 0) options.onProgress?.(orderIds.length);
      } catch (error) {
        failures.count += 1;
        if (failures.first.length < 5) failures.first.push(`${event.orderId}: ${String(error)}`);
      }
    } else if (event.kind === 'payment' || event.kind === 'label') {
      const row = rowOf.get(event.orderId);
      if (row !== undefined) {
        const fraud = event.kind === 'label' && event.label !== 'legit';
        if (fraud && Number.isNaN(fraudKnownAt[row]!)) {
          fraudKnownAt[row] = event.at;
          kinds[row] = fraudKinds.indexOf(event.label);
        }
        if (!fraud && Number.isNaN(outcomeKnownAt[row]!)) outcomeKnownAt[row] = event.at;
      }
    }
    if (memory) memory.applySync(event);
    else await state.apply(event);
  }
  options.onProgress?.(orderIds.length);

  const typologyOf = options.typologyOf ?? (() => undefined);
  return {
    count: orderIds.length,
    encoding: encoder.spec(),
    rows: store.finish(encoder.width()),
    orderIds,
    placedAt: Float64Array.from(placedAt),
    amounts: Float64Array.from(amounts),
    fraudKnownAt: Float64Array.from(fraudKnownAt),
    outcomeKnownAt: Float64Array.from(outcomeKnownAt),
    fraudKinds: Uint8Array.from(kinds),
    typologies: orderIds.map((orderId, row) =>
      Number.isNaN(fraudKnownAt[row]!) ? null : (typologyOf(orderId) ?? 'unknown'),
    ),
    ruleOutcomes: Uint8Array.from(outcomes),
    pointsScores: Float32Array.from(points),
    ruleIds,
    ruleHitIds: Uint16Array.from(hitIds),
    ruleHitOffsets: Uint32Array.from(hitOffsets),
    ruleset,
    failures,
  };
}

/** Without a model the decision's score is the ruleset's points score. */
function pointsOf(decision: Decision): number {
  return decision.score ?? 0;
}
