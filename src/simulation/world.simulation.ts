// The simulation loop: a timeline of shopping and fraud campaigns, written as import records in time order.
import type { ImportAccount, ImportOrder, ImportRecord } from '../ingest/import.schema.ts';
import type { Attacker, AttackContext } from './attackers.simulation.ts';
import { makeMarket } from './catalogue.simulation.ts';
import type { AccountDetails } from './context.simulation.ts';
import { campaignLaunchers } from './fraud.typologies.ts';
import { IdentityFactory } from './identity.simulation.ts';
import {
  dayMilliseconds,
  resolveSimulationOptions,
  typologies,
  type SimulationOptionsInput,
  type Typology,
} from './options.simulation.ts';
import { legitimateOrder } from './orders.simulation.ts';
import { makeRecordSerializer } from './ndjson.simulation.ts';
import { makePopulation } from './population.simulation.ts';
import { Random, WeightedPicker } from './random.simulation.ts';
import { OrderSchedule } from './schedule.simulation.ts';
import { cities } from './vocabulary.simulation.ts';

/** Where records go: as NDJSON lines (files, streams) or as objects (tests, in-process import). */
export type SimulationSink =
  | { readonly format: 'line'; write(line: string): void | Promise<void> }
  | { readonly format: 'record'; write(record: ImportRecord): void | Promise<void> };

export type ProgressListener = (ordersWritten: number, ordersTotal: number) => void;

export interface SimulationSummary {
  orders: number;
  accounts: number;
  fraudOrders: number;
  byOutcome: Record<string, number>;
  byTypology: Record<string, number>;
  firstPlacedAt: string | null;
  lastPlacedAt: string | null;
}

/** Orders placed per hour of the day, from night-time lows to the evening peak. */
const hourlyActivity = [
  3, 1.5, 1, 0.7, 0.6, 0.8, 1.5, 3, 4.5, 5.5, 6, 6.2, 6.5, 6.3, 6, 6, 6.2, 6.5, 7, 8, 9, 9.5, 8, 5,
];
const hourlyCumulative = hourlyActivity
  .reduce<number[]>((sums, weight) => [...sums, (sums.at(-1) ?? 0) + weight], [0])
  .map((sum, _, sums) => sum / (sums.at(-1) ?? 1));

/** Maps "activity time" (uniform) to clock time with a daily rhythm; monotone, so order is kept. */
function clockTime(startAt: number, activityDays: number): number {
  const day = Math.floor(activityDays);
  const fraction = activityDays - day;
  let hour = 0;
  while (hour < 23 && (hourlyCumulative[hour + 1] ?? 1) <= fraction) hour += 1;
  const low = hourlyCumulative[hour] ?? 0;
  const high = hourlyCumulative[hour + 1] ?? 1;
  return startAt + Math.floor((day + (hour + (fraction - low) / (high - low)) / 24) * dayMilliseconds);
}

