// `rearguard backtest`: the decisions a ruleset would have made on history, against what was decided and the labels.
import type { HistoryRange } from '../storage/history.reader.ts';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkRuleset } from '../risk/rules/ruleset.loader.ts';
import type { Database } from '../storage/database.ts';
import type { CommandOutput } from './evaluate.command.ts';
import { ruleOutcomes, type ReplayedHistory } from './history.replay.ts';
import { replayOrigin, type HistoryOrigin } from './history.source.ts';
import { makeProgressBar } from './progress.bar.ts';
import { labelKnownBy } from './training.set.ts';

export const backtestUsage = `rearguard backtest --ruleset FILE [--file HISTORY.ndjson] [--quiet]

Replays history (the database, or an import file) point-in-time with the ruleset in FILE and prints, per
outcome, how many orders it would have approved, stepped up, reviewed and declined; the fraud caught; the
friction on legitimate buyers; each rule's hits and precision; and, from the database, how its decisions
differ from the decisions recorded at the time. A table, then one JSON line.`;

type Outcome = (typeof ruleOutcomes)[number];

export interface BacktestResult {
  readonly ruleset: string;
  readonly orders: number;
  readonly outcomes: Record<Outcome, { orders: number; fraud: number; legit: number; unknown: number }>;
  readonly fraud: { readonly total: number; readonly caught: number; readonly caughtShare: number | null };
  readonly friction: { readonly legit: number; readonly flagged: number; readonly flaggedShare: number | null };
  readonly rules: {
    id: string;
    action: string;
    hits: number;
    fraud: number;
    legit: number;
    precision: number | null;
  }[];
  /** Recorded outcome -> backtest outcome -> orders; null when no decisions were recorded (imports). */
  readonly versusRecorded: Record<string, Record<string, number>> | null;
}

export function summariseBacktest(
  history: ReplayedHistory,
  recorded: ReadonlyMap<string, string> | null,
): BacktestResult {
  const outcomes = Object.fromEntries(
    ruleOutcomes.map((outcome) => [outcome, { orders: 0, fraud: 0, legit: 0, unknown: 0 }]),
  ) as BacktestResult['outcomes'];
  const ruleCounts = history.ruleIds.map(() => ({ hits: 0, fraud: 0, legit: 0 }));
  const versus: Record<string, Record<string, number>> = {};
  for (let index = 0; index < history.count; index++) {
    const outcome = ruleOutcomes[history.ruleOutcomes[index]!]!;
    const label = labelKnownBy(history, index, Number.POSITIVE_INFINITY);
    const bucket = outcomes[outcome];
    bucket.orders += 1;
    if (label === 1) bucket.fraud += 1;
    else if (label === 0) bucket.legit += 1;
    else bucket.unknown += 1;
    for (let hit = history.ruleHitOffsets[index]!; hit < history.ruleHitOffsets[index + 1]!; hit++) {
      const counts = ruleCounts[history.ruleHitIds[hit]!]!;
      counts.hits += 1;
      if (label === 1) counts.fraud += 1;
      else if (label === 0) counts.legit += 1;
    }
    const before = recorded?.get(history.orderIds[index]!);
    if (before !== undefined) {
      versus[before] ??= {};
      versus[before][outcome] = (versus[before][outcome] ?? 0) + 1;
    }
  }
  const fraudTotal = ruleOutcomes.reduce((sum, outcome) => sum + outcomes[outcome].fraud, 0);
  const legitTotal = ruleOutcomes.reduce((sum, outcome) => sum + outcomes[outcome].legit, 0);
  const caught = fraudTotal - outcomes.approved.fraud;
  const flagged = legitTotal - outcomes.approved.legit;
  const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10000) / 10000);
  const actions = new Map(history.ruleset.rules.map((rule) => [rule.id, rule.action]));
  return {
    ruleset: history.ruleset.version,
    orders: history.count,
    outcomes,
    fraud: { total: fraudTotal, caught, caughtShare: share(caught, fraudTotal) },
    friction: { legit: legitTotal, flagged, flaggedShare: share(flagged, legitTotal) },
    rules: history.ruleIds.map((id, index) => {
      const counts = ruleCounts[index]!;
      return {
        id,
        action: actions.get(id) ?? '?',
        ...counts,
        precision: share(counts.fraud, counts.fraud + counts.legit),
      };
    }),
    versusRecorded: recorded === null || recorded.size === 0 ? null : versus,
  };
}

