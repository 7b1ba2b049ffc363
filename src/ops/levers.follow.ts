// Keeps the levers the engine holds in memory (active ruleset, block/allow lists, champion model) in step with the
// database when any process changes them: migration 170's triggers NOTIFY, table-cache hears it.
import { onTableChange } from '../storage/table-cache.ts';

export interface FollowedLevers {
  readonly rulesets: { load(): Promise<unknown> };
  readonly lists: { reload(): Promise<void> };
  readonly models: { refresh(): Promise<void> };
  readonly log: (details: object, message: string) => void;
}

/** Reloads a lever when its table changes; a reload in flight when another change lands runs once more after it. */
function reloader(name: string, reload: () => Promise<unknown>, log: FollowedLevers['log']): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running !== null) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await reload();
        } catch (error) {
          log({ lever: name, error: String(error) }, 'reloading a changed lever failed');
        }
      } while (again);
    })().finally(() => {
      running = null;
    });
  };
  return run;
}

export function followLevers(levers: FollowedLevers): () => void {
  const stops = [
    onTableChange(
      'rulesets',
      reloader('rulesets', () => levers.rulesets.load(), levers.log),
    ),
    onTableChange(
      'list_entries',
      reloader('list_entries', () => levers.lists.reload(), levers.log),
    ),
    onTableChange(
      'model_versions',
      reloader('model_versions', () => levers.models.refresh(), levers.log),
    ),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
