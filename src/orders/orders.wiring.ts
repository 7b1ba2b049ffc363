// Wires the order life-cycle for the composition root: its service, carriers, routes and the expiry task.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { RiskEngine } from '../risk/engine.ts';
import { makeScheduler } from '../protection/protection.scheduler.ts';
import { makeOrdersService } from './orders.service.ts';
import { makeCarriersService } from './carriers.service.ts';
import { carrierEventsPath, ordersRoutes } from './orders.routes.ts';
import { captureRawBodies } from './carrier.raw-body.ts';

export function makeOrdersContext(dependencies: {
  config: Config;
  database: Database;
  clock: Clock;
  ids: Ids;
  engine: RiskEngine;
  onSchedulerError?: (task: string, error: unknown) => void;
}) {
  const { config, database, clock, ids, engine } = dependencies;
  const orders = makeOrdersService({
    database,
    clock,
    ids,
    engine,
    invoiceDueDays: config.invoiceDueDays,
    authorizationDays: config.authorizationExpiryDays,
  });
  const carriers = makeCarriersService({ database, clock, ids });
  const scheduler = makeScheduler({
    tasks: [{ name: 'authorization_expiry', run: orders.expireAuthorizations }],
    database,
    ...(dependencies.onSchedulerError ? { onError: dependencies.onSchedulerError } : {}),
  });
  return {
    orders,
    carriers,
    scheduler,
    routes: ordersRoutes({ orders, carriers, database }),
    /** For checkout: every approved order enters the life-cycle in the decision's transaction. */
    onOrderPlaced: orders.placeApproved,
    /** Carrier signatures are checked over the exact bytes received. */
    registerRawBodies: (server: FastifyInstance) => captureRawBodies(server, carrierEventsPath),
    start: () => scheduler.start(config.schedulerIntervalMilliseconds),
    stop: () => scheduler.stop(),
  };
}

export type OrdersContext = ReturnType<typeof makeOrdersContext>;
