// `rearguard evaluate` end to end on small files: a simulated world, and a sparse file whose signal is in extra_merchant_data.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCommand, scratchDirectory } from './command.testing.ts';
import { loadXgboost } from '../model/index.ts';
import { writeSimulationFile } from '../simulation/output.simulation.ts';
import { runEvaluateCommand } from './evaluate.command.ts';

const xgboost = loadXgboost();
if (!xgboost.ok)
  console.warn(`[tests] evaluate: training parts skipped, libxgboost is absent (${xgboost.error.message})`);

const scratch = scratchDirectory('rearguard-evaluate-');

const evaluate = (argv: string[]) => captureCommand((io) => runEvaluateCommand(argv, io));

describe('rearguard evaluate', () => {
  it('rejects a bad split with usage', async () => {
    const result = await evaluate(['--file', 'x.ndjson', '--split', 'random:0.5']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('--split must be time:F');
  });

  it('says how to install libxgboost and exits non-zero when it is missing, still reporting the rules', async () => {
    const sparse = join(scratch.path, 'tiny.ndjson');
    const order = (index: number, outcome: string) =>
      JSON.stringify({
        type: 'order',
        id: `t-${index}`,
        placed_at: new Date(Date.parse('2025-01-01T00:00:00Z') + index * 3_600_000).toISOString(),
        amount: { value: 1000 + index, currency: 'EUR' },
        outcome,
        outcome_at: new Date(Date.parse('2025-01-01T00:30:00Z') + index * 3_600_000).toISOString(),
      });
    await writeFile(
      sparse,
      Array.from({ length: 20 }, (_, index) => index)
        .map((index) => order(index, index % 3 === 0 ? 'fraud_confirmed' : 'paid_on_time'))
        .join('\n'),
    );
    const result = await evaluate(['--file', sparse, '--quiet', '--xgboost-library', '/nonexistent/libxgboost.so']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('xgboost_unavailable');
    expect(result.err).toContain('apt-get install -y libxgboost-dev');
    const figures = JSON.parse(result.out);
    expect(figures.model).toBeNull();
    expect(figures.rules.count).toBeGreaterThan(0);
  });

  it.skipIf(!xgboost.ok)('prints one JSON line for model, rules and both, and writes the report', async () => {
    const world = join(scratch.path, 'world.ndjson');
    await writeSimulationFile({ orders: 3000, seed: 11, months: 3, fraudRate: 0.05, labelDelayDays: 7 }, world);
    const report = join(scratch.path, 'report');
    const result = await evaluate([
      '--file',
      world,
      '--split',
      'time:0.8',
      '--report',
      report,
      '--rounds',
      '15',
      '--quiet',
    ]);
    expect(result.code, result.err).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const figures = JSON.parse(lines[0]!);
    for (const key of ['roc_auc', 'pr_auc', 'recall_at_1pct_fpr', 'recall_at_5pct_fpr', 'count', 'positives']) {
      expect(figures).toHaveProperty(key);
      expect(figures.rules).toHaveProperty(key);
      expect(figures.combined).toHaveProperty(key);
    }
    expect(figures.roc_auc).toBeGreaterThan(0.6);
    expect(Object.keys(figures.per_typology).length).toBeGreaterThan(2);
    expect(figures.train.positives).toBeGreaterThan(10);
    const html = await readFile(join(report, 'index.html'), 'utf8');
    expect(html).toContain('ROC curve');
    expect(html).toMatch(/threshold/i);
  });

  it.skipIf(!xgboost.ok)(
    'works on a sparse file (no names, no addresses) and learns from extra_merchant_data',
    async () => {
      const sparse = join(scratch.path, 'sparse.ndjson');
      const lines: string[] = [];
      const start = Date.parse('2025-01-01T00:00:00Z');
      for (let index = 0; index < 1200; index++) {
        const fraud = index % 20 === 7;
        const placedAt = new Date(start + index * 3_600_000).toISOString();
        lines.push(
          JSON.stringify({
            type: 'order',
            id: `s-${index}`,
            placed_at: placedAt,
            amount: { value: 1000 + ((index * 37) % 9000), currency: 'EUR' },
            extra_merchant_data: {
              merchant_risk_hint: fraud ? 80 + (index % 20) : (index * 13) % 60,
              vip: index % 3 === 0,
            },
            outcome: fraud ? 'fraud_confirmed' : 'paid_on_time',
            outcome_at: new Date(start + index * 3_600_000 + 86_400_000).toISOString(),
            ...(fraud ? { typology: 'ghost_invoice' } : {}),
          }),
        );
      }
      await writeFile(sparse, lines.join('\n'));
      const result = await evaluate(['--file', sparse, '--rounds', '10', '--quiet']);
      expect(result.code, result.err).toBe(0);
      const figures = JSON.parse(result.out);
      expect(figures.engine_failures).toBe(0);
      expect(figures.roc_auc).toBeGreaterThan(0.95);
      expect(figures.per_typology.ghost_invoice.count).toBeGreaterThan(5);
    },
  );

  it.skipIf(!xgboost.ok)(
    'cross-world: trains on the baseline world, tests on both, prints the drop and draws the comparison',
    async () => {
      const home = join(scratch.path, 'home.ndjson');
      const away = join(scratch.path, 'away.ndjson');
      const world = { orders: 2500, months: 3, fraudRate: 0.05, labelDelayDays: 7 };
      await writeSimulationFile({ ...world, seed: 31, profile: 'default' }, home);
      await writeSimulationFile({ ...world, seed: 32, profile: 'shifted' }, away);
      const report = join(scratch.path, 'cross-report');
      const result = await evaluate([
        '--file',
        away,
        '--baseline',
        home,
        '--rounds',
        '10',
        '--resamples',
        '50',
        '--report',
        report,
        '--quiet',
      ]);
      expect(result.code, result.err).toBe(0);
      const figures = JSON.parse(result.out);
      expect(figures.file).toBe(away);
      expect(figures.baseline.file).toBe(home);
      expect(figures.model_source).toContain(`trained here on ${home}`);
      for (const key of ['roc_auc', 'recall_at_1pct_fpr'] as const) {
        const expected = Math.round((figures.baseline.model[key] - figures.model[key]) * 10000) / 10000;
        expect(figures.drop[key]).toBeCloseTo(expected, 4);
      }
      expect(result.err).toContain(
        `cross-world drop, model on ${home} -> ${away}: roc_auc ${figures.baseline.model.roc_auc} ->`,
      );
      const html = await readFile(join(report, 'index.html'), 'utf8');
      for (const text of [
        'Shifted-world comparison',
        'ROC curve, baseline world vs this world',
        'Calibration (reliability diagram)',
        'Decisions by band (confusion matrix)',
        'Confidence intervals (bootstrap)',
        'train (in-sample)',
        'rules: review+',
        'policy: step-up+',
        'XGBoost version',
        'git commit',
      ]) {
        expect(html).toContain(text);
      }
    },
    240_000,
  );

  it('scores with a stored model (the shipped one) without training, re-encoded for this file', async () => {
    const file = join(scratch.path, 'stored.ndjson');
    await writeSimulationFile({ orders: 1500, seed: 41, months: 2, fraudRate: 0.05, labelDelayDays: 7 }, file);
    const report = join(scratch.path, 'stored-report');
    const result = await evaluate([
      '--file',
      file,
      '--model',
      'models/default.json',
      '--resamples',
      '20',
      '--report',
      report,
      '--quiet',
    ]);
    expect(result.code, result.err).toBe(0);
    const figures = JSON.parse(result.out);
    expect(figures.train).toBeNull();
    expect(figures.model_source).toContain('model models/default.json');
    expect(figures.model.roc_auc).toBeGreaterThan(0.6);
    expect(figures.calibration.brier).toBeGreaterThanOrEqual(0);
    // The shipped model is calibrated: its bands are cut by expected loss per amount, as the engine serves it
    // (src/training/evaluate.world.test.ts holds the parity with the policy); every test order has a band.
    const rows = figures.bands_on_test as { band: string; fraud: number; legitimate: number }[];
    expect(rows.map((row) => row.band)).toEqual(['approve', 'step-up', 'review', 'decline']);
    expect(rows.reduce((sum, row) => sum + row.fraud + row.legitimate, 0)).toBe(figures.test.count);
    const html = await readFile(join(report, 'index.html'), 'utf8');
    expect(html).toContain('calibrated probability cut by expected loss per order amount');
  }, 120_000);
});
