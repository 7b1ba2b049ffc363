import { describe, expect, it } from 'vitest';
import { describeDelivery } from './order.delivery.ts';
import { redirectRefusal } from './carriers.service.ts';
import type { ShipmentStatus } from './orders.repository.ts';

const parcel = (status: ShipmentStatus) => ({
  status,
  carrier: 'postnl',
  tracking_number: `3S${status}`,
  updated_at: new Date('2026-11-02T10:00:00Z'),
});

describe('delivery shown to the consumer', () => {
  it.each<[string, ShipmentStatus[], string]>([
    ['nothing shipped', [], 'ordered'],
    ['handed to the carrier', ['shipped'], 'shipped'],
    ['on its way', ['in_transit'], 'shipped'],
    ['one of two parcels delivered', ['in_transit', 'delivered'], 'delivered'],
    ['every parcel went back', ['returned_to_sender', 'returned_to_sender'], 'returned'],
    ['one went back, one is on its way', ['returned_to_sender', 'in_transit'], 'shipped'],
  ])('%s', (_name, statuses, state) => {
    expect(describeDelivery(statuses.map(parcel)).state).toBe(state);
  });
});

describe('redirect refusal', () => {
  it.each<[string, string, string[], number, string | null]>([
    ['plain order', 'approved', [], 0, null],
    ['open claim', 'claimed', [], 1, 'order_under_claim'],
    ['confirmed fraud', 'fraud_confirmed', [], 0, 'order_under_claim'],
    ['delivery conditions', 'approved', ['no_redirect'], 0, 'delivery_conditions'],
  ])('%s', (_name, status, requirements, openClaims, refusal) => {
    expect(redirectRefusal({ status, delivery_requirements: requirements }, openClaims)).toBe(refusal);
  });
});
