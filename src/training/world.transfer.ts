// Scores another world's replay with a trained model: its rows re-encoded into the model's columns and categories.
import type { FeatureEncoding } from './feature.encoding.ts';
import type { ReplayedHistory } from './history.replay.ts';
import type { LabelledSet } from './training.set.ts';

/**
 * Each replay learns its own columns (merchant fields) and category codes in first-seen order, so the same
 * code can mean "carrier_nat" in one world and "public" in another. Columns are matched by name and categories
 * by value; what the model never saw is missing, exactly as the live encoder treats it.
 */
export function reencodeRows(history: ReplayedHistory, set: LabelledSet, target: FeatureEncoding): Float32Array {
  const source = history.encoding.columns;
  const sourceIndex = new Map(source.map((column, index) => [column.name, index]));
  const mappings = target.columns.map((column) => {
    const from = sourceIndex.get(column.name);
    if (from === undefined) return null;
    const sourceColumn = source[from]!;
    if (column.kind !== 'category' || sourceColumn.kind !== 'category') return { from, codes: null };
    const targetCode = new Map(column.categories.map((value, code) => [value, code]));
    return { from, codes: sourceColumn.categories.map((value) => targetCode.get(value) ?? Number.NaN) };
  });
  const sourceWidth = source.length;
  const width = target.columns.length;
  const rows = new Float32Array(set.indexes.length * width).fill(Number.NaN);
  for (let position = 0; position < set.indexes.length; position++) {
    const base = set.indexes[position]! * sourceWidth;
    for (let column = 0; column < width; column++) {
      const mapping = mappings[column];
      if (mapping === null || mapping === undefined) continue;
      const value = history.rows[base + mapping.from]!;
      rows[position * width + column] =
        mapping.codes === null || Number.isNaN(value) ? value : (mapping.codes[value] ?? Number.NaN);
    }
  }
  return rows;
}
