// Merchant-facing checkout routes: thin, each one line into the checkout service.
import { z } from 'zod';
import { defineRoute, type Merchant } from '../http/route.ts';
import type { CheckoutService } from './checkout.service.ts';
import { authorizationViewSchema, sessionViewSchema } from './checkout.presenter.ts';
import { sessionInputSchema } from './session.schema.ts';

const idParams = (prefix: string) => z.object({ id: z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{1,40}$`)) });

// Merchant routes always have a merchant: the server authenticates before the handler runs.
const owner = (merchant: Merchant | null) => merchant as Merchant;

/** Only the configured currencies (CURRENCIES) can be sold in; the rest is refused at the edge. */
function sessionBodySchema(currencies: readonly string[]) {
  return sessionInputSchema.superRefine((session, context) => {
    if (!currencies.includes(session.amount.currency)) {
      context.addIssue({
        code: 'custom',
        path: ['amount', 'currency'],
        message: `not a currency this provider sells in (${currencies.join(', ')})`,
      });
    }
  });
}

export function checkoutRoutes(
  checkout: CheckoutService,
  options: { currencies: readonly string[] } = { currencies: ['EUR'] },
) {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/sessions',
      summary: 'Create a checkout session (cart, claimed identity, addresses, device)',
      tags: ['checkout'],
      auth: 'merchant',
      idempotent: true,
      body: sessionBodySchema(options.currencies),
      responses: { 201: { description: 'Session created', schema: sessionViewSchema } },
      handler: async ({ merchant, body }) => ({
        status: 201,
        body: await checkout.createSession(owner(merchant), body),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/sessions/:id/authorize',
      summary: 'Decide on the session: approved, step_up, review or declined',
      tags: ['checkout'],
      auth: 'merchant',
      idempotent: true,
      params: idParams('ses'),
      responses: { 200: { description: 'The decision', schema: authorizationViewSchema } },
      handler: async ({ merchant, params }) => ({
        status: 200,
        body: await checkout.authorize(owner(merchant), params.id),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/sessions/:id',
      summary: 'Read a session and its latest decision',
      tags: ['checkout'],
      auth: 'merchant',
      params: idParams('ses'),
      responses: { 200: { description: 'The session', schema: sessionViewSchema } },
      handler: async ({ merchant, params }) => ({
        status: 200,
        body: await checkout.getSession(owner(merchant), params.id),
      }),
    }),
  ];
}
