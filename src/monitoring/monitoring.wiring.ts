// Wires live monitoring for the composition root: the series, alert rules with their evaluator, emergency levers.
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { makeMonitoringService } from './monitoring.service.ts';
import { makeAlertRules } from './alert-rules.service.ts';
import { makeEmergencyLevers } from './emergency-levers.service.ts';
import { monitoringRoutes } from './monitoring.routes.ts';
import { makeMonitoringStreams } from './monitoring.stream.ts';

/** Levers are built first: the live engine reads them on every decision, before staff routes exist. */
export function makeMonitoringLevers(dependencies: { database: Database; clock: Clock; ids: Ids }) {
  return makeEmergencyLevers(dependencies);
}

export function makeMonitoringContext(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  levers: ReturnType<typeof makeEmergencyLevers>;
}) {
  const { database, clock, ids, levers } = dependencies;
  const monitoring = makeMonitoringService({ database, clock });
  const alertRules = makeAlertRules({ database, clock, ids, onEvaluate: levers.recordExpiries });
  const streams = makeMonitoringStreams();
  const routes = monitoringRoutes({ database, clock, ids, monitoring, alertRules, levers, streams });
  return {
    monitoring,
    alertRules,
    levers,
    routes,
    /** Ends every open monitoring stream (the server is shutting down). */
    closeStreams: streams.closeAll,
    /** The scheduled round: records ended levers, then evaluates alert rules (one process per round). */
    task: { name: 'alert_rules', run: alertRules.evaluate },
  };
}
