// Runs the time-driven work (collection steps, case SLA checks) on an interval; each task is idempotent, so overlap is harmless.
export interface ScheduledTask {
  readonly name: string;
  run(): Promise<number>;
}

export function makeScheduler(options: {
  tasks: readonly ScheduledTask[];
  onError?: (task: string, error: unknown) => void;
}) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<Record<string, number>> | null = null;

  async function tickOnce(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const task of options.tasks) {
      try {
        counts[task.name] = await task.run();
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
