// `rearguard models list|promote ID|rollback`: the registry from the command line; a running server picks changes up on refresh.
import { systemClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import type { CommandOutput } from './evaluate.command.ts';
import { makeModelRegistry } from './model.registry.ts';

export const modelsUsage = `rearguard models list | promote ID | rollback

  list         every registered version: status, data range, validation figures, thresholds
  promote ID   make ID the champion (the current one is retired, kept for rollback)
  rollback     return to the champion before the current one (none: the shipped models/default.json)`;

export async function runModelsCommand(argv: string[], io: CommandOutput, database: Database): Promise<number> {
  const registry = makeModelRegistry({ database, clock: systemClock, ids: makeIds() });
  const [action, id] = argv;
  if (action === 'list') {
    const versions = await registry.list();
    if (versions.length === 0) io.stderr.write('no registered models: the server serves models/default.json\n');
    for (const version of versions) {
      const validation = (version.metrics.validation ?? {}) as Record<string, unknown>;
      io.stdout.write(
        `${version.id}  ${version.status.padEnd(10)}  ${version.name}  data ${version.dataFrom ?? '?'} .. ${version.dataTo ?? '?'}  ` +
          `auc ${String(validation.roc_auc ?? '-')}  recall@1%FPR ${String(validation.recall_at_1pct_fpr ?? '-')}  ` +
          `thresholds ${JSON.stringify(version.thresholds)}\n`,
      );
    }
    return 0;
  }
  if (action === 'promote' && id) {
    const outcome = await registry.promote(id);
    io.stdout.write(`${JSON.stringify(outcome)}\n`);
    return outcome.kind === 'not_found' ? 1 : 0;
  }
  if (action === 'rollback') {
    const outcome = await registry.rollback();
    io.stdout.write(`${JSON.stringify(outcome)}\n`);
    return outcome.kind === 'no_champion' ? 1 : 0;
  }
  const help = action === undefined || action === 'help' || action === '--help';
  (help ? io.stdout : io.stderr).write(`${modelsUsage}\n`);
  return help ? 0 : 2;
}
