// The report's trust sections: calibration, bands as a confusion matrix, confidence intervals, splits, run, other world.
import type { BootstrapIntervals } from './bootstrap.ts';
import { calibration } from './reliability.ts';
import { rocCurve, summariseRanking, sweepThresholds, type Labels, type Scores } from './metrics.ts';
import { confusionByBand, type OperatingPoint } from './operating-points.ts';
import { formatValue, note, table } from './report.html.ts';
import { lineChart, type LineSeries } from './svg-chart.ts';

/** The grey dashed diagonal: chance on a ROC chart, perfect calibration on a reliability diagram. */
export function diagonal(name: string): LineSeries {
  return {
    name,
    points: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
    color: '#9ca3af',
    dashed: true,
  };
}

/** Scores with their labels under a name: a split (train, validation, test) or a world. */
export interface ScoredSet {
  readonly name: string;
  readonly scores: Scores;
  readonly labels: Labels;
}

export interface BandAssignment {
  /** Band names in order of severity, e.g. approve, step-up, review, decline. */
  readonly names: readonly string[];
  /** Per order, an index into names. */
  readonly assigned: ArrayLike<number>;
  /** How the bands were reached (which thresholds, which rules), shown above the table. */
  readonly note?: string;
}

export function calibrationSection(scores: Scores, labels: Labels): { html: string; chart: string } {
  const result = calibration(scores, labels);
  const filled = result.bins.filter((bin) => bin.count > 0);
  const chart = lineChart({
    title: 'Calibration (reliability diagram)',
    xLabel: 'mean predicted probability in bin',
    yLabel: 'observed fraud rate',
    series: [
      {
        name: 'model',
        points: filled.map((bin) => ({ x: bin.meanPredicted!, y: bin.observedRate! })),
        color: '#dc2626',
      },
      diagonal('perfectly calibrated'),
    ],
    markers: filled.map((bin) => ({ x: bin.meanPredicted!, y: bin.observedRate!, label: `n=${bin.count}` })),
  });
  const rows = result.bins.map((bin) => [
    `${bin.from.toFixed(1)}–${bin.to.toFixed(1)}`,
    String(bin.count),
    String(bin.fraud),
    formatValue(bin.meanPredicted),
    formatValue(bin.observedRate),
  ]);
  const caveat =
    result.outOfRange > 0
      ? note(
          `${result.outOfRange} scores lie outside 0..1: these are not probabilities, so calibration does not apply.`,
        )
      : '';
  const html =
    `<h2>Calibration</h2>${note(
      `Brier score ${formatValue(result.brier)} (lower is better); expected calibration error ${formatValue(result.expectedCalibrationError)}. ` +
        'A calibrated model sits on the diagonal: of orders scored 0.3, three in ten are fraud.',
    )}${caveat}` + table(['score bin', 'orders', 'fraud', 'mean predicted', 'observed fraud rate'], rows);
  return { html, chart };
}

