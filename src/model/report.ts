// Writes the self-contained HTML evaluation report: curves, score histograms, top features, metric tables.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureImportance } from './feature-importance.ts';
import {
  precisionRecallCurve,
  recallAtFalsePositiveRate,
  rocCurve,
  summariseRanking,
  sweepThresholds,
  type Labels,
  type Scores,
} from './metrics.ts';
import { failure, success, type Result } from './model.result.ts';
import type { BootstrapIntervals } from './bootstrap.ts';
import { operatingPoint } from './operating-points.ts';
import { formatValue, table } from './report.html.ts';
import {
  bandsSection,
  calibrationSection,
  comparisonSection,
  diagonal,
  intervalsSection,
  metadataSection,
  operatingPointsSection,
  splitsSection,
  type BandAssignment,
  type ScoredSet,
} from './report.sections.ts';
import { barChart, escapeHtml, histogramChart, lineChart } from './svg-chart.ts';
import { thresholdTable, type DecisionCosts, type ThresholdRow } from './threshold-costs.ts';

export interface EvaluationReportInput {
  readonly title: string;
  /** Shown in the header; passed in because the model code reads no clock. */
  readonly generatedAt: string;
  readonly scores: Scores;
  /** 1 = fraud, 0 = legitimate. */
  readonly labels: Labels;
  readonly featureImportance?: readonly FeatureImportance[];
  /** How importance was measured, e.g. "mean |TreeSHAP contribution| (log-odds)". */
  readonly importanceLabel?: string;
  readonly costs?: DecisionCosts;
  readonly amounts?: ArrayLike<number>;
  /** Further figures for the metrics table: per-typology recall, data ranges, model version. */
  readonly extraMetrics?: Readonly<Record<string, number | string | null>>;
  /** The decisions taken per order (approve, step-up, review, decline); drawn as a confusion matrix. */
  readonly bands?: BandAssignment;
  /** Bootstrap intervals of the headline figures on these scores (bootstrap.ts). */
  readonly intervals?: BootstrapIntervals;
  /** Train / validation / test side by side; whichever splits the caller has. */
  readonly splits?: { readonly sets: readonly ScoredSet[]; readonly caption: string };
  /** Rules and policies as yes/no decisions on the same orders: points on the ROC and PR curves. */
  readonly operatingPoints?: readonly { readonly label: string; readonly flagged: ArrayLike<boolean> }[];
  /** Data range, row counts, parameters, versions, commit. */
  readonly metadata?: Readonly<Record<string, number | string | null>>;
  /** The same model on the world it came from, to show the drop on these scores' world. */
  readonly comparison?: { readonly current: string; readonly baseline: ScoredSet };
}

const fraudColor = '#dc2626';
const legitColor = '#2563eb';

export function renderEvaluationReport(input: EvaluationReportInput): string {
  const sweep = sweepThresholds(input.scores, input.labels);
  const summary = summariseRanking(input.scores, input.labels);
  const roc = rocCurve(sweep);
  const markers = [0.01, 0.05].flatMap((rate) => {
    const found = recallAtFalsePositiveRate(sweep, rate);
    return found ? [{ x: found.falsePositiveRate, y: found.recall, label: `${rate * 100}% FPR` }] : [];
  });
  const points = (input.operatingPoints ?? []).map((point) => operatingPoint(point.label, point.flagged, input.labels));
  const placed = points.filter((point) => point.falsePositiveRate !== null && point.recall !== null);
  const rocPoints = placed.map((point) => ({ x: point.falsePositiveRate!, y: point.recall!, label: point.label }));
  const prPoints = placed
    .filter((point) => point.precision !== null)
    .map((point) => ({ x: point.recall!, y: point.precision!, label: point.label }));
  const baseRate = summary.count === 0 ? 0 : summary.positives / summary.count;
  const fraudScores: number[] = [];
  const legitScores: number[] = [];
  for (let index = 0; index < input.scores.length; index++) {
    (input.labels[index] === 1 ? fraudScores : legitScores).push(input.scores[index]!);
  }

  const charts = [
    lineChart({
      title: 'ROC curve',
      xLabel: 'false-positive rate',
      yLabel: 'recall (true-positive rate)',
      series: [{ name: 'model', points: roc, color: fraudColor }, diagonal('chance')],
      markers: [...markers, ...rocPoints],
    }),
    lineChart({
      title: 'ROC curve, low false-positive region (log scale)',
      xLabel: 'false-positive rate',
      yLabel: 'recall (true-positive rate)',
      series: [{ name: 'model', points: roc.filter((point) => point.x > 0), color: fraudColor }],
      logXFrom: 1e-4,
      markers: [...markers, ...rocPoints.filter((point) => point.x > 0)],
    }),
    lineChart({
      title: 'Precision-recall curve',
      xLabel: 'recall',
      yLabel: 'precision',
      series: [
        { name: 'model', points: precisionRecallCurve(sweep), color: fraudColor },
        {
          name: `base rate ${(baseRate * 100).toFixed(2)}%`,
          points: [
            { x: 0, y: baseRate },
            { x: 1, y: baseRate },
          ],
          color: '#9ca3af',
          dashed: true,
        },
      ],
      markers: prPoints,
    }),
    histogramChart({
      title: 'Score distribution',
      xLabel: 'score',
      series: [
        { name: 'legitimate', values: legitScores, color: legitColor },
        { name: 'fraud', values: fraudScores, color: fraudColor },
      ],
    }),
  ];
  if (input.featureImportance && input.featureImportance.length > 0) {
    charts.push(
      barChart({
        title: 'Top features',
        xLabel: input.importanceLabel ?? 'importance',
        bars: input.featureImportance.slice(0, 25).map((entry) => ({ label: entry.feature, value: entry.value })),
      }),
    );
  }

  const metricRows: [string, number | string | null][] = [
    ['rows', summary.count],
    ['fraud', summary.positives],
    ['legitimate', summary.negatives],
    ['ROC AUC', summary.rocAuc],
    ['PR AUC (average precision)', summary.prAuc],
    ['recall at 1% false-positive rate', summary.recallAt1PercentFalsePositiveRate],
    ['recall at 5% false-positive rate', summary.recallAt5PercentFalsePositiveRate],
    ...Object.entries(input.extraMetrics ?? {}),
  ];
  const calibrated = calibrationSection(input.scores, input.labels);
  charts.push(calibrated.chart);
  const comparison = input.comparison
    ? comparisonSection(
        { name: input.comparison.current, scores: input.scores, labels: input.labels },
        input.comparison.baseline,
      )
    : null;
  if (comparison) charts.push(comparison.chart);
  const sections = [
    ...(input.metadata ? [metadataSection(input.metadata)] : []),
    `<h2>Metrics</h2>${table(
      ['metric', 'value'],
      metricRows.map(([name, value]) => [name, formatValue(value)]),
    )}`,
    `<h2>Charts</h2><div class="charts">${charts.map((chart) => `<figure>${chart}</figure>`).join('')}</div>`,
  ];
  if (input.intervals) sections.push(intervalsSection(input.intervals));
  if (input.splits) sections.push(splitsSection(input.splits.sets, input.splits.caption));
  if (comparison) sections.push(comparison.html);
  sections.push(calibrated.html);
  if (input.bands) sections.push(bandsSection(input.bands, input.labels));
  if (points.length > 0) sections.push(operatingPointsSection(points));
  if (input.costs) sections.push(thresholdSection(input));
  return page(input.title, input.generatedAt, sections.join('\n'));
}

