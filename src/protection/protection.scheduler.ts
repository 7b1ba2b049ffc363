// Runs the time-driven work (collection steps, case SLA checks) on an interval; each task is idempotent, so overlap is harmless.
import type { Database } from '../storage/database.ts';

export interface ScheduledTask {
  readonly name: string;
  run(): Promise<number>;
}

export function makeScheduler(options: {
  tasks: readonly ScheduledTask[];
  onError?: (task: string, error: unknown) => void;
  /** On PostgreSQL each task runs in one process of the cluster at a time (the others skip that tick). */
  database?: Database;
}) {
  const runTask = options.database ? onceInCluster(options.database) : (task: ScheduledTask) => task.run();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Record<string, number>> | null = null;

  async function tickOnce(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const task of options.tasks) {
      try {
        counts[task.name] = await runTask(task);
      } catch (error) {
        // One failing task must not starve the others; it is retried on the next tick.
        options.onError?.(task.name, error);
        counts[task.name] = 0;
      }
    }
    return counts;
  }

  return {
    tick() {
      running ??= tickOnce().finally(() => {
        running = null;
      });
      return running;
    },
    start(intervalMilliseconds: number) {
      timer ??= setInterval(() => void this.tick(), intervalMilliseconds);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * A transaction-scoped advisory lock per task name, held while the task runs on other connections: a second process
 * whose tick comes meanwhile skips the task instead of working the same items. PGlite is one process (and one
 * connection, which the held transaction would block): no lock there.
 */
function onceInCluster(database: Database) {
  return async (task: ScheduledTask): Promise<number> => {
    if (database.kind !== 'postgres') return task.run();
    return database.transaction(async (tx) => {
      const [row] = await tx.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_xact_lock(hashtext('rearguard_scheduler'), hashtext(current_schema() || ':' || $1)) AS locked",
        [task.name],
      );
      return row?.locked ? task.run() : 0;
    });
  };
}
