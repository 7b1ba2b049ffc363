// Wires the entity graph and the desk's list editing for the composition root: routes under /v1/ops, staff cookie.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { ListsService } from '../ops/lists.service.ts';
import { listsDeskRoutes } from '../ops/lists-desk.routes.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import type { RouteDefinition } from '../http/route.ts';
import { makeEntityGraphService } from './entity-graph.service.ts';
import type { GraphSealedReader } from './entity-graph.repository.ts';
import { makeGraphActions } from './graph-actions.service.ts';
import { graphRoutes } from './graph.routes.ts';
import type { AccountData } from '../privacy/account-data.ts';
import type { RiskEngine } from '../risk/engine.ts';

export function makeGraphContext(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  lists: ListsService;
  engine: Pick<RiskEngine, 'record'>;
  holdShipment: (member: StaffMember, orderId: string, reason: string) => Promise<unknown>;
  /** Orders keep their person sealed: the graph matches their pseudonyms and opens them to draw the values. */
  sealed?: GraphSealedReader;
  /** Opens the names of the accounts on the graph's orders. */
  accounts: AccountData;
}) {
  const { database, clock, ids, lists } = dependencies;
  const graph = makeEntityGraphService({
    database,
    accounts: dependencies.accounts,
    ...(dependencies.sealed ? { sealed: dependencies.sealed } : {}),
  });
  const actions = makeGraphActions({
    database,
    clock,
    ids,
    lists,
    engine: dependencies.engine,
    holdShipment: dependencies.holdShipment,
  });
  const routes: RouteDefinition[] = [
    ...graphRoutes({ graph, actions }),
    ...listsDeskRoutes({ database, clock, ids, lists }),
  ];
  return { graph, routes };
}
