// Wires the entity graph and the desk's list editing for the composition root: routes under /v1/ops, staff cookie.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { ListsService } from '../ops/lists.service.ts';
import { listsDeskRoutes } from '../ops/lists-desk.routes.ts';
import type { StaffAuth, StaffMember } from '../staff/staff-auth.service.ts';
import type { RouteDefinition } from '../http/route.ts';
import { makeEntityGraphService } from './entity-graph.service.ts';
import { makeGraphActions } from './graph-actions.service.ts';
import { graphRoutes } from './graph.routes.ts';
import type { AccountData } from '../privacy/account-data.ts';

export function makeGraphContext(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  auth: StaffAuth;
  lists: ListsService;
  holdShipment: (member: StaffMember, orderId: string, reason: string) => Promise<unknown>;
  /** Opens the names of the accounts on the graph's orders. */
  accounts: AccountData;
}) {
  const { database, clock, ids, auth, lists } = dependencies;
  const graph = makeEntityGraphService({ database, accounts: dependencies.accounts });
  const actions = makeGraphActions({ database, clock, ids, lists, holdShipment: dependencies.holdShipment });
  const routes: RouteDefinition[] = [
    ...graphRoutes({ auth, graph, actions }),
    ...listsDeskRoutes({ auth, database, clock, ids, lists }),
  ];
  return { graph, routes };
}
