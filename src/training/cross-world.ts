// Scores one world's replayed orders with a model encoded on another: columns matched by name, categories by value.
import type { ReplayedHistory } from './history.replay.ts';
import type { FeatureEncoding } from './feature.encoding.ts';
import type { ScoreSummary } from './evaluation.metrics.ts';

/**
 * Rows of `history` laid out as `encoding` expects. A replay learns its own column order and category numbering
 * (emd_* fields and string values in first-seen order), so a model from another file or an artifact must not read
 * them raw: a column or category the model never saw is missing (NaN), as it would be when serving.
 */
export function rowsInEncoding(
  history: ReplayedHistory,
  indexes: Uint32Array,
  encoding: FeatureEncoding,
): Float32Array {
  const sourceWidth = history.encoding.columns.length;
  const sourceIndex = new Map(history.encoding.columns.map((column, index) => [column.name, index]));
  const plans = encoding.columns.map((column) => {
    const from = sourceIndex.get(column.name);
    if (from === undefined) return null;
    const source = history.encoding.columns[from]!;
    if (column.kind !== 'category' || source.kind !== 'category') return { from, categories: null };
    const target = new Map(column.categories.map((value, index) => [value, index]));
    return { from, categories: source.categories.map((value) => target.get(value) ?? Number.NaN) };
  });
  const width = encoding.columns.length;
  const rows = new Float32Array(indexes.length * width).fill(Number.NaN);
  for (let position = 0; position < indexes.length; position++) {
    const base = indexes[position]! * sourceWidth;
    plans.forEach((plan, column) => {
      if (plan === null) return;
      const value = history.rows[base + plan.from]!;
      rows[position * width + column] =
        plan.categories === null || Number.isNaN(value) ? value : (plan.categories[value] ?? Number.NaN);
    });
  }
  return rows;
}

const droppedFigures = ['roc_auc', 'pr_auc', 'recall_at_1pct_fpr', 'recall_at_5pct_fpr'] as const;

/** Baseline minus this world per headline figure: positive means the model does worse here. */
export function figureDrop(baseline: ScoreSummary, current: ScoreSummary): Record<string, number | null> {
  return Object.fromEntries(
    droppedFigures.map((name) => {
      const [was, is] = [baseline[name], current[name]];
      return [name, was === null || is === null ? null : Math.round((was - is) * 10000) / 10000];
    }),
  );
}

export function describeDrop(
  baselineName: string,
  currentName: string,
  baseline: ScoreSummary,
  current: ScoreSummary,
): string {
  const drop = figureDrop(baseline, current);
  const parts = droppedFigures.map(
    (name) => `${name} ${baseline[name] ?? 'n/a'} -> ${current[name] ?? 'n/a'} (drop ${drop[name] ?? 'n/a'})`,
  );
  return `cross-world drop, model on ${baselineName} -> ${currentName}: ${parts.join('; ')}`;
}
