// PostgreSQL server adapter of the Database port (node-postgres pool).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DatabaseUnavailableError, isUnavailable, type Database, type SqlExecutor, type SqlValue } from './database.ts';

// Keep BIGINT (int8) and NUMERIC as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1700, (value) => Number(value));

export interface PostgresOptions {
  readonly url: string;
  /** Schema to use (created if missing); lets tests share one server without colliding. */
  readonly schema?: string;
  readonly poolSize?: number;
  /** Longest wait for a connection (new or from the pool) before the request fails with 503. */
  readonly connectTimeoutMilliseconds?: number;
  /** Longest a statement may run, on the server (statement_timeout) and in the client (a black-holed server). */
  readonly statementTimeoutMilliseconds?: number;
}

/** The client's "no deadline" (its setTimeout maximum): a zero would fall back to the pool's query_timeout. */
const noTimeout = 2_147_483_647;

/** One handle's connection failures so far that may have hidden a commit (Database.connectionFailures). */
interface FailureCount {
  count: number;
}

const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** A failure to get a connection at all (refused, or none free in time): no statement was sent, nothing committed. */
function failedToConnect(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && connectCodes.has(code)) ||
    /when trying to connect|due to connection timeout/i.test(String(message))
  );
}

/**
 * Turns a connection failure into DatabaseUnavailableError so the edge answers 503, not 500. One that may have lost
 * the answer to a statement already sent is counted (`failures`; null where nothing sent can have written).
 */
async function guarded<T>(work: () => Promise<T>, failures: FailureCount | null): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isUnavailable(error)) throw error;
    if (failures !== null && !failedToConnect(error)) failures.count += 1;
    throw new DatabaseUnavailableError(String((error as Error)?.message ?? error));
  }
}

const statementNames = new Map<string, string>();
const maxPreparedStatements = 2_000;

/**
 * A name makes node-postgres prepare the statement once per connection and reuse its plan (no parse/plan per call).
 * Statements naming columns by `*` stay unnamed: a migration adding a column would change a prepared result type.
 * Beyond the cap (statement texts built per call) statements are sent unnamed, so memory stays bounded.
 */
function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known !== undefined || statementNames.size >= maxPreparedStatements) return known;
  if (/(SELECT|RETURNING)\s+\*|\.\*/i.test(text)) return undefined;
  const name = `rg_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  statementNames.set(text, name);
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient, failures: FailureCount): SqlExecutor {
  return {
    async exec(script: string) {
      // Scripts are migrations: they may rightly run long (an index on a large table), so no statement timeout.
      await guarded(
        () =>
          // query_timeout per query is read by pg's client but missing from its types.
          client.query({
            text: `SET LOCAL statement_timeout = 0;\n${script}`,
            query_timeout: noTimeout,
          } as pg.QueryConfig),
        failures,
      );
    },
    async query<Row>(text: string, params: readonly SqlValue[] = []) {
      const name = statementName(text);
      const result = await guarded(
        () => client.query(name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] }),
        failures,
      );
      return result.rows as Row[];
    },
  };
}

export async function makePostgresDatabase(options: PostgresOptions): Promise<Database> {
  const schema = options.schema;
  const connectTimeout = options.connectTimeoutMilliseconds ?? 5_000;
  const statementTimeout = options.statementTimeoutMilliseconds ?? 15_000;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema !== undefined) {
    const bootstrap = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: connectTimeout });
    await bootstrap.connect();
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await bootstrap.end();
  }
  // Named in the history notifications this pool's commits send (migration 171): its own tail skips them.
  const writer = `w${randomBytes(8).toString('hex')}`;
  // Settings given in the URL (`?options=-c ...`) are kept beside ours; left in the URL they would replace ours.
  const poolUrl = URL.canParse(options.url) ? new URL(options.url) : null;
  const urlOptions = poolUrl?.searchParams.get('options') ?? '';
  poolUrl?.searchParams.delete('options');
  const settings = [
    urlOptions,
    schema === undefined ? '' : `-c search_path=${schema}`,
    `-c rearguard.writer=${writer}`,
    // Short statements that run often: compiling one took longer than running it (about 100 ms per page of a start's
    // history read, each page planned above the JIT's cost threshold), and the plans never run long enough to repay it.
    '-c jit=off',
  ];
  const pool = new pg.Pool({
    connectionString: poolUrl?.toString() ?? options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: connectTimeout,
    // The server cancels a long statement; the client gives up on a server that stopped answering altogether.
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    idle_in_transaction_session_timeout: statementTimeout * 2,
    keepAlive: true,
    options: settings.filter((setting) => setting !== '').join(' '),
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const failures: FailureCount = { count: 0 };
  const base = wrap(pool, failures);
  return {
    kind: 'postgres',
    writer,
    connectionFailures: () => failures.count,
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      const client = await guarded(() => pool.connect(), null);
      let broken = false;
      try {
        await guarded(() => client.query('BEGIN'), null);
        const result = await work(wrap(client, failures));
        await guarded(() => client.query('COMMIT'), failures);
        return result;
      } catch (error) {
        broken = error instanceof DatabaseUnavailableError || isUnavailable(error);
        // A connection that failed gets no ROLLBACK (it would wait out another timeout); the server rolls back.
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        // A broken client is discarded, not handed to the next request.
        client.release(broken || undefined);
      }
    },
    listen: (channel, onNotify) => listenOn({ url: options.url, connectTimeout }, channel, onNotify),
    close: () => pool.end(),
  };
}

/**
 * A connection of its own that LISTENs (a pooled one would lose the subscription when released). When it drops, the
 * listener hears `null` (anything may have changed meanwhile), and again once it listens again after reconnecting a
 * second later (until stopped).
 */
async function listenOn(
  target: { url: string; connectTimeout: number },
  channel: string,
  onNotify: (payload: string | null) => void,
): Promise<() => Promise<void>> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let reconnecting = false;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: target.connectTimeout });
    const lost = () => {
      if (client !== next || stopped) return;
      client = null;
      onNotify(null);
      retry = setTimeout(() => void connect().catch(() => lost()), 1_000);
      retry.unref();
    };
    client = next;
    next.on('error', lost);
    next.on('end', lost);
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    // Listening again after a drop: what changed before LISTEN took hold was missed, so the listener hears the gap
    // again now (a cache filled while disconnected must not outlive it).
    if (reconnecting && client === next && !stopped) onNotify(null);
    reconnecting = true;
  };
  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const current = client;
    client = null;
    await current?.end().catch(() => {});
  };
}
