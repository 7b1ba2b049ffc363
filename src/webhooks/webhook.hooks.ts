// Decision hook: an approved order is announced to the merchant's subscribed endpoints in the decision's transaction.
import type { Ids } from '../shared/ids.ts';
import type { DecisionHook } from '../checkout/checkout.service.ts';
import { enqueueWebhook } from './webhook.enqueue.ts';

export function makeOrderApprovedWebhookHook(dependencies: { ids: Ids }): DecisionHook {
  return async (tx, context) => {
    if (context.decision.outcome !== 'approved' || context.orderId === null) return {};
    const input = context.session.input;
    await enqueueWebhook(tx, dependencies.ids, {
      merchantId: context.merchant.id,
      event: 'order.approved',
      payload: {
        order_id: context.orderId,
        session_id: context.session.id,
        decision_id: context.decisionId,
        merchant_reference: input.merchant_reference,
        amount: input.amount,
        delivery_address: input.shipping_address ?? input.billing_address,
        delivery_requirements: context.decision.deliveryRequirements ?? [],
      },
      at: context.at,
    });
    return {};
  };
}
