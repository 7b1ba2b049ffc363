// `rearguard start --workers N`: a primary process that keeps N server workers behind one port (node:cluster).
import cluster, { type Worker } from 'node:cluster';

/** A worker that dies sooner than this after its start counts as crashing: the next restart waits longer. */
const healthyAfterMilliseconds = 10_000;
const maximumRestartDelayMilliseconds = 30_000;

export interface ClusterMessage {
  readonly kind: 'listening';
}

/** In a worker: tell the primary the server is listening (the primary starts the next worker then). */
export function reportListening(): void {
  if (cluster.isWorker) process.send?.({ kind: 'listening' } satisfies ClusterMessage);
}

/**
 * Forks the first worker and waits until it listens, so one process applies migrations (and seeds the demo) before
 * the others start; then forks the rest. A worker that dies is replaced, with a growing delay while it keeps crashing.
 * The port is shared: the primary accepts connections and hands them to the workers in turn.
 */
export async function runPrimary(workers: number, log: (line: string) => void): Promise<number> {
  let stopping = false;
  let crashes = 0;
  const startedAt = new Map<number, number>();

  function fork(): Promise<Worker> {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return new Promise((resolve) => {
      const onMessage = (message: ClusterMessage) => {
        if (message?.kind !== 'listening') return;
        worker.off('message', onMessage);
        resolve(worker);
      };
      worker.on('message', onMessage);
      // A worker that exits before listening resolves too: the exit handler below replaces it.
      worker.once('exit', () => resolve(worker));
    });
  }

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) return;
    crashes = lived < healthyAfterMilliseconds ? crashes + 1 : 0;
    const delay = Math.min(maximumRestartDelayMilliseconds, crashes <= 1 ? 0 : 250 * 2 ** crashes);
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting a replacement in ${delay} ms`);
    setTimeout(() => void fork(), delay);
  });

  await fork();
  await Promise.all(Array.from({ length: workers - 1 }, () => fork()));
  log(`primary ${process.pid}: ${workers} workers started`);

  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Each worker finishes its requests and closes its database; the primary leaves when the last one has.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 50);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return 0;
}