export async function simulate(
  input: SimulationOptionsInput,
  sink: SimulationSink,
  onProgress?: ProgressListener,
): Promise<SimulationSummary> {
  const options = resolveSimulationOptions(input);
  const random = new Random(options.seed);
  const profile = options.profile;
  const identities = new IdentityFactory(random, (cityIndex) =>
    Math.max(profile.minimumPickupPoints, Math.round((cities[cityIndex]?.weight ?? 0) * profile.pickupPointsPerWeight)),
  );
  const market = makeMarket(random, options.merchants);
  const population = makePopulation(random, identities, options);
  const schedule = new OrderSchedule();
  const pendingAccounts: ImportAccount[] = [];
  const summary: SimulationSummary = {
    orders: 0,
    accounts: 0,
    fraudOrders: 0,
    byOutcome: {},
    byTypology: {},
    firstPlacedAt: null,
    lastPlacedAt: null,
  };
  let lastAt = Number.NEGATIVE_INFINITY;
  let orderCounter = 0;

  const context: AttackContext = {
    random,
    identities,
    market,
    population,
    options,
    attackers: [] as Attacker[],
    schedule: (at, build) => schedule.add(at, build),
    nextOrderId: () => `ord_${(orderCounter += 1).toString(36).padStart(6, '0')}`,
    openAccount: (details: AccountDetails, at: number) => {
      const id = identities.accountId();
      // Opened during the checkout itself, minutes before the order, never before the previous record.
      const createdAt = Math.max(lastAt, at - random.integer(5_000, 900_000));
      pendingAccounts.push({ type: 'account', id, created_at: new Date(createdAt).toISOString(), ...details });
      return id;
    },
  };

  const recordLine = makeRecordSerializer();
  const write = async (record: ImportRecord): Promise<void> => {
    const pending = sink.format === 'line' ? sink.write(recordLine(record)) : sink.write(record);
    if (pending !== undefined) await pending;
  };
  const endIso = options.censorAtEnd ? new Date(options.endAt).toISOString() : '9999-12-31T23:59:59.999Z';
  const emitOrder = async (order: ImportOrder, at: number): Promise<void> => {
    for (const account of pendingAccounts) {
      summary.accounts += 1;
      await write(account);
    }
    pendingAccounts.length = 0;
    const written = censor(order, endIso);
    await write(written);
    lastAt = at;
    summary.orders += 1;
    summary.firstPlacedAt ??= written.placed_at;
    summary.lastPlacedAt = written.placed_at;
    summary.byOutcome[written.outcome] = (summary.byOutcome[written.outcome] ?? 0) + 1;
    if (written.typology !== undefined) {
      summary.fraudOrders += 1;
      summary.byTypology[written.typology] = (summary.byTypology[written.typology] ?? 0) + 1;
    }
    if (onProgress !== undefined && summary.orders % 5000 === 0) onProgress(summary.orders, options.orders);
  };

  // Customers from before the window come first, oldest account first.
  for (const holder of population.accountHolders) {
    summary.accounts += 1;
    await write({
      type: 'account',
      id: holder.accountId ?? '',
      created_at: new Date(holder.accountCreatedAt).toISOString(),
      name: holder.name,
      email: holder.email,
      phone: holder.phone,
      date_of_birth: holder.dateOfBirth,
      address: holder.household.address.value,
    });
  }

  // A campaign of typology t starts with probability proportional to its share over its mean size,
  // so that each typology's share of fraudulent *orders* follows the mix.
  const campaignWeights = typologies.map((typology) => options.typologyMix[typology] / options.campaignSizes[typology]);
  const totalWeight = campaignWeights.reduce((sum, weight) => sum + weight, 0);
  const meanCampaignSize =
    totalWeight > 0 ? typologies.reduce((sum, typology) => sum + options.typologyMix[typology], 0) / totalWeight : 1;
  const campaignPicker = new WeightedPicker(totalWeight > 0 ? campaignWeights : typologies.map(() => 1));
  const rate = options.fraudRate;
  const campaignChance = rate === 0 ? 0 : rate / (meanCampaignSize * (1 - rate) + rate);
  const expectedSlots = options.orders / (1 - campaignChance + campaignChance * meanCampaignSize);
  const meanSlotGapDays = (options.endAt - options.startAt) / dayMilliseconds / expectedSlots;
  let activityDays = random.exponential(meanSlotGapDays);
  let nextSlotAt = clockTime(options.startAt, activityDays);

  while (summary.orders < options.orders) {
    if (schedule.nextAt() <= nextSlotAt) {
      const entry = schedule.take();
      if (entry === undefined) continue;
      const order = entry.build(entry.at);
      if (order !== null) await emitOrder(order, entry.at);
      continue;
    }
    const at = nextSlotAt;
    activityDays += random.exponential(meanSlotGapDays);
    nextSlotAt = Math.max(at, clockTime(options.startAt, activityDays));
    if (campaignChance > 0 && random.chance(campaignChance)) {
      const typology = typologies[campaignPicker.pick(random)] as Typology;
      campaignLaunchers[typology](context, at, options.campaignSizes[typology]);
      continue;
    }
    const consumer = population.consumers[population.activityPicker.pick(random)];
    const order = consumer === undefined ? null : legitimateOrder(context, consumer, at);
    if (order !== null) await emitOrder(order, at);
  }
  onProgress?.(summary.orders, options.orders);
  return summary;
}

/** In a real export, outcomes after the export date are unknown: the order is still open. */
function censor(order: ImportOrder, knownUntilIso: string): ImportOrder {
  // ISO-8601 UTC strings of one format compare correctly as text, and much faster than Date.parse.
  if (order.outcome_at === undefined || order.outcome_at <= knownUntilIso) return order;
  const { outcome_at: _outcomeAt, fraud_kind: _fraudKind, typology: _typology, ...rest } = order;
  return { ...rest, outcome: 'open' };
}
