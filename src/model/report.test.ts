// The report is one self-contained HTML file: charts inline, nothing fetched, user text escaped.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderEvaluationReport, writeEvaluationReport, type EvaluationReportInput } from './report.ts';
import { makeRandom } from './synthetic-data.ts';

const random = makeRandom(3);
const labels = Array.from({ length: 2000 }, () => (random() < 0.05 ? 1 : 0));
const scores = labels.map((label) => Math.min(1, Math.max(0, (label ? 0.6 : 0.2) + (random() - 0.5) * 0.6)));
const input: EvaluationReportInput = {
  title: 'Model <test> report',
  generatedAt: '2026-01-01T00:00:00.000Z',
  scores,
  labels,
  featureImportance: [
    { feature: 'new_delivery_address', value: 0.8 },
    { feature: '<script>alert(1)</script>', value: 0.3 },
  ],
  importanceLabel: 'mean |contribution|',
  costs: { missedFraud: 300, friction: 4 },
  extraMetrics: { 'recall identity_misuse @1% FPR': 0.42, 'model version': 'v1' },
};

describe('evaluation report', () => {
  const html = renderEvaluationReport(input);
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('draws ROC, log ROC, precision-recall, histogram and feature charts inline', () => {
    expect(html.match(/<svg /g)).toHaveLength(6);
    for (const title of ['ROC curve', 'Precision-recall curve', 'Score distribution', 'Top features']) {
      expect(html).toContain(title);
    }
    expect(html).toContain('1% FPR');
  });

  it('fetches nothing and runs no script', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toContain('http');
  });

  it('escapes text that came from data', () => {
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('Model &#60;test&#62; report');
  });

  it('has the metrics and the cost threshold table', () => {
    for (const text of [
      'ROC AUC',
      'PR AUC (average precision)',
      'recall at 1% false-positive rate',
      'identity_misuse',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('(cheapest)');
  });

  it('writes index.html into the directory, and reports a file-system error as a Result', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'rearguard-report-'));
    directories.push(directory);
    const written = await writeEvaluationReport(join(directory, 'out'), input);
    if (!written.ok) throw new Error(written.error.message);
    expect(await readFile(written.value.path, 'utf8')).toBe(html);
    await writeFile(join(directory, 'file'), 'x');
    const blocked = await writeEvaluationReport(join(directory, 'file', 'out'), input);
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(blocked.error.code).toBe('report_write_failed');
  });

  it('copes with a single class and with scores outside 0..1', () => {
    const single = renderEvaluationReport({
      ...input,
      labels: labels.map(() => 0),
      scores: scores.map((s) => s * 10 - 3),
    });
    expect(single).toContain('n/a');
  });
});
