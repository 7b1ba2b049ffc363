// Replays history from an import file or from the database, with a progress bar: the one entry the commands use.
import type { ImportFileFormat } from '../ingest/import.format.ts';
import type { Ruleset } from '../risk/rules/rule.schema.ts';
import type { Database } from '../storage/database.ts';
import { readHistory, type HistoryRange } from '../storage/history.reader.ts';
import { readHistoryFile } from './history.file.ts';
import { replayHistory, type ReplayedHistory } from './history.replay.ts';
import type { ProgressBar } from './progress.bar.ts';

export type HistoryOrigin =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly format?: ImportFileFormat;
      readonly maxTotalBytes?: number;
    }
  | {
      readonly kind: 'database';
      readonly database: Database;
      /** Opens live orders' sealed session inputs; without it they replay as their person-free stand-ins. */
      readonly openInput?: HistoryRange['openInput'];
    };

export interface ReplayRun {
  readonly history: ReplayedHistory;
  /** Lines of the file that the import would reject (0 from the database). */
  readonly rejectedLines: number;
  readonly rejectedExamples: readonly string[];
  readonly source: string;
}

export async function replayOrigin(origin: HistoryOrigin, bar: ProgressBar, ruleset?: Ruleset): Promise<ReplayRun> {
  if (origin.kind === 'file') {
    const megabyte = 1 << 20;
    let started = false;
    const file = await readHistoryFile(origin.path, {
      ...(origin.format ? { format: origin.format } : {}),
      ...(origin.maxTotalBytes === undefined ? {} : { maxTotalBytes: origin.maxTotalBytes }),
      onProgress: (bytes, total) => {
        if (!started) bar.start(Math.ceil(total / megabyte), 'replay MB');
        started = true;
        bar.update(Math.floor(bytes / megabyte));
      },
    });
    const history = await replayHistory(file.events, {
      ...(ruleset ? { ruleset } : {}),
      typologyOf: (orderId) => file.typologies.get(orderId),
    });
    bar.stop();
    return {
      history,
      rejectedLines: file.rejected.count,
      rejectedExamples: file.rejected.first,
      source: `file:${origin.path}`,
    };
  }
  const { database } = origin;
  const [counted] = await database.query<{ orders: string | number }>('SELECT count(*) AS orders FROM orders');
  const labels = await database.query<{ order_id: string; typology: string | null }>(
    'SELECT order_id, typology FROM labels WHERE typology IS NOT NULL',
  );
  const typologies = new Map(labels.map((row) => [row.order_id, row.typology ?? 'unknown']));
  bar.start(Number(counted?.orders ?? 0), 'replay');
  const history = await replayHistory(readHistory(database, origin.openInput ? { openInput: origin.openInput } : {}), {
    ...(ruleset ? { ruleset } : {}),
    typologyOf: (orderId) => typologies.get(orderId),
    onProgress: (orders) => bar.update(orders),
  });
  bar.stop();
  return { history, rejectedLines: 0, rejectedExamples: [], source: `database:${database.kind}` };
}
