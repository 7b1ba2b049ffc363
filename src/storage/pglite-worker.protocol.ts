// Messages between the event-loop thread and the PGlite worker thread, and how errors cross between them.
import type { SqlValue } from './database.ts';

export type WorkerRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly text: string;
      readonly params: readonly SqlValue[];
      readonly tx?: number;
    }
  | { readonly id: number; readonly op: 'exec'; readonly script: string; readonly tx?: number }
  | { readonly id: number; readonly op: 'commit' | 'rollback'; readonly tx: number }
  | { readonly id: number; readonly op: 'figures' }
  | { readonly id: number; readonly op: 'listen'; readonly channel: string; readonly subscription: number }
  | { readonly id: number; readonly op: 'unlisten'; readonly subscription: number }
  | { readonly id: number; readonly op: 'close' };

/** Opens a transaction numbered by the sender; unanswered: its statements and its commit or rollback answer for it. */
export interface WorkerBegin {
  readonly op: 'begin';
  readonly tx: number;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerialisedError };

/** A NOTIFY delivered on a channel a `listen` subscribed to (sent unasked, at the notifying commit). */
export interface WorkerNotification {
  readonly notification: number;
  readonly payload: string;
}

/** What the worker says once: opened (with whether commits are durable) or failed to open. */
export type WorkerStarted =
  { readonly started: true; readonly durable: boolean } | { readonly started: false; readonly error: SerialisedError };

export interface WorkerData {
  readonly dataDir?: string;
  /** A dump made by `dumpPglite` to start from (tests clone their template this way). */
  readonly loadDataDir?: Uint8Array;
}

export type SerialisedError = Record<string, string | number | boolean | undefined>;

/**
 * A database error's fields (code, constraint, severity, detail, ...): the structured clone of an Error keeps only
 * name, message and stack, and the error handler and log redaction read the others.
 */
export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: SerialisedError = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value as string | number | boolean;
  }
  return fields;
}

export function deserialiseError(fields: SerialisedError): Error {
  const { name, message, stack, ...rest } = fields;
  const error = Object.assign(new Error(String(message)), rest);
  error.name = String(name ?? 'Error');
  if (typeof stack === 'string') error.stack = stack;
  return error;
}
