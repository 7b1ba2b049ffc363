// The entity graph on /v1/ops (staff cookie): search around an identifier, mark fraud, act on a drop-address cluster.
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import { entityKinds } from './entity-graph.ts';
import { graphSchema, type EntityGraphService } from './entity-graph.service.ts';
import { fraudLabels, type GraphActions } from './graph-actions.service.ts';
import { instantSchema } from '../http/instant.schema.ts';

/** The bounds an analyst may ask for: deeper or larger graphs are unreadable and slow to draw. */
export const graphBounds = { depth: { default: 2, max: 4 }, maxNodes: { default: 150, max: 400 } } as const;

const accountId = z.string().regex(/^acc_[0-9a-z]{1,40}$/);
const orderId = z.string().regex(/^ord_[0-9a-z]{1,40}$/);

export function graphRoutes(dependencies: { graph: EntityGraphService; actions: GraphActions }) {
  const { graph, actions } = dependencies;
  return [
    defineStaffRoute({
      method: 'GET',
      url: '/v1/ops/graph',
      summary:
        'The entity graph around an identifier (e-mail, phone, device, IP, address key, IBAN, account, order), bounded',
      tags: ['ops'],
      query: z.object({
        identifier: z.string().trim().min(1).max(300),
        kind: z.enum(entityKinds).optional().describe('Omit to let the server tell the kind from the value'),
        depth: z.coerce.number().int().min(1).max(graphBounds.depth.max).default(graphBounds.depth.default),
        max_nodes: z.coerce.number().int().min(10).max(graphBounds.maxNodes.max).default(graphBounds.maxNodes.default),
      }),
      responses: {
        200: { description: 'Nodes, edges, drop-address clusters; truncated says when bounded', schema: graphSchema },
      },
      handler: async ({ query }) => {
        const body = await graph.search({
          identifier: query.identifier,
          kind: query.kind,
          depth: query.depth,
          maxNodes: query.max_nodes,
        });
        return { status: 200, body };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/graph/mark-fraud',
      summary: 'Label every order of these accounts as confirmed fraud (audited per account)',
      tags: ['ops'],
      body: z.object({
        accounts: z.array(accountId).min(1).max(100),
        label: z.enum(fraudLabels).default('fraud_third_party'),
        note: z.string().trim().min(1).max(2000),
      }),
      responses: {
        200: {
          description: 'The orders labelled per account',
          schema: z.object({
            data: z.array(z.object({ account: z.string(), labelled_orders: z.array(z.string()) })),
          }),
        },
      },
      handler: async ({ staff: member, body }) => {
        return { status: 200, body: { data: await actions.markFraud(member, body) } };
      },
    }),
    defineStaffRoute({
      method: 'POST',
      url: '/v1/ops/graph/clusters/act',
      summary: 'Act on a drop-address cluster at once: block-list its addresses and devices, hold its open orders',
      tags: ['ops'],
      body: z.object({
        addresses: z.array(z.string().min(3).max(300).includes('|')).max(50).default([]),
        devices: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
        hold_orders: z.array(orderId).max(200).default([]),
        reason: z.string().trim().min(1).max(500),
        expires_at: instantSchema.optional(),
      }),
      responses: {
        200: {
          description: 'What was listed (or already was) and which orders were held',
          schema: z.object({
            listed: z.array(
              z.object({ kind: z.string(), value: z.string(), outcome: z.enum(['listed', 'already_listed']) }),
            ),
            held: z.array(z.string()),
          }),
        },
      },
      handler: async ({ staff: member, body }) => {
        const result = await actions.actOnCluster(member, {
          addresses: body.addresses,
          devices: body.devices,
          holdOrders: body.hold_orders,
          reason: body.reason,
          expiresAt: body.expires_at ? new Date(body.expires_at) : undefined,
        });
        return { status: 200, body: result };
      },
    }),
  ];
}
