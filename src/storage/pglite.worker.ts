// The PGlite worker thread: one embedded database served to the event-loop thread over a small message protocol.
// Transactions are interactive: `begin` holds PGlite's transaction open until `commit` or `rollback` arrives,
// and statements tagged with its number run inside it; everything else queues behind it, as in one thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { SqlExecutor } from './database.ts';
import { makePgliteDatabase, type PgliteDatabase } from './pglite.database.ts';
import {
  serialiseError,
  type WorkerData,
  type WorkerNotification,
  type WorkerReply,
  type WorkerRequest,
} from './pglite-worker.protocol.ts';
import { threadCpuMilliseconds } from './thread-cpu.ts';

interface OpenTransaction {
  readonly executor: SqlExecutor;
  readonly finish: (outcome: 'commit' | 'rollback') => void;
  readonly finished: Promise<unknown>;
}

class Rollback extends Error {}

const port = parentPort!;
const options = workerData as WorkerData;
const transactions = new Map<number, OpenTransaction>();
const subscriptions = new Map<number, () => Promise<void>>();
let nextTransaction = 1;

function begin(database: PgliteDatabase): Promise<number> {
  return new Promise((resolve, reject) => {
    const number = nextTransaction++;
    let finish: OpenTransaction['finish'] = () => {};
    const finished = database
      .transaction(
        (executor) =>
          new Promise<void>((done, abort) => {
            finish = (outcome) => (outcome === 'commit' ? done() : abort(new Rollback()));
            transactions.set(number, { executor, finish, finished });
            resolve(number);
          }),
      )
      .finally(() => transactions.delete(number));
    // A transaction that failed to start (the database closed) never reached the callback.
    finished.catch((error: unknown) => {
      if (!transactions.has(number)) reject(error);
    });
  });
}

async function end(tx: number, outcome: 'commit' | 'rollback'): Promise<null> {
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  open.finish(outcome);
  try {
    await open.finished;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return null;
}

function executorFor(database: PgliteDatabase, tx: number | undefined): SqlExecutor {
  if (tx === undefined) return database;
  const open = transactions.get(tx);
  if (!open) throw new Error(`transaction ${tx} is not open`);
  return open.executor;
}

async function answer(database: PgliteDatabase, request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return executorFor(database, request.tx).query(request.text, request.params);
    case 'exec':
      return executorFor(database, request.tx).exec(request.script);
    case 'begin':
      return begin(database);
    case 'commit':
    case 'rollback':
      return end(request.tx, request.op);
    case 'listen': {
      // PGlite delivers a NOTIFY to its own listeners at commit; this passes each on, tagged with the subscription.
      const { subscription } = request;
      const unlisten = await database.pglite.listen(request.channel, (payload) =>
        port.postMessage({ notification: subscription, payload } satisfies WorkerNotification),
      );
      subscriptions.set(subscription, unlisten);
      return null;
    }
    case 'unlisten': {
      const unlisten = subscriptions.get(request.subscription);
      subscriptions.delete(request.subscription);
      await unlisten?.();
      return null;
    }
    case 'figures':
      return { durability: database.durabilityFigures(), cpuMilliseconds: threadCpuMilliseconds() };
    case 'close':
      await database.close();
      return null;
  }
}

try {
  // The parent thread holds the data directory's lock: it outlives this thread and frees the lock on exit.
  const database = await makePgliteDatabase({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir && new Blob([options.loadDataDir]),
    lock: false,
  });
  port.on('message', (request: WorkerRequest) => {
    answer(database, request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply),
      (error: unknown) =>
        port.postMessage({ id: request.id, ok: false, error: serialiseError(error) } satisfies WorkerReply),
    );
  });
  port.postMessage({ started: true, durable: database.durable });
} catch (error) {
  port.postMessage({ started: false, error: serialiseError(error) });
}
