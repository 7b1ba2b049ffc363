// `rearguard start`: migrations, online state rebuilt from the database, then serve until a signal.
import { productionProblems, type Config } from '../config.ts';
import { makeApplication } from '../app.ts';
import { seedDemo, withDemoPaymentAccount } from '../demo/demo.seed.ts';
import cluster from 'node:cluster';
import { reportListening, runPrimary } from './cluster.primary.ts';

export async function runStart(
  environmentConfig: Config,
  options: { demo: boolean; workers?: number },
): Promise<number> {
  // Without --demo (or with NODE_ENV=production) this is a production server: development values are refused.
  if (environmentConfig.production || !options.demo) {
    const problems = productionProblems(environmentConfig);
    if (problems.length > 0) {
      process.stderr.write(
        `refusing to start in production (NODE_ENV=production, or start without --demo):\n  ${problems.join('\n  ')}\n` +
          'For a development server with demo data run `rearguard start --demo` (npm start).\n',
      );
      return 2;
    }
  }
  const isDemo = options.demo && !environmentConfig.production;
  const config: Config = isDemo
    ? withDemoPaymentAccount({ ...environmentConfig, demo: isDemo })
    : { ...environmentConfig, demo: isDemo };
  if ((options.workers ?? 1) > 1 && cluster.isPrimary) {
    // Processes share state through PostgreSQL; an embedded data directory belongs to one process.
    if (!config.databaseUrl) {
      process.stderr.write('--workers needs DATABASE_URL: the embedded database (PGlite) serves one process.\n');
      return 2;
    }
    return runPrimary(options.workers ?? 1, (line) => process.stdout.write(`${line}\n`));
  }
  const application = await makeApplication(config, { demo: config.demo });
  const log = application.server.log;
  log.info(
    { events: application.rebuiltEvents, database: application.database.kind },
    'online state rebuilt from history',
  );
  if (options.demo) {
    const demo = await seedDemo(application);
    log.info({ seeded: demo.seeded }, 'demo data ready');
    process.stdout.write(`\nDemo merchant API key: ${demo.merchantKey}\n`);
    if (!config.adminKey) process.stdout.write('Admin API is off: set REARGUARD_ADMIN_KEY to enable it.\n');
  }
  application.outbox.start();
  application.startSchedulers();
  const address = await application.server.listen({ port: config.port, host: config.host });
  process.stdout.write(`Rearguard listening on ${address} (OpenAPI: ${address}/openapi.json)\n\n`);
  reportListening();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Finish in-flight requests, then close the database cleanly so nothing committed is lost.
    await application.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return 0;
}
