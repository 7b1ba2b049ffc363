// Velocity: orders and amounts per entity in sliding windows of 1 hour, 24 hours, 7 days and 30 days.
import type { FeatureValue } from '../engine.ts';
import { windowNames, type Windows } from '../state/feature-state.ts';
import { emptyWindows } from '../state/window.counter.ts';
import { defineFamily, type FeatureContext } from './feature.family.ts';

const entities = [
  ['account', 'the resolved account', (context: FeatureContext) => context.resolution.account?.windows],
  ['device', 'this device', (context: FeatureContext) => context.snapshot.device?.windows],
  ['email', 'this e-mail', (context: FeatureContext) => context.snapshot.email?.windows],
  ['phone', 'this phone', (context: FeatureContext) => context.snapshot.phone?.windows],
  ['shipping', 'this delivery address', (context: FeatureContext) => context.snapshot.shippingAddress?.windows],
  ['ip', 'this IP address', (context: FeatureContext) => context.snapshot.ip?.windows],
] as const;

type Prepared = Readonly<Record<(typeof entities)[number][0], Windows>>;

const specs = entities.flatMap(([entity, description]) =>
  windowNames.flatMap((window) => [
    {
      name: `velocity_${entity}_orders_${window}`,
      type: 'number' as const,
      meaning: `Orders involving ${description} in the last ${window}.`,
      compute: (prepared: Prepared): FeatureValue => prepared[entity][window].count,
    },
    {
      name: `velocity_${entity}_amount_${window}`,
      type: 'number' as const,
      meaning: `Amount (minor units) of orders involving ${description} in the last ${window}.`,
      compute: (prepared: Prepared): FeatureValue => prepared[entity][window].amount,
    },
  ]),
);

export const velocityFeatures = defineFamily<Prepared>(
  'velocity',
  (context) => {
    const prepared: Record<string, Windows> = {};
    for (const [entity, , windowsOf] of entities) prepared[entity] = windowsOf(context) ?? emptyWindows;
    return prepared as Prepared;
  },
  specs,
);
