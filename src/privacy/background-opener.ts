// Opens sealed personal data on a thread of its own during a start's rebuild, so that unwrapping keys and decrypting
// (about a fifth of a cold start's CPU at a million orders) run beside the event loop that applies the facts.
import { Worker } from 'node:worker_threads';
import type { OrderStateFields } from '../storage/history.state-fields.ts';
import type { MasterKey } from './envelope.ts';
import type { SubjectKeyColumns } from './subject-store.ts';

/** What the thread needs to open: the same settings as the server's own opener. */
export interface OpenerSettings {
  readonly pseudonymSecret: string;
  readonly masterKeys: readonly MasterKey[];
  readonly personalDataEncryption: boolean;
}

/** A sealed value and its subject's key columns. */
export interface SealedRow extends SubjectKeyColumns {
  readonly sealed_input: Uint8Array | null;
}

/**
 * `orderState`: session inputs, answered with the fields the online state reads (not the whole input: less to send
 * back and rebuild on the event loop); `value`: any sealed value, answered as it is. Null: erased (its key shredded).
 */
export type OpenerRequest =
  | { readonly id: number; readonly kind: 'orderState'; readonly rows: readonly SealedRow[] }
  | { readonly id: number; readonly kind: 'value'; readonly rows: readonly SealedRow[] };
export type OpenerReply =
  { readonly id: number; readonly values: readonly unknown[] } | { readonly id: number; readonly error: string };

export interface BackgroundOpener {
  openOrderStates(rows: readonly SealedRow[]): Promise<readonly (OrderStateFields | null)[]>;
  openValues<Value>(rows: readonly SealedRow[]): Promise<readonly (Value | null)[]>;
  /** Ends the thread: the keys it unwrapped go with it (none outlives the read). */
  close(): Promise<void>;
}

/** Starts the thread; resolves once it can open (its modules loaded). */
export async function startBackgroundOpener(settings: OpenerSettings): Promise<BackgroundOpener> {
  const worker = new Worker(new URL('./opener.worker-bootstrap.mjs', import.meta.url), {
    workerData: { ...settings, masterKeys: settings.masterKeys.map(({ id, key }) => ({ id, key: Buffer.from(key) })) },
  });
  const pending = new Map<number, { resolve: (values: readonly unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: Error | null = null;
  const stop = (error: Error): void => {
    stopped ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: OpenerReply | { ready: true }) => {
      if ('ready' in message) return resolve();
      const waiting = pending.get(message.id);
      if (waiting === undefined) return;
      pending.delete(message.id);
      if ('error' in message) waiting.reject(new Error(`opening failed: ${message.error}`));
      else waiting.resolve(message.values);
    });
    worker.once('error', (error) => {
      stop(error);
      reject(error);
    });
    worker.once('exit', (code) => {
      const error = new Error(`the opening thread stopped (exit code ${code})`);
      stop(error);
      reject(error);
    });
  });
  await ready;

  function request(kind: OpenerRequest['kind'], rows: readonly SealedRow[]): Promise<readonly unknown[]> {
    if (rows.length === 0) return Promise.resolve([]);
    if (stopped !== null) return Promise.reject(stopped);
    const id = nextId++;
    // Only the key columns and the sealed value: a row may carry much more (the kept copy, page columns).
    const sent = rows.map(({ subject_id, master_key_id, wrapped_key, sealed_input }) => ({
      subject_id,
      master_key_id,
      wrapped_key,
      sealed_input,
    }));
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, kind, rows: sent } satisfies OpenerRequest);
    });
  }

  return {
    openOrderStates: (rows) => request('orderState', rows) as Promise<readonly (OrderStateFields | null)[]>,
    openValues: <Value>(rows: readonly SealedRow[]) => request('value', rows) as Promise<readonly (Value | null)[]>,
    async close() {
      stop(new Error('the opening thread was closed'));
      await worker.terminate();
    },
  };
}
