// The delivery state a consumer sees, derived only from real events: ordered, shipped, delivered or returned.
import type { ShipmentRow } from './orders.repository.ts';

export const deliveryStates = ['ordered', 'shipped', 'delivered', 'returned'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** Pure: one parcel delivered means the order arrived (in part); all returned means it went back. */
export function describeDelivery(
  shipments: readonly Pick<ShipmentRow, 'status' | 'carrier' | 'tracking_number' | 'updated_at'>[],
) {
  let state: DeliveryState = 'ordered';
  if (shipments.length > 0) state = 'shipped';
  if (shipments.some((shipment) => shipment.status === 'delivered')) state = 'delivered';
  else if (shipments.length > 0 && shipments.every((shipment) => shipment.status === 'returned_to_sender')) {
    state = 'returned';
  }
  const latest = shipments.reduce<Date | null>(
    (at, shipment) => (at === null || shipment.updated_at > at ? shipment.updated_at : at),
    null,
  );
  return {
    state,
    updated_at: latest?.toISOString() ?? null,
    shipments: shipments.map((shipment) => ({
      carrier: shipment.carrier,
      tracking_number: shipment.tracking_number,
      status: shipment.status,
    })),
  };
}
