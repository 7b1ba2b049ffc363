// A Database that records every statement sent through it, to count what one request costs.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { Database, SqlExecutor } from '../../src/storage/database.ts';

/** The header marking a request whose statements are counted (see `countOnlyMarkedRequests`). */
export const countedRequest = { 'x-count-statements': '1' };

/**
 * Records every statement sent through the database or any of its transactions (BEGIN and COMMIT included). After
 * `countOnlyMarkedRequests(server)`, only the statements of requests carrying `countedRequest`'s header (and of the
 * work they start) are recorded, so a server's background work (outbox polling, timers) never counts toward one.
 */
export function countingDatabase(inner: Database) {
  const statements: string[] = [];
  const scope = new AsyncLocalStorage<true>();
  let scoped = false;
  const record = (text: string) => {
    if (!scoped || scope.getStore() === true) statements.push(text);
  };
  const counted = (executor: SqlExecutor): SqlExecutor => ({
    query: (text, params) => {
      record(text.replace(/\s+/g, ' '));
      return executor.query(text, params);
    },
    exec: (script) => {
      record(script);
      return executor.exec(script);
    },
  });
  const database: Database = {
    ...inner,
    ...counted(inner),
    transaction: (work) => {
      record('BEGIN');
      return inner.transaction((tx) => work(counted(tx))).finally(() => record('COMMIT'));
    },
  };
  // The context is entered in the request's first hook (an injected request does not carry its caller's context).
  const countOnlyMarkedRequests = (server: FastifyInstance) => {
    scoped = true;
    server.addHook('onRequest', (request, _reply, done) => {
      if (request.headers['x-count-statements'] !== undefined) scope.enterWith(true);
      done();
    });
  };
  return { database, statements, countOnlyMarkedRequests };
}
