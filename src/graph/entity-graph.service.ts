// Searches the entity graph around one identifier, breadth first, within a bounded depth and size.
import { z } from 'zod';
import { ApiError } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { ordersTouching, type Frontier, type GraphSealedReader } from './entity-graph.repository.ts';
import {
  classifyIdentifier,
  clusterSchema,
  dropAddressClusters,
  entityKinds,
  graphEdgeSchema,
  graphNodeSchema,
  makeGraphBuilder,
  nodeId,
  orderEntities,
  type EntityKind,
  type EntityRef,
} from './entity-graph.ts';
import type { AccountData } from '../privacy/account-data.ts';

export const graphSchema = z.object({
  root: z.string().describe('The node the search started from'),
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
  clusters: z.array(clusterSchema).describe('Drop-address clusters: homes (not pick-up points) shared by accounts'),
  truncated: z.boolean().describe('True when the depth or size bound cut the search short: there is more'),
  limits: z.object({ depth: z.number(), max_nodes: z.number() }),
});
export type EntityGraph = z.infer<typeof graphSchema>;

export interface GraphSearch {
  readonly identifier: string;
  readonly kind?: EntityKind;
  /** Hops from order to order through shared entities (1 = the orders that carried the identifier). */
  readonly depth: number;
  readonly maxNodes: number;
}

/** Accounts sharing one home address before it counts as a drop address. */
export const dropAddressMinimumAccounts = 3;

const emptyFrontier = (): Record<EntityKind, string[]> =>
  Object.fromEntries(entityKinds.map((kind) => [kind, []])) as unknown as Record<EntityKind, string[]>;

export function makeEntityGraphService(dependencies: {
  database: Database;
  accounts: AccountData;
  sealed?: GraphSealedReader;
}) {
  const { database, sealed } = dependencies;

  /** Whether an order not drawn yet touches the entities the depth bound left unexpanded. */
  async function reachesFurther(frontier: readonly EntityRef[], seenOrders: ReadonlySet<string>): Promise<boolean> {
    const byKind = emptyFrontier();
    for (const ref of frontier) byKind[ref.kind].push(ref.key);
    const wanted = new Set(frontier.map(nodeId));
    // Coarse matches (a neighbour's postcode) may fill the page; a full page without an answer counts as "more".
    const limit = seenOrders.size + 50;
    const orders = await ordersTouching(database, dependencies.accounts, byKind as Frontier, limit, sealed);
    const further = orders.some(
      (order) => !seenOrders.has(order.id) && orderEntities(order).some((ref) => wanted.has(nodeId(ref))),
    );
    return further || orders.length === limit;
  }

  async function search(request: GraphSearch): Promise<EntityGraph> {
    const root = classifyIdentifier(request.identifier, request.kind);
    if (root === null) {
      throw new ApiError(422, 'invalid_identifier', `not a valid ${request.kind ?? 'identifier'}`, 'identifier');
    }
    const builder = makeGraphBuilder();
    const expanded = new Set<string>();
    const seenOrders = new Set<string>();
    let frontier: EntityRef[] = [root];
    let truncated = false;
    for (let hop = 0; hop < request.depth && frontier.length > 0; hop += 1) {
      const wanted = new Set(frontier.map(nodeId));
      for (const ref of frontier) expanded.add(nodeId(ref));
      const byKind = emptyFrontier();
      for (const ref of frontier) byKind[ref.kind].push(ref.key);
      // One row past the room left says whether the bound cut anything off.
      const room = Math.max(request.maxNodes - builder.size(), 0);
      const orders = await ordersTouching(database, dependencies.accounts, byKind as Frontier, room + 1, sealed);
      if (orders.length > room) truncated = true;
      const next = new Map<string, EntityRef>();
      for (const order of orders.slice(0, room)) {
        if (seenOrders.has(order.id)) continue;
        if (!orderEntities(order).some((ref) => wanted.has(nodeId(ref)))) continue;
        // An order comes whole with its entities or not at all, so the drawing never shows half an order.
        const fresh = new Set(
          orderEntities(order)
            .filter((ref) => !builder.has(ref))
            .map(nodeId),
        );
        if (builder.size() + fresh.size > request.maxNodes) {
          truncated = true;
          break;
        }
        seenOrders.add(order.id);
        for (const ref of builder.addOrder(order)) {
          if (!expanded.has(nodeId(ref))) next.set(nodeId(ref), ref);
        }
      }
      frontier = [...next.values()];
    }
    if (!truncated && frontier.length > 0) truncated = await reachesFurther(frontier, seenOrders);
    if (!builder.has(root)) builder.touch(root, root.key, new Date(0));
    const nodes = builder.nodes();
    const edges = builder.edges();
    return {
      root: nodeId(root),
      nodes,
      edges,
      clusters: dropAddressClusters(nodes, edges, dropAddressMinimumAccounts),
      truncated,
      limits: { depth: request.depth, max_nodes: request.maxNodes },
    };
  }

  return { search };
}

export type EntityGraphService = ReturnType<typeof makeEntityGraphService>;
