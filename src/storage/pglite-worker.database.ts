// The Database port served by PGlite in a worker thread: SQL runs beside the event loop, on the other core.
import { Worker } from 'node:worker_threads';
import type { Database, SqlExecutor, SqlValue } from './database.ts';
import { DatabaseUnavailableError } from './database.ts';
import { lockDataDirectory } from './data-directory.lock.ts';
import type { DurabilityFigures } from './pglite.durability.ts';
import {
  deserialiseError,
  type WorkerBegin,
  type WorkerData,
  type WorkerNotification,
  type WorkerReply,
  type WorkerRequest,
  type WorkerStarted,
} from './pglite-worker.protocol.ts';

export interface WorkerFigures {
  readonly durability: DurabilityFigures | null;
  /** CPU time the worker thread has used, when the platform can say. */
  readonly cpuMilliseconds: number | null;
}

export interface PgliteWorkerDatabase extends Database {
  readonly durable: boolean;
  figures(): Promise<WorkerFigures>;
  /** Stops the worker thread at once, as a crash of it would (what follows is answered with a 503). */
  kill(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
// The request union without its id, distributed over each member so each keeps its own fields.
type Request = WorkerRequest extends infer Each ? (Each extends WorkerRequest ? Omit<Each, 'id'> : never) : never;

export async function makePgliteWorkerDatabase(options: WorkerData = {}): Promise<PgliteWorkerDatabase> {
  // Taken here, not in the worker: the lock file is freed by this thread's exit handler, which a worker lacks.
  const lock = options.dataDir === undefined ? null : await lockDataDirectory(options.dataDir);
  const worker = new Worker(new URL('./pglite.worker-bootstrap.mjs', import.meta.url), {
    workerData: options,
  });
  const pending = new Map<number, Pending>();
  const listeners = new Map<number, (payload: string | null) => void>();
  let nextId = 1;
  let nextTransaction = 1;
  let nextSubscription = 1;
  let stopped: Error | null = null;

  let onStartError: (error: Error) => void = () => {};
  let onStartExit: (code: number) => void = () => {};
  const started = new Promise<WorkerStarted>((resolve, reject) => {
    onStartError = reject;
    onStartExit = (code) => reject(new Error(`the database worker exited with code ${code} while opening`));
    worker.once('message', resolve);
    worker.once('error', onStartError);
    worker.once('exit', onStartExit);
  });
  const opened = await started.catch(async (error: unknown) => {
    await worker.terminate();
    await lock?.release();
    throw error;
  });
  // Only our own listeners: the Worker keeps internal ones of its own.
  worker.off('error', onStartError);
  worker.off('exit', onStartExit);
  if (!opened.started) {
    await worker.terminate();
    await lock?.release();
    throw deserialiseError(opened.error);
  }

  // A worker that dies (out of memory, a WebAssembly trap) fails what it held and everything after with a 503.
  const fail = (reason: string) => {
    stopped = new DatabaseUnavailableError(reason);
    for (const request of pending.values()) request.reject(stopped);
    pending.clear();
    // Notifications stop with the worker: listeners hear of the gap (null), as after a dropped PostgreSQL connection.
    for (const listener of listeners.values()) listener(null);
    listeners.clear();
  };
  worker.on('message', (message: WorkerReply | WorkerNotification) => {
    if ('notification' in message) {
      listeners.get(message.notification)?.(message.payload);
      return;
    }
    const reply = message;
    const request = pending.get(reply.id);
    if (!request) return;
    pending.delete(reply.id);
    if (reply.ok) request.resolve(reply.value);
    else request.reject(deserialiseError(reply.error));
  });
  worker.on('error', (error) => fail(`the embedded database worker failed: ${error.message}`));
  const onExit = (code: number) => fail(`the embedded database worker stopped (exit code ${code})`);
  worker.on('exit', onExit);

  const send = <T>(request: Request): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };
  const executor = (tx?: number): SqlExecutor => ({
    query: <Row>(text: string, params: readonly SqlValue[] = []) => send<Row[]>({ op: 'query', text, params, tx }),
    exec: (script: string) => send<void>({ op: 'exec', script, tx }),
  });
  const base = executor();

  return {
    kind: 'pglite',
    durable: opened.durable,
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      if (stopped) throw stopped;
      // Not waited for: the first statement follows at once and waits in the worker until the transaction is open.
      const tx = nextTransaction++;
      worker.postMessage({ op: 'begin', tx } satisfies WorkerBegin);
      let result;
      try {
        result = await work(executor(tx));
      } catch (error) {
        await send({ op: 'rollback', tx }).catch(() => {});
        throw error;
      }
      await send({ op: 'commit', tx });
      return result;
    },
    async listen(channel, onNotify) {
      const subscription = nextSubscription++;
      listeners.set(subscription, onNotify);
      try {
        await send({ op: 'listen', channel, subscription });
      } catch (error) {
        listeners.delete(subscription);
        throw error;
      }
      return async () => {
        if (!listeners.delete(subscription) || stopped) return;
        await send({ op: 'unlisten', subscription });
      };
    },
    figures: () => send<WorkerFigures>({ op: 'figures' }),
    async kill() {
      await worker.terminate();
    },
    async close() {
      if (!stopped) await send({ op: 'close' });
      worker.off('exit', onExit);
      listeners.clear();
      stopped = new DatabaseUnavailableError('the embedded database is closed');
      await worker.terminate();
      await lock?.release();
    },
  };
}
