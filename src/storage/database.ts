// The SQL port: one PostgreSQL dialect, served by embedded PGlite or a PostgreSQL server.

export type SqlValue = string | number | boolean | null | Date | bigint | readonly unknown[] | object;

export interface SqlExecutor {
  /** Runs one parameterised statement ($1, $2, ...) and returns its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (delivered at commit), and with `null` when notifications may have
   * been missed (the listening connection dropped). Optional: without it, callers fall back to polling.
   */
  listen?(channel: string, onNotify: (payload: string | null) => void): Promise<() => Promise<void>>;
  /**
   * This handle's name in the database's history notifications (PostgreSQL: the `rearguard.writer` setting of its
   * connections), so its history tail can tell its own commits from other processes'. Absent: every one is foreign.
   */
  readonly writer?: string;
  /**
   * How many of this handle's statements have failed for want of a connection (PostgreSQL). Such a failure may hide a
   * commit whose answer was lost: a write the process did not record in its online state although it committed.
   */
  readonly connectionFailures?: () => number;
  close(): Promise<void>;
}

/** PostgreSQL error codes we turn into expected outcomes. */
export const uniqueViolation = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === uniqueViolation;
}

/** The database cannot be reached or did not answer in time: the request may be retried later (503). */
export class DatabaseUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`database unavailable: ${reason}`);
    this.name = 'DatabaseUnavailableError';
  }
}

const unavailableNetworkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * True for failures of the connection rather than of the statement: refused or dropped connections, timeouts,
 * a server shutting down or out of connections (SQLSTATE classes 08 and 57P, 53300, 57014 statement timeout).
 */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (unavailableNetworkCodes.has(code) || code.startsWith('08') || code.startsWith('57P')) return true;
    if (code === '53300' || code === '57014') return true;
  }
  return (
    typeof message === 'string' &&
    /timeout exceeded|connection timeout|Connection terminated|Query read timeout|Client has encountered a connection error/i.test(
      message,
    )
  );
}
