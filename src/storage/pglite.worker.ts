// The PGlite worker thread: one embedded database served to the event-loop thread over a small message protocol.
// Transactions are interactive: `begin` holds PGlite's transaction open until `commit` or `rollback` arrives,
// and statements tagged with its number run inside it; everything else queues behind it, as in one thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { SqlExecutor } from './database.ts';
import { makePgliteDatabase, type PgliteDatabase } from './pglite.database.ts';
import {
  serialiseError,
  type WorkerBegin,
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
// By the number the event-loop thread gave each: opening until PGlite's transaction lock is ours, then open.
const transactions = new Map<number, Promise<OpenTransaction>>();
const subscriptions = new Map<number, () => Promise<void>>();

/**
 * Opens transaction `number` without an answer (one message less per transaction): its statements and its end wait
 * for it to open, and fail with the reason when it cannot (the database closed).
 */
function begin(database: PgliteDatabase, number: number): void {
  let opened: (open: OpenTransaction) => void = () => {};
  let failed: (error: unknown) => void = () => {};
  const opening = new Promise<OpenTransaction>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  // Heard by whatever waits for it; a transaction nothing waits for must not be an unhandled rejection.
  opening.catch(() => {});
  transactions.set(number, opening);
  let reached = false;
  const finished: Promise<unknown> = database
    .transaction(
      (executor) =>
        new Promise<void>((done, abort) => {
          reached = true;
          const finish = (outcome: 'commit' | 'rollback') => (outcome === 'commit' ? done() : abort(new Rollback()));
          opened({ executor, finish, finished });
        }),
    )
    .finally(() => transactions.delete(number));
  // A transaction that failed to start (the database closed) never reached the callback.
  finished.catch((error: unknown) => {
    if (!reached) failed(error);
  });
}

async function openTransaction(tx: number): Promise<OpenTransaction> {
  const opening = transactions.get(tx);
  if (!opening) throw new Error(`transaction ${tx} is not open`);
  return opening;
}

async function end(tx: number, outcome: 'commit' | 'rollback'): Promise<null> {
  const open = await openTransaction(tx);
  open.finish(outcome);
  try {
    await open.finished;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return null;
}

async function executorFor(database: PgliteDatabase, tx: number | undefined): Promise<SqlExecutor> {
  return tx === undefined ? database : (await openTransaction(tx)).executor;
}

async function answer(database: PgliteDatabase, request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return (await executorFor(database, request.tx)).query(request.text, request.params);
    case 'exec':
      return (await executorFor(database, request.tx)).exec(request.script);
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
  port.on('message', (request: WorkerRequest | WorkerBegin) => {
    if (request.op === 'begin') return begin(database, request.tx);
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
