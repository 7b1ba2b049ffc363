// Turns the risk engine's feature vectors (numbers, booleans, short strings) into float32 model rows, one spec for training and serving.
import type { FeatureVector } from '../risk/engine.ts';
import { featureCatalogue } from '../risk/features/feature.catalogue.ts';

/** How one column is read: numbers as they are, booleans as 1/0, strings as the index of a known category. */
export type ColumnEncoding =
  | { readonly name: string; readonly kind: 'number' }
  | { readonly name: string; readonly kind: 'boolean' }
  | { readonly name: string; readonly kind: 'category'; readonly categories: readonly string[] };

/** Stored in the model metadata so that serving encodes exactly as training did. */
export interface FeatureEncoding {
  readonly version: 1;
  readonly columns: readonly ColumnEncoding[];
}

/** Strings with more values than this are identifiers in disguise, not categories: later values become missing. */
const maximumCategories = 64;

/** The catalogue's columns first, in its fixed order; merchant (emd_*) columns are appended as they appear. */
export function catalogueColumns(): ColumnEncoding[] {
  return featureCatalogue
    .filter((definition) => !definition.name.includes('*'))
    .map((definition): ColumnEncoding => {
      if (definition.type === 'string') return { name: definition.name, kind: 'category', categories: [] };
      return { name: definition.name, kind: definition.type };
    });
}

export interface FeatureEncoder {
  /** Columns seen so far; grows while encoding (new emd_* fields, new categories). */
  readonly width: () => number;
  /** Adds columns for unseen merchant fields and returns the width the vector needs. */
  register(features: FeatureVector): number;
  /** Writes one registered vector into `into` from `offset` (the caller cleared the row to NaN). */
  encodeInto(features: FeatureVector, into: Float32Array, offset: number): void;
  /** The spec as it stands now (frozen copy). */
  spec(): FeatureEncoding;
}

/** A growing encoder for replay: it learns emd_* columns and categories from the data, in first-seen order. */
export function makeGrowingEncoder(start: readonly ColumnEncoding[] = catalogueColumns()): FeatureEncoder {
  const names: string[] = [];
  const kinds: ('number' | 'boolean' | 'category')[] = [];
  const categories: (Map<string, number> | null)[] = [];
  const indexByName = new Map<string, number>();
  const addColumn = (column: ColumnEncoding): number => {
    const index = names.length;
    names.push(column.name);
    kinds.push(column.kind);
    categories.push(
      column.kind === 'category' ? new Map(column.categories.map((value, position) => [value, position])) : null,
    );
    indexByName.set(column.name, index);
    return index;
  };
  for (const column of start) addColumn(column);

  return {
    width: () => names.length,
    register(features) {
      for (const name in features) {
        // Only merchant fields may appear outside the catalogue; anything else is ignored, not guessed at.
        if (!indexByName.has(name) && name.startsWith('emd_'))
          addColumn(
            typeof features[name] === 'string' ? { name, kind: 'category', categories: [] } : { name, kind: 'number' },
          );
      }
      return names.length;
    },
    encodeInto(features, into, offset) {
      for (const name in features) {
        const index = indexByName.get(name);
        if (index === undefined) continue;
        into[offset + index] = encodeValue(features[name] ?? null, kinds[index]!, categories[index]!, true);
      }
    },
    spec: () => ({
      version: 1,
      columns: names.map((name, index): ColumnEncoding => {
        const kind = kinds[index]!;
        if (kind !== 'category') return { name, kind };
        return { name, kind, categories: [...categories[index]!.keys()] };
      }),
    }),
  };
}

function encodeValue(
  value: FeatureVector[string],
  kind: 'number' | 'boolean' | 'category',
  known: Map<string, number> | null,
  learn: boolean,
): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (kind !== 'category' || known === null) return Number.NaN;
  const found = known.get(value);
  if (found !== undefined) return found;
  if (!learn || known.size >= maximumCategories) return Number.NaN;
  known.set(value, known.size);
  return known.size - 1;
}

/** A fixed encoder for serving: the spec never changes, unknown categories and fields are missing. */
export function makeFixedEncoder(encoding: FeatureEncoding): (features: FeatureVector) => Float32Array {
  const columns = encoding.columns.map((column) => ({
    name: column.name,
    kind: column.kind,
    known: column.kind === 'category' ? new Map(column.categories.map((value, index) => [value, index])) : null,
  }));
  return (features) => {
    const row = new Float32Array(columns.length);
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      row[index] = encodeValue(features[column.name] ?? null, column.kind, column.known, false);
    }
    return row;
  };
}
