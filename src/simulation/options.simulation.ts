// What a simulation can be asked for: the options schema, its defaults and the fraud typologies.
import { z } from 'zod';
import { worldProfileNames, worldProfiles, type WorldProfile } from './profiles.simulation.ts';

export const typologies = [
  'identity_misuse',
  'ghost_invoice',
  'account_takeover',
  'drop_address',
  'parcel_redirection',
  'first_party',
  'synthetic_identity',
  'burst',
  'interception',
  'low_value_probing',
  'billing_kept',
] as const;
export type Typology = (typeof typologies)[number];

/** Share of fraudulent orders per typology in the default world; identity misuse leads (the reported attack). */
export const defaultTypologyMix: Record<Typology, number> = worldProfiles.default.typologyMix;

/** Mean number of fraudulent orders one campaign places. */
export const defaultCampaignSizes: Record<Typology, number> = {
  identity_misuse: 2,
  ghost_invoice: 1.3,
  account_takeover: 1.8,
  drop_address: 12,
  parcel_redirection: 1.3,
  first_party: 2,
  synthetic_identity: 2,
  burst: 12,
  interception: 1.5,
  low_value_probing: 3,
  billing_kept: 1.8,
};

const typologyNumbers = z.partialRecord(z.enum(typologies), z.number().min(0));

export const simulationOptionsSchema = z.object({
  orders: z.number().int().min(1).max(50_000_000).default(100_000),
  seed: z.number().int().default(1),
  /** The world's rates of genuine behaviour and its attack mix (see profiles.simulation.ts). */
  profile: z.enum(worldProfileNames).default('default'),
  months: z.number().positive().max(120).default(6),
  start: z.iso.datetime({ offset: true }).or(z.iso.date()).default('2025-01-01T00:00:00Z'),
  fraudRate: z.number().min(0).max(0.5).default(0.01),
  /** Mean days until a third-party fraud label is known; each typology scales it (first party takes longer). */
  labelDelayDays: z.number().min(0).max(3650).default(21),
  /** Consumer population; by default one per four orders, so that repeat customers dominate. */
  consumers: z.number().int().min(10).optional(),
  merchants: z.number().int().min(8).max(10_000).default(40),
  /** Share of consumers who already had an account before the simulated window. */
  existingCustomerShare: z.number().min(0).max(1).default(0.3),
  typologyMix: typologyNumbers.default({}),
  campaignSizes: typologyNumbers.default({}),
  /** Outcomes not yet known at the end of the window become `open`, as in a real export. */
  censorAtEnd: z.boolean().default(false),
});

export type SimulationOptionsInput = z.input<typeof simulationOptionsSchema>;

export interface SimulationOptions {
  readonly orders: number;
  readonly seed: number;
  readonly profile: WorldProfile;
  readonly months: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly fraudRate: number;
  readonly labelDelayDays: number;
  readonly consumers: number;
  readonly merchants: number;
  readonly existingCustomerShare: number;
  readonly typologyMix: Record<Typology, number>;
  readonly campaignSizes: Record<Typology, number>;
  readonly censorAtEnd: boolean;
}

export const dayMilliseconds = 86_400_000;

/** Validates and fills defaults; throws a zod error naming the bad option. */
export function resolveSimulationOptions(input: SimulationOptionsInput): SimulationOptions {
  const parsed = simulationOptionsSchema.parse(input);
  const startAt = Date.parse(parsed.start);
  const profile = worldProfiles[parsed.profile];
  const typologyMix = { ...profile.typologyMix, ...parsed.typologyMix };
  if (parsed.fraudRate > 0 && typologies.every((typology) => typologyMix[typology] === 0)) {
    throw new Error('typology mix: at least one typology needs a share above 0');
  }
  return {
    orders: parsed.orders,
    seed: parsed.seed,
    profile,
    months: parsed.months,
    startAt,
    endAt: startAt + Math.round(parsed.months * 30.44 * dayMilliseconds),
    fraudRate: parsed.fraudRate,
    labelDelayDays: parsed.labelDelayDays,
    consumers: parsed.consumers ?? Math.max(200, Math.round(parsed.orders / 4)),
    merchants: parsed.merchants,
    existingCustomerShare: parsed.existingCustomerShare,
    typologyMix,
    campaignSizes: { ...defaultCampaignSizes, ...parsed.campaignSizes },
    censorAtEnd: parsed.censorAtEnd,
  };
}
