// Nearness to confirmed fraud in the entity graph: shared devices, networks, channels and addresses, fading with time.
import type { EntityView } from '../state/feature-state.ts';
import { defineFamily, dayMs, type FeatureContext } from './feature.family.ts';

/** A fraud label loses half its weight every 30 days: rings move on, and devices and IPs change hands. */
const halfLifeDays = 30;

/**
 * One entity's link to fraud, in [0, 1]: the share of its orders labelled fraud (normalised by volume, so a
 * busy carrier-NAT IP with one fraud among thousands of orders is not "near fraud"), times the decay since the
 * latest label.
 */
export function fraudNearness(view: EntityView | null, at: number): number {
  if (view === null || view.fraudOrders <= 0 || view.lastFraudLabelAt === null || view.orderCount <= 0) return 0;
  const share = Math.min(1, view.fraudOrders / view.orderCount);
  const ageDays = Math.max(0, (at - view.lastFraudLabelAt) / dayMs);
  return Math.round(share * Math.pow(0.5, ageDays / halfLifeDays) * 10_000) / 10_000;
}

interface Prepared {
  readonly device: number;
  readonly ip: number;
  readonly email: number;
  readonly phone: number;
  readonly shipping: number;
  readonly shippingIsPickup: boolean;
}

export const graphFeatures = defineFamily<Prepared>(
  'identity',
  (context: FeatureContext) => {
    const at = context.input.at;
    const shipping = context.claim.shipping;
    return {
      device: fraudNearness(context.snapshot.device, at),
      ip: fraudNearness(context.snapshot.ip, at),
      email: fraudNearness(context.snapshot.email, at),
      phone: fraudNearness(context.snapshot.phone, at),
      shipping: fraudNearness(context.snapshot.shippingAddress, at),
      shippingIsPickup: shipping.isParcelLocker,
    };
  },
  [
    {
      name: 'fraud_nearness',
      type: 'number',
      meaning:
        "Nearness to confirmed fraud, 0..1: the highest, over this purchase's device, IP, e-mail, phone and home delivery address, of the share of that entity's orders labelled fraud, halved every 30 days since the latest label. Pick-up points are left out (see fraud_nearness_pickup).",
      compute: (p) => Math.max(p.device, p.ip, p.email, p.phone, p.shippingIsPickup ? 0 : p.shipping),
    },
    {
      name: 'fraud_nearness_pickup',
      type: 'number',
      meaning:
        'The same nearness for a delivery to a pick-up point or locker, kept apart: hundreds of honest shoppers share each point, so its fraud says less about this buyer.',
      compute: (p) => (p.shippingIsPickup ? p.shipping : 0),
    },
    {
      name: 'fraud_nearness_channels',
      type: 'number',
      meaning: 'Nearness to confirmed fraud through the typed e-mail or phone only (0..1, decaying as above).',
      compute: (p) => Math.max(p.email, p.phone),
    },
  ],
);
