// Bring your own data through the command line: CSV with a column mapping into `import` and `evaluate`, errors said plainly.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { loadConfig } from '../src/config.ts';
import { loadXgboost } from '../src/model/index.ts';
import { makePgliteDatabase } from '../src/storage/pglite.database.ts';
import { writeSimulationFile } from '../src/simulation/output.simulation.ts';
import { captureCommand, scratchDirectory } from '../src/training/command.testing.ts';
import { ndjsonToCsv } from './byod.helpers.ts';

const scratch = scratchDirectory('rearguard-byod-');
const sampleCsv = 'docs/byod/orders.csv';
const sampleMapping = 'docs/byod/mapping.yaml';
const xgboost = loadXgboost();

/** The command in-process with its output captured; no DATABASE_URL, so always the embedded database of DATA_DIR. */
const run = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  captureCommand((io) => runCli(argv, { ...io, env: { LOG_LEVEL: 'silent', ...env } }));

describe('rearguard import FILE.csv --mapping', () => {
  it('imports the sample export, reports the three bad rows by line and column, and stores amounts and times right', async () => {
    const dataDir = join(scratch.path, 'import-data');
    const result = await run(['import', sampleCsv, '--mapping', sampleMapping], { DATA_DIR: dataDir });
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ imported: 40, rejected: 3 });
    expect(result.err).toContain(
      'line 42: invalid_value: column "Besteldatum" (placed_at): "31-02-2025 23:58:15" is not a real date',
    );
    expect(result.err).toContain(
      'line 43: invalid_value: column "Status" (outcome): "chargeback" is not a known label value',
    );
    expect(result.err).toContain('line 44: invalid_record: customer.email (column "E-mail")');
    const database = await makePgliteDatabase({ dataDir });
    try {
      const [order] = await database.query<{
        amount: string | number;
        placed_at: Date;
        input: { customer?: unknown; pseudonyms?: { email?: string } };
        sealed: boolean;
      }>(
        `SELECT o.amount, o.placed_at, o.input, s.sealed_input IS NOT NULL AS sealed
           FROM orders o JOIN sessions s ON s.id = o.session_id WHERE o.external_id = 'ord_000002'`,
      );
      // "29,98" euros and "01-01-2025 23:58:15" Amsterdam (UTC+1 in winter).
      expect(Number(order?.amount)).toBe(2998);
      expect(order?.placed_at.toISOString()).toBe('2025-01-01T22:58:15.000Z');
      // The person's data is sealed in the order's imported session; the order keeps the person-free copy.
      expect(order?.sealed).toBe(true);
      expect(order?.input.customer).toBeUndefined();
      expect(order?.input.pseudonyms?.email).toMatch(/^p_email_/);
      expect(JSON.stringify(order?.input)).not.toContain('samirayilmaz');
      const [labels] = await database.query<{ fraud: number }>(
        "SELECT count(*)::int AS fraud FROM labels WHERE label LIKE 'fraud%'",
      );
      expect(labels?.fraud).toBe(2);
    } finally {
      await database.close();
    }
  }, 300_000);

  it('stops at IMPORT_LIMIT_BYTES and says so; the complete rows before it are imported', async () => {
    const dataDir = join(scratch.path, 'limit-data');
    const result = await run(['import', sampleCsv, '--mapping', sampleMapping], {
      DATA_DIR: dataDir,
      IMPORT_LIMIT_BYTES: '4096',
    });
    expect(result.code, result.err).toBe(0);
    const summary = JSON.parse(result.out);
    expect(summary.stopped).toMatchObject({ reason: 'import_too_large', limit_bytes: 4096 });
    expect(summary.imported).toBeGreaterThan(0);
    expect(summary.imported).toBeLessThan(40);
    expect(result.err).toContain('(IMPORT_LIMIT_BYTES)');
  }, 300_000);

  it('refuses a CSV without a mapping, and a broken mapping, before opening any database', async () => {
    const dataDir = join(scratch.path, 'never');
    const without = await run(['import', sampleCsv], { DATA_DIR: dataDir });
    expect(without.code).toBe(2);
    expect(without.err).toContain('is CSV: name its column mapping with --mapping');
    const broken = join(scratch.path, 'broken.json');
    await writeFile(broken, JSON.stringify({ columns: { Bedrag: 'amount.value', Besteldatum: 'customer.mail' } }));
    const invalid = await run(['import', sampleCsv, '--mapping', broken], { DATA_DIR: dataDir });
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain('invalid column mapping');
    expect(invalid.err).toContain('columns.Besteldatum: "customer.mail" is not a field of the import contract');
    expect(invalid.err).toContain('no column or constant gives outcome');
    const missing = await run(['import', sampleCsv, '--mapping', join(scratch.path, 'nope.yaml')], {
      DATA_DIR: dataDir,
    });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
    const loaded = loadConfig({ DATA_DIR: dataDir });
    expect(loaded.ok).toBe(true);
    expect(await import('node:fs').then((fs) => fs.existsSync(dataDir))).toBe(false);
  });
});

describe('rearguard evaluate on CSV', () => {
  it('says which mapped column the header lacks', async () => {
    const csv = join(scratch.path, 'short.csv');
    await writeFile(csv, 'Ordernummer;Besteldatum\n1;01-01-2025 10:00:00\n');
    const result = await run(['evaluate', '--file', csv, '--mapping', sampleMapping, '--quiet']);
    expect(result.code).toBe(2);
    expect(result.err).toContain('the CSV header lacks the mapped column(s): "Winkel", "Bedrag"');
  });

  it.skipIf(!xgboost.ok)(
    'trains and tests on an export, counting its bad rows as skipped',
    async () => {
      const world = join(scratch.path, 'csv-world.ndjson');
      await writeSimulationFile({ orders: 2500, seed: 21, months: 3, fraudRate: 0.05, labelDelayDays: 7 }, world);
      const csv = join(scratch.path, 'csv-world.csv');
      const orders = await ndjsonToCsv(world, csv, [
        'x;not a date;;1;;;;;;;;;;;;;;;;;;;;betaald;;',
        'y;01-01-2025 10:00:00;;-;;;;;;;;;;;;;;;;;;;;betaald;;',
      ]);
      const result = await run([
        'evaluate',
        '--file',
        csv,
        '--mapping',
        sampleMapping,
        '--rounds',
        '10',
        '--resamples',
        '50',
        '--quiet',
      ]);
      expect(result.code, result.err).toBe(0);
      const figures = JSON.parse(result.out);
      expect(figures.orders).toBe(orders);
      expect(figures.rejected_lines).toBe(2);
      expect(figures.rejected_examples[0]).toContain(`line ${orders + 2}: invalid_value: column "Besteldatum"`);
      expect(result.err).toContain(`evaluate: skipped line ${orders + 3}: invalid_value: column "Bedrag"`);
      expect(figures.model.roc_auc).toBeGreaterThan(0.6);
      expect(figures.intervals.roc_auc.low).toBeLessThanOrEqual(figures.intervals.roc_auc.estimate);
      expect(figures.intervals.roc_auc.high).toBeGreaterThanOrEqual(figures.intervals.roc_auc.estimate);
      const banded = figures.bands_on_test.reduce(
        (sum: number, band: { fraud: number; legitimate: number }) => sum + band.fraud + band.legitimate,
        0,
      );
      expect(banded).toBe(figures.test.count);
    },
    240_000,
  );
});
