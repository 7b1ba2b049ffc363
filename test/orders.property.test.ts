// Property: any sequence of captures, refunds, payments and cancels keeps invoice and payout ledger consistent to the cent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { databaseKinds } from './databases.ts';
import type { TestApplication } from './application.ts';
import { makeProtectionTestApplication, outboxTopics } from './protection.helpers.ts';
import { authorizedOrder, captureOnShipment, getOrder, payoutTotal, post, processorKey } from './orders.helpers.ts';

type Command =
  | { kind: 'capture'; share: number }
  | { kind: 'refund'; share: number }
  | { kind: 'pay'; share: number }
  | { kind: 'cancel' };

// A share of what is left, in percent: 100 is "all of it".
const share = fc.integer({ min: 1, max: 100 }).map((percent) => percent / 100);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('capture' as const), share }),
  fc.record({ kind: fc.constant('refund' as const), share }),
  fc.record({ kind: fc.constant('pay' as const), share }),
  fc.constant({ kind: 'cancel' as const }),
);

describe.each(databaseKinds)('order money on %s', (kind) => {
  let app: TestApplication;
  let payments = 0;
  beforeAll(async () => {
    app = await makeProtectionTestApplication(kind, { PAYMENT_PROCESSOR_KEY: processorKey });
    await captureOnShipment(app);
  });
  afterAll(async () => {
    await app.close();
  });

  /** Checks every invariant of one order against what the model says was captured, refunded and paid. */
  async function check(orderId: string, model: { captured: number; refunded: number; paid: number }) {
    const order = await getOrder(app, orderId);
    expect(order.captured.value).toBe(model.captured);
    expect(order.refunded.value).toBe(model.refunded);
    expect(await payoutTotal(app, orderId)).toBe(model.captured - model.refunded);
    if (order.invoice === null) {
      expect(model.captured).toBe(0);
      return;
    }
    const invoice = order.invoice;
    const netPaid = invoice.paid.value - invoice.refund.value;
    expect(netPaid).toBe(model.paid);
    expect(invoice.amount.value).toBe(model.captured - model.refunded);
    const outstanding = model.captured - model.refunded - model.paid;
    expect(outstanding).toBeGreaterThanOrEqual(0);
    expect(invoice.outstanding.value).toBe(outstanding);
    expect(invoice.status).toBe(
      outstanding > 0 ? 'open' : invoice.amount.value === 0 && model.paid === 0 ? 'refunded' : 'paid',
    );
    // What went back to the consumer is exactly what the processor was asked to refund.
    const refunded = (await outboxTopics(app))
      .filter((row) => row.topic === 'payment.refund' && row.payload.order_id === orderId)
      .reduce((sum, row) => sum + Number(row.payload.amount), 0);
    expect(refunded).toBe(invoice.refund.value);
  }

  it('outstanding = captured - refunded - paid, never negative; payouts reconcile', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        const { orderId } = await authorizedOrder(app);
        const authorized = 93900;
        const model = { captured: 0, refunded: 0, paid: 0, open: true };
        for (const step of commands) {
          const view = await getOrder(app, orderId);
          if (step.kind === 'capture') {
            const left = authorized - model.captured;
            const amount = Math.max(1, Math.floor(left * step.share));
            const response = await post(app, `/v1/orders/${orderId}/captures`, {
              amount: { value: amount, currency: 'EUR' },
            });
            if (model.open && left > 0) {
              expect(response.statusCode).toBe(201);
              model.captured += amount;
              model.open = model.captured < authorized;
            } else expect(response.statusCode).toBeGreaterThanOrEqual(409);
          } else if (step.kind === 'refund') {
            const refundable = model.captured - model.refunded;
            const amount = Math.max(1, Math.floor(refundable * step.share));
            const response = await post(app, `/v1/orders/${orderId}/refunds`, {
              amount: { value: amount, currency: 'EUR' },
            });
            if (refundable > 0) {
              expect(response.statusCode).toBe(201);
              model.refunded += amount;
              // What the consumer paid beyond the new amount is refunded to them.
              model.paid = Math.min(model.paid, model.captured - model.refunded);
            } else expect([409, 422]).toContain(response.statusCode);
          } else if (step.kind === 'pay') {
            const outstanding = model.captured - model.refunded - model.paid;
            if (outstanding <= 0 || view.invoice === null) continue;
            const amount = Math.max(1, Math.floor(outstanding * step.share));
            payments += 1;
            const response = await app.request('POST', `/v1/invoices/${view.invoice.id}/payments`, {
              key: processorKey,
              body: { amount: { value: amount, currency: 'EUR' }, reference: `prop-${kind}-${payments}` },
            });
            expect(response.statusCode).toBe(201);
            model.paid += amount;
          } else {
            const response = await post(app, `/v1/orders/${orderId}/cancel`, {});
            if (model.open) {
              expect(response.statusCode).toBe(200);
              model.open = false;
            } else expect(response.statusCode).toBe(409);
          }
          await check(orderId, model);
        }
      }),
      {
        numRuns: 30,
        // Always covered: a partial payment, then a refund larger than what is still owed.
        examples: [
          [
            [
              { kind: 'capture', share: 1 },
              { kind: 'pay', share: 0.5 },
              { kind: 'refund', share: 0.9 },
              { kind: 'pay', share: 1 },
            ],
          ],
          // A refund beyond what was owed, then a new capture: paying the rest is not an overpayment (seed -706297785).
          [
            [
              { kind: 'capture', share: 0.01 },
              { kind: 'pay', share: 0.19 },
              { kind: 'refund', share: 0.76 },
              { kind: 'refund', share: 0.35 },
              { kind: 'capture', share: 0.01 },
              { kind: 'pay', share: 0.6 },
              { kind: 'pay', share: 0.92 },
            ],
          ],
        ],
      },
    );
  }, 300_000);
});
