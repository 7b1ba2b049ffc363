// Sharing over time: distinct accounts, e-mails and names per device, IP, delivery address and phone, per window.
import type { FeatureValue } from '../engine.ts';
import type { DistinctParties, EntityView } from '../state/feature-state.ts';
import { defineFamily, type FeatureContext } from './feature.family.ts';

/**
 * Velocity counts orders; these count people. A family tablet shows two or three names over a month; a
 * fraudster's phone shows a new name every hour. 1 h is left out: at most a couple of orders fall into it.
 */
const windows = ['24h', '7d', '30d'] as const;
const parties = ['accounts', 'emails', 'names'] as const;

const entities = [
  ['device', 'this device', (context: FeatureContext) => context.snapshot.device],
  ['ip', 'this IP address', (context: FeatureContext) => context.snapshot.ip],
  ['shipping', 'this delivery address', (context: FeatureContext) => context.snapshot.shippingAddress],
  ['phone', 'this phone number', (context: FeatureContext) => context.snapshot.phone],
] as const;

type Prepared = Readonly<Record<(typeof entities)[number][0], EntityView | null>>;

const specs = entities.flatMap(([entity, description]) =>
  windows.flatMap((window) =>
    parties.map((party) => ({
      name: `distinct_${entity}_${party}_${window}`,
      type: 'number' as const,
      meaning: `Distinct ${party} seen with ${description} in the last ${window} before this purchase (0 when never seen; counts the 48 most recent orders).`,
      compute: (prepared: Prepared): FeatureValue =>
        (prepared[entity]?.distinctByWindow[window] as DistinctParties | undefined)?.[party] ?? 0,
    })),
  ),
);

export const sharingFeatures = defineFamily<Prepared>(
  'velocity',
  (context) => {
    const prepared: Record<string, EntityView | null> = {};
    for (const [entity, , viewOf] of entities) prepared[entity] = viewOf(context);
    return prepared as Prepared;
  },
  specs,
);
