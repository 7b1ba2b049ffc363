// `rearguard backtest` on a small file with a one-rule ruleset: outcomes, fraud caught, friction, rule precision.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { captureCommand, scratchDirectory } from './command.testing.ts';
import { runBacktestCommand, type BacktestResult } from './backtest.command.ts';

const scratch = scratchDirectory('rearguard-backtest-');

const backtest = (argv: string[]) =>
  captureCommand((io) => runBacktestCommand(argv, io, () => Promise.reject(new Error('no database'))));

it('replays a file with a candidate ruleset and judges it against the labels', async () => {
  const history = join(scratch.path, 'history.ndjson');
  const lines = [1000, 2000, 9000, 9500, 12000, 300].map((value, index) =>
    JSON.stringify({
      type: 'order',
      id: `b-${index}`,
      placed_at: new Date(Date.parse('2025-03-01T00:00:00Z') + index * 3_600_000).toISOString(),
      amount: { value, currency: 'EUR' },
      customer: { email: `b${index}@example.nl` },
      outcome: index === 2 || index === 4 ? 'fraud_confirmed' : 'paid_on_time',
      outcome_at: '2025-04-01T00:00:00Z',
    }),
  );
  await writeFile(history, lines.join('\n'));
  const ruleset = join(scratch.path, 'ruleset.json');
  await writeFile(
    ruleset,
    JSON.stringify({
      version: 'candidate-1',
      rules: [
        {
          id: 'large_amount',
          description: 'Large orders are verified',
          condition: { kind: 'cmp', feature: 'cart_amount', op: 'gte', value: 9000 },
          action: 'step_up',
          reason: { code: 'large_amount', message: 'Please confirm it is you.' },
        },
      ],
      score: { items: [], scale: 1 },
      thresholds: { stepUp: 1, review: 1, decline: 1, stepUpWhenProviderUnavailable: 1 },
    }),
  );
  const result = await backtest(['--ruleset', ruleset, '--file', history, '--quiet']);
  expect(result.code, result.err).toBe(0);
  expect(result.out).toContain('large_amount');
  const json = JSON.parse(result.out.trim().split('\n').at(-1)!) as BacktestResult;
  expect(json.ruleset).toBe('candidate-1');
  expect(json.outcomes.step_up).toEqual({ orders: 3, fraud: 2, legit: 1, unknown: 0 });
  expect(json.fraud).toEqual({ total: 2, caught: 2, caughtShare: 1 });
  expect(json.friction).toEqual({ legit: 4, flagged: 1, flaggedShare: 0.25 });
  expect(json.rules).toEqual([
    { id: 'large_amount', action: 'step_up', hits: 3, fraud: 2, legit: 1, precision: 0.6667 },
  ]);
  expect(json.versusRecorded).toBeNull();
});

it('refuses an invalid ruleset with the reasons', async () => {
  const ruleset = join(scratch.path, 'broken.json');
  await writeFile(ruleset, JSON.stringify({ version: 'x', rules: [] }));
  const result = await backtest(['--ruleset', ruleset, '--file', 'none.ndjson']);
  expect(result.code).toBe(2);
  expect(result.err).toContain('not a valid ruleset');
});
