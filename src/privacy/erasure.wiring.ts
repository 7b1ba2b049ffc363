// Wires erasure: the service over the ordered steps, its routes, and the tasks every node runs on its scheduler.
import type { Config } from '../config.ts';
import type { ListsService } from '../ops/lists.service.ts';
import { makeScheduler } from '../protection/protection.scheduler.ts';
import type { OnlineStateService } from '../risk/state/online-state.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { makePrivacyRetentionTask } from './privacy.retention.ts';
import { erasureRoutes } from './erasure.routes.ts';
import { makeErasureService } from './erasure.service.ts';
import { erasureSteps } from './erasure.steps.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import type { SealedReader } from './erasure.subject.ts';

export function makeErasureContext(dependencies: {
  config: Config;
  database: Database;
  clock: Clock;
  ids: Ids;
  pseudonyms: Pseudonyms;
  openInput?: SealedReader['openInput'];
  onlineState: OnlineStateService;
  lists: ListsService;
  /** Drops cached subjects (and their data keys) once someone was erased, here or on another node. */
  forgetCachedSubjects?: () => void;
  onError: (task: string, error: unknown) => void;
}) {
  const { config, database, clock, ids, pseudonyms, onlineState, lists } = dependencies;
  /** The latest erasure this process has purged from memory (its own or another node's). */
  let purgedUpTo = 0;
  async function purgeMemory(): Promise<void> {
    const latest = await service.latestFinished();
    dependencies.forgetCachedSubjects?.();
    await onlineState.rebuild();
    await lists.reload();
    purgedUpTo = Math.max(purgedUpTo, latest);
  }
  const service = makeErasureService({
    database,
    clock,
    ids,
    privacy: config.privacy,
    pseudonyms,
    ...(dependencies.openInput ? { openInput: dependencies.openInput } : {}),
    steps: erasureSteps,
    afterErasure: purgeMemory,
  });
  const scheduler = makeScheduler({
    tasks: [
      // Requests accepted but not finished at once (a crash, a failure, several nodes): the oldest first.
      { name: 'erasure_requests', run: () => service.workPending() },
      // Checked after the round, so a request finished in it is not reported as pending.
      { name: 'erasure_overdue', run: () => service.alertOverdue() },
      {
        // Another node erased someone: this node's in-memory state still knows them until it rebuilds.
        name: 'erasure_memory',
        async run() {
          if ((await service.latestFinished()) <= purgedUpTo) return 0;
          await purgeMemory();
          return 1;
        },
      },
      makePrivacyRetentionTask({ database, clock, privacy: config.privacy }),
    ],
    onError: dependencies.onError,
  });
  return {
    service,
    scheduler,
    routes: erasureRoutes(service),
    /**
     * `erasuresPurged`: the state started with holds nobody erased up to this finished_seq (a rebuild's read came after
     * them, or the snapshot's state had been purged of them when it was cut); whoever was erased after is still in it
     * until the first round rebuilds it. Not the snapshot's time: a process purges another's erasure a round after it
     * finished, and a snapshot written in between, dated after the erasure, still held the person.
     */
    async start(intervalMilliseconds: number, erasuresPurged: number) {
      purgedUpTo = erasuresPurged;
      scheduler.start(intervalMilliseconds);
    },
    stop: () => scheduler.stop(),
  };
}
