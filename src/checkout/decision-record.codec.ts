// The stored form of a decision's features and rule results: compact when written, one decoder for every reader.
import { createHash } from 'node:crypto';
import type { FeatureValue, FeatureVector, RuleResult } from '../risk/engine.ts';
import { featureCatalogue } from '../risk/features/feature.catalogue.ts';
import type { SqlExecutor } from '../storage/database.ts';

const currentNames: readonly string[] = featureCatalogue.map((feature) => feature.name);

/** Names a catalogue by its names in order: the same names in the same order are the same version anywhere. */
function versionOf(names: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(names)).digest('hex').slice(0, 16);
}

export const featureCatalogueVersion = versionOf(currentNames);
const currentIndexes = new Set(currentNames);

/** Features as stored since the compact record: values in the order of the named catalogue's names. */
export interface StoredFeatureVector {
  readonly catalogue: string;
  readonly values: readonly FeatureValue[];
  /** Positions of catalogue names the decision had no value for (a feature not computed for it). */
  readonly absent?: readonly number[];
  /** Features outside the catalogue, by name. */
  readonly extra?: FeatureVector;
}

/**
 * One feature of a stored record as SQL text (for queries that filter or count by it in the database): the value at
 * its position in this build's catalogue, or by name in an older named record. A record of another catalogue
 * version reads as NULL here; decode it through `decodeFeatures` where that matters.
 */
export function featureSql(column: string, name: string): string {
  const index = currentNames.indexOf(name);
  if (index < 0) throw new Error(`${name} is not in the feature catalogue`);
  return `(CASE WHEN ${column}->>'catalogue' = '${featureCatalogueVersion}' THEN ${column}->'values'->>${index}
    ELSE ${column}->>'${name}' END)`;
}

/** Catalogues met so far, by version; a version is immutable, so one cache serves every database. */
const catalogues = new Map<string, readonly string[]>([[featureCatalogueVersion, currentNames]]);

/** Stores this build's catalogue names once (at start), so records written by it stay readable by later builds. */
export async function registerFeatureCatalogue(db: SqlExecutor): Promise<void> {
  await db.query('INSERT INTO feature_catalogues (version, names) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING', [
    featureCatalogueVersion,
    JSON.stringify(currentNames),
  ]);
}

/** The catalogue's values in its order; names it lacks and features it has no name for are kept apart, exactly. */
export function encodeFeatures(features: FeatureVector): StoredFeatureVector {
  const values: FeatureValue[] = new Array<FeatureValue>(currentNames.length);
  const absent: number[] = [];
  for (let index = 0; index < currentNames.length; index += 1) {
    const value = features[currentNames[index]!];
    if (value === undefined) absent.push(index);
    values[index] = value ?? null;
  }
  let extra: Record<string, FeatureValue> | undefined;
  if (Object.keys(features).length !== currentNames.length - absent.length)
    for (const [name, value] of Object.entries(features)) if (!currentIndexes.has(name)) (extra ??= {})[name] = value;
  return {
    catalogue: featureCatalogueVersion,
    values,
    ...(absent.length > 0 ? { absent } : {}),
    ...(extra ? { extra } : {}),
  };
}

/** Only what a reader uses: rules that hit and rules that failed (a miss says nothing another reader needs). */
export function encodeRuleResults(results: readonly RuleResult[]): RuleResult[] {
  return results.filter((result) => result.kind !== 'no_hit');
}

function isStoredVector(stored: unknown): stored is StoredFeatureVector {
  return (
    typeof stored === 'object' &&
    stored !== null &&
    typeof (stored as StoredFeatureVector).catalogue === 'string' &&
    Array.isArray((stored as StoredFeatureVector).values)
  );
}

/** The names of a stored catalogue version (cached; read from the database once per version and process). */
async function catalogueNames(db: SqlExecutor, version: string): Promise<readonly string[]> {
  const known = catalogues.get(version);
  if (known !== undefined) return known;
  const [row] = await db.query<{ names: string[] }>('SELECT names FROM feature_catalogues WHERE version = $1', [
    version,
  ]);
  if (row === undefined) throw new Error(`feature catalogue ${version} is not stored`);
  catalogues.set(version, row.names);
  return row.names;
}

/** Features as every reader sees them, by name: from a stored vector, or an older record's named object as it is. */
export async function decodeFeatures(db: SqlExecutor, stored: unknown): Promise<FeatureVector> {
  if (!isStoredVector(stored)) return (stored ?? {}) as FeatureVector;
  const names = await catalogueNames(db, stored.catalogue);
  const absent = new Set(stored.absent ?? []);
  const features: Record<string, FeatureValue> = {};
  names.forEach((name, index) => {
    if (!absent.has(index)) features[name] = stored.values[index] ?? null;
  });
  return { ...features, ...stored.extra };
}

/** A decision row with its features decoded; rule results need none (older records also hold their misses). */
export async function decodeDecisionRecord<Row extends { features: unknown }>(
  db: SqlExecutor,
  row: Row,
): Promise<Row & { features: FeatureVector }> {
  return { ...row, features: await decodeFeatures(db, row.features) };
}