function thresholdSection(input: EvaluationReportInput): string {
  const costs = input.costs!;
  const result = thresholdTable({ scores: input.scores, labels: input.labels, costs, amounts: input.amounts });
  // Every 0.05 plus the cheapest threshold keeps the table readable.
  const shown = result.rows.filter(
    (row) => Math.round(row.threshold * 100) % 5 === 0 || row.threshold === result.best.threshold,
  );
  const header = [
    'threshold',
    'flagged',
    'caught fraud',
    'flagged legit',
    'missed fraud',
    'precision',
    'recall',
    'FPR',
    'cost / decision',
  ];
  const rows = shown.map((row: ThresholdRow) => [
    row.threshold === result.best.threshold
      ? { html: `<strong>${escapeHtml(row.threshold.toFixed(2))} (cheapest)</strong>` }
      : row.threshold.toFixed(2),
    String(row.flagged),
    String(row.truePositives),
    String(row.falsePositives),
    String(row.falseNegatives),
    formatValue(row.precision),
    formatValue(row.recall),
    formatValue(row.falsePositiveRate),
    formatValue(row.costPerDecision),
  ]);
  const assumptions =
    `missed fraud ${costs.missedFraud}${input.amounts ? ' x amount' : ''}, friction ${costs.friction} per flagged legitimate purchase` +
    (costs.caughtFraud ? `, ${costs.caughtFraud} per flagged fraud` : '');
  return `<h2>Thresholds by cost</h2><p>Costs assumed: ${escapeHtml(assumptions)}.</p>${table(header, rows, true)}`;
}

function page(title: string, generatedAt: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #111827; background: #f9fafb; }
h1 { margin-bottom: 0; } .generated { color: #6b7280; margin-top: 4px; }
table { border-collapse: collapse; background: #fff; margin-bottom: 16px; }
th, td { border: 1px solid #e5e7eb; padding: 4px 10px; text-align: left; font-size: 14px; }
td.number { text-align: right; font-variant-numeric: tabular-nums; } .note { color: #374151; max-width: 70em; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; border: 1px solid #e5e7eb; flex: 1 1 460px; max-width: 620px; } figure svg { width: 100%; height: auto; }
</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="generated">Generated ${escapeHtml(generatedAt)}</p>
${body}
</body></html>
`;
}

/** Writes DIR/index.html, creating DIR; a file-system error is a Result, as a CLI should say it plainly. */
export async function writeEvaluationReport(
  directory: string,
  input: EvaluationReportInput,
): Promise<Result<{ readonly path: string }>> {
  const path = join(directory, 'index.html');
  try {
    await mkdir(directory, { recursive: true });
    await writeFile(path, renderEvaluationReport(input), 'utf8');
    return success({ path });
  } catch (error) {
    return failure(
      'report_write_failed',
      `could not write ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