export function formatBacktestTable(result: BacktestResult): string {
  const lines = [
    `ruleset ${result.ruleset}: ${result.orders} orders`,
    '',
    'outcome     orders     fraud     legit   unknown',
  ];
  for (const outcome of ruleOutcomes) {
    const row = result.outcomes[outcome];
    lines.push(
      `${outcome.padEnd(10)}${[row.orders, row.fraud, row.legit, row.unknown].map((n) => String(n).padStart(10)).join('')}`,
    );
  }
  lines.push(
    '',
    `fraud caught (not approved): ${result.fraud.caught}/${result.fraud.total} (${result.fraud.caughtShare ?? '-'})`,
    `friction (legit stepped up, reviewed or declined): ${result.friction.flagged}/${result.friction.legit} (${result.friction.flaggedShare ?? '-'})`,
    '',
    'rule                                      action        hits     fraud     legit  precision',
  );
  for (const rule of [...result.rules].sort((first, second) => second.hits - first.hits)) {
    lines.push(
      `${rule.id.padEnd(42)}${rule.action.padEnd(10)}${[rule.hits, rule.fraud, rule.legit].map((n) => String(n).padStart(10)).join('')}${String(rule.precision ?? '-').padStart(11)}`,
    );
  }
  if (result.versusRecorded !== null) {
    lines.push('', 'recorded -> backtest');
    for (const [before, after] of Object.entries(result.versusRecorded)) {
      lines.push(`${before.padEnd(10)} ${JSON.stringify(after)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function runBacktestCommand(
  argv: string[],
  io: CommandOutput,
  openDatabase: () => Promise<Database>,
  openInput?: HistoryRange['openInput'],
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${backtestUsage}\n`);
    return 0;
  }
  let values: { ruleset?: string; file?: string; quiet?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: { ruleset: { type: 'string' }, file: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    io.stderr.write(`backtest: ${error instanceof Error ? error.message : String(error)}\n\n${backtestUsage}\n`);
    return 2;
  }
  if (!values.ruleset) {
    io.stderr.write(`backtest: --ruleset is required\n\n${backtestUsage}\n`);
    return 2;
  }
  let candidate: unknown;
  try {
    candidate = JSON.parse(await readFile(values.ruleset, 'utf8'));
  } catch (error) {
    io.stderr.write(
      `backtest: cannot read ${values.ruleset}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  const check = checkRuleset(candidate);
  if (check.kind === 'invalid') {
    io.stderr.write(`backtest: ${values.ruleset} is not a valid ruleset:\n  ${check.errors.join('\n  ')}\n`);
    return 2;
  }
  const database = values.file === undefined ? await openDatabase() : null;
  try {
    const origin: HistoryOrigin =
      database === null
        ? { kind: 'file', path: values.file! }
        : { kind: 'database', database, ...(openInput ? { openInput } : {}) };
    const { history } = await replayOrigin(origin, makeProgressBar(io.stderr, values.quiet ?? false), check.ruleset);
    const recorded = database === null ? null : await recordedDecisions(database);
    const result = summariseBacktest(history, recorded);
    io.stdout.write(formatBacktestTable(result));
    io.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await database?.close();
  }
}

/** What was decided live for each order (imports have no decision record). */
export async function recordedDecisions(database: Database): Promise<Map<string, string>> {
  const rows = await database.query<{ order_id: string; outcome: string }>(
    'SELECT o.id AS order_id, d.outcome FROM orders o JOIN decisions d ON d.id = o.decision_id',
  );
  return new Map(rows.map((row) => [row.order_id, row.outcome]));
}
