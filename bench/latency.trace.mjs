// Preloaded into the bench's server (BENCH_TRACE=FILE): times every request, SQL statement and GC, for latency work.
// Statements are tagged with the request whose async context issued them ('bg' for background work); written on exit.
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const file = process.env.BENCH_TRACE_FILE;
const requests = [];
const statements = [];
const collections = [];
const context = new AsyncLocalStorage();
let nextRequest = 0;

diagnostics.subscribe('http.server.request.start', ({ request, response }) => {
  if (gcOnly) return;
  const entry = { id: nextRequest++, url: request.url, start: performance.now(), end: 0 };
  requests.push(entry);
  context.enterWith(entry.id);
  response.once('finish', () => (entry.end = performance.now()));
});

// BENCH_TRACE_GC_ONLY=1: collections alone, so the trace's own arrays do not weigh on the GC it measures.
const gcOnly = process.env.BENCH_TRACE_GC_ONLY === '1';
const pg = createRequire(`${process.cwd()}/package.json`)('pg');
const query = pg.Client.prototype.query;
if (!gcOnly)
  pg.Client.prototype.query = function traced(config, values, callback) {
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const entry = { request: context.getStore() ?? 'bg', text: text.slice(0, 80), start: performance.now(), end: 0 };
    statements.push(entry);
    // Rows returned too: a statement that reads nothing costs less than one that returns a page.
    const done = (result) => {
      entry.end = performance.now();
      entry.rows = result?.rowCount ?? result?.rows?.length ?? 0;
    };
    if (typeof values === 'function' || typeof callback === 'function') {
      const cb = typeof values === 'function' ? values : callback;
      const wrapped = (...args) => {
        done(args[1]);
        return cb(...args);
      };
      return typeof values === 'function'
        ? query.call(this, config, wrapped)
        : query.call(this, config, values, wrapped);
    }
    const result = query.call(this, config, values, callback);
    if (result && typeof result.then === 'function') result.then(done, () => done(null));
    return result;
  };

new PerformanceObserver((list) => {
  for (const gc of list.getEntries())
    collections.push({ start: gc.startTime, duration: gc.duration, kind: gc.detail?.kind ?? 0 });
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  if (file) writeFileSync(file, JSON.stringify({ requests, statements, collections }));
});
