// One start in a process of its own, for bench/start.bench.ts: what a new replica pays (module loading included),
// without the heap and the threads the bench's earlier starts in its own process leave behind.
import { makeApplication } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

const environment = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const result = loadConfig({ LOG_LEVEL: 'warn', STATE_SNAPSHOT_INTERVAL_S: '0', ...environment });
if (!result.ok) throw new Error(result.errors.join('; '));
const started = performance.now();
const app = await makeApplication(result.config, { defaultModelPath: null });
const seconds = (performance.now() - started) / 1000;
// Since the process began: what a replica started anew waits before it can serve.
const processSeconds = process.uptime();
await app.close();
process.stdout.write(
  `${JSON.stringify({ startChild: { seconds, processSeconds, startFigures: app.startFigures, written: app.onlineState.lastSnapshot() } })}\n`,
);
