// The evaluation report escapes every value it writes: a typology name from an import file carried script into it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadXgboost } from '../../src/model/index.ts';
import { renderEvaluationReport } from '../../src/model/report.ts';
import { captureCommand } from '../../src/training/command.testing.ts';
import { runEvaluateCommand } from '../../src/training/evaluate.command.ts';

const hostile = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</td></tr></table><iframe src=javascript:alert(4)>',
];

/** No element or attribute the report does not write itself may appear: only its own tags survive. */
function foreignMarkup(html: string): string[] {
  const own = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'div', 'figure', 'table']);
  for (const tag of ['thead', 'tbody', 'tr', 'th', 'td', 'strong', 'svg', 'rect', 'text', 'line', 'path', 'polyline'])
    own.add(tag);
  for (const tag of ['circle', 'g', 'title', 'desc', 'polygon']) own.add(tag);
  const elements = [...html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)];
  const tags = elements.map((match) => match[1]!.toLowerCase());
  const handlers = elements.flatMap((match) => [...match[2]!.matchAll(/\son\w+\s*=/gi)].map((found) => found[0]));
  return [...tags.filter((tag) => !own.has(tag)), ...handlers];
}

describe('hostile text in the evaluation report', () => {
  it('escapes metric names, values, feature names and the title', () => {
    const html = renderEvaluationReport({
      title: hostile[0]!,
      generatedAt: hostile[1]!,
      scores: [0.1, 0.9, 0.2, 0.8],
      labels: [0, 1, 0, 1],
      featureImportance: hostile.map((feature, index) => ({ feature, value: index + 1 })),
      costs: { missedFraud: 300, friction: 4 },
      extraMetrics: Object.fromEntries(hostile.map((name) => [`model recall@1%FPR ${name} (n=3)`, name])),
    });
    expect(foreignMarkup(html)).toEqual([]);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('(cheapest)</strong>');
  });
});

const xgboost = loadXgboost();

describe.skipIf(!xgboost.ok)('rearguard evaluate --report with hostile typologies in the file', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rearguard-report-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('writes a report in which no typology became markup', async () => {
    const file = join(scratch, 'history.ndjson');
    const start = Date.parse('2025-01-01T00:00:00Z');
    const lines = Array.from({ length: 800 }, (_, index) => {
      const fraud = index % 10 === 3;
      return JSON.stringify({
        type: 'order',
        id: `h-${index}`,
        placed_at: new Date(start + index * 3_600_000).toISOString(),
        amount: { value: 1000 + ((index * 37) % 9000), currency: 'EUR' },
        extra_merchant_data: { hint: fraud ? 90 : (index * 13) % 60 },
        outcome: fraud ? 'fraud_confirmed' : 'paid_on_time',
        outcome_at: new Date(start + index * 3_600_000 + 86_400_000).toISOString(),
        ...(fraud ? { typology: hostile[index % hostile.length] } : {}),
      });
    });
    await writeFile(file, lines.join('\n'));
    const report = join(scratch, 'report');
    const result = await captureCommand((io) =>
      runEvaluateCommand(['--file', file, '--rounds', '5', '--report', report, '--quiet'], io),
    );
    expect(result.code, result.err).toBe(0);
    const html = await readFile(join(report, 'index.html'), 'utf8');
    expect(html).toContain('recall@1%FPR &#34;&#62;&#60;img src=x onerror=alert(2)&#62;');
    expect(foreignMarkup(html)).toEqual([]);
  });
});