export function bandsSection(bands: BandAssignment, labels: Labels): string {
  const rows = confusionByBand(bands.names, bands.assigned, labels);
  const fraudTotal = rows.reduce((sum, row) => sum + row.fraud, 0);
  const legitTotal = rows.reduce((sum, row) => sum + row.legitimate, 0);
  const share = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((part / whole) * 100).toFixed(2)}%`);
  return (
    `<h2>Decisions by band (confusion matrix)</h2>${bands.note ? note(bands.note) : ''}` +
    table(
      ['band', 'fraud', 'legitimate', 'share of all fraud', 'share of all legitimate', 'fraud rate in band'],
      [
        ...rows.map((row) => [
          row.band,
          String(row.fraud),
          String(row.legitimate),
          share(row.fraud, fraudTotal),
          share(row.legitimate, legitTotal),
          share(row.fraud, row.fraud + row.legitimate),
        ]),
        ['total', String(fraudTotal), String(legitTotal), '', '', share(fraudTotal, fraudTotal + legitTotal)],
      ],
    )
  );
}

export function intervalsSection(intervals: BootstrapIntervals): string {
  const rows = (
    [
      ['ROC AUC', intervals.roc_auc],
      ['PR AUC (average precision)', intervals.pr_auc],
      ['recall at 1% false-positive rate', intervals.recall_at_1pct_fpr],
    ] as const
  ).map(([name, interval]) => [
    name,
    formatValue(interval.estimate),
    formatValue(interval.low),
    formatValue(interval.high),
  ]);
  return (
    `<h2>Confidence intervals (bootstrap)</h2>${note(
      `${intervals.resamples} resamples of the test orders with replacement, seed ${intervals.seed}; ` +
        `${Math.round(intervals.level * 100)}% percentile intervals.`,
    )}` + table(['metric', 'estimate', 'low', 'high'], rows)
  );
}

const splitMetrics = ['orders', 'fraud', 'ROC AUC', 'PR AUC', 'recall at 1% FPR', 'recall at 5% FPR', 'Brier'] as const;

function splitFigures(set: ScoredSet): (number | null)[] {
  const summary = summariseRanking(set.scores, set.labels);
  return [
    summary.count,
    summary.positives,
    summary.rocAuc,
    summary.prAuc,
    summary.recallAt1PercentFalsePositiveRate,
    summary.recallAt5PercentFalsePositiveRate,
    calibration(set.scores, set.labels).brier,
  ];
}

export function splitsSection(splits: readonly ScoredSet[], caption: string): string {
  const figures = splits.map(splitFigures);
  const rows = splitMetrics.map((metric, row) => [metric, ...figures.map((column) => formatValue(column[row]!))]);
  return `<h2>Train, validation and test</h2>${note(caption)}${table(['metric', ...splits.map((split) => split.name)], rows)}`;
}

export function operatingPointsSection(points: readonly OperatingPoint[]): string {
  return (
    '<h2>Rules and policy on the curves</h2>' +
    note('Each decision rule flags an order or not: one point each on the ROC and precision-recall charts.') +
    table(
      ['decision', 'flagged', 'false-positive rate', 'recall', 'precision'],
      points.map((point) => [
        point.label,
        String(point.flagged),
        formatValue(point.falsePositiveRate),
        formatValue(point.recall),
        formatValue(point.precision),
      ]),
    )
  );
}

export function metadataSection(metadata: Readonly<Record<string, string | number | null>>): string {
  return `<h2>Run</h2>${table(
    ['item', 'value'],
    Object.entries(metadata).map(([name, value]) => [name, formatValue(value)]),
  )}`;
}

/** The same model on another world's orders: figures side by side, the drop, and both ROC curves on one chart. */
export function comparisonSection(current: ScoredSet, baseline: ScoredSet): { html: string; chart: string } {
  const now = splitFigures(current);
  const before = splitFigures(baseline);
  const rows = splitMetrics.map((metric, row) => {
    const [was, is] = [before[row]!, now[row]!];
    const counted = metric === 'orders' || metric === 'fraud';
    const drop = counted || was === null || is === null ? null : was - is;
    return [metric, formatValue(was), formatValue(is), counted ? '' : formatValue(drop)];
  });
  const chart = lineChart({
    title: 'ROC curve, baseline world vs this world',
    xLabel: 'false-positive rate',
    yLabel: 'recall (true-positive rate)',
    series: [
      { name: baseline.name, points: rocCurve(sweepThresholds(baseline.scores, baseline.labels)), color: '#2563eb' },
      { name: current.name, points: rocCurve(sweepThresholds(current.scores, current.labels)), color: '#dc2626' },
    ],
  });
  const html =
    `<h2>Shifted-world comparison</h2>${note(
      `The same model on ${baseline.name} (baseline) and on ${current.name}; drop = baseline minus this world (positive: worse here).`,
    )}` + table(['metric', baseline.name, current.name, 'drop'], rows);
  return { html, chart };
}
