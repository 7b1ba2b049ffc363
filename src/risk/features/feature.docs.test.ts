// The feature catalogue is complete, unique, documented, and docs/features.md matches it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { featureCatalogue } from './feature.catalogue.ts';
import { featureDocPath, formattedFeatureDoc } from './feature.docs.ts';
import { featureFamilies } from './feature.family.ts';

describe('feature catalogue', () => {
  it('has at least 100 features with unique snake_case names and a meaning', () => {
    expect(featureCatalogue.length).toBeGreaterThanOrEqual(100);
    const names = featureCatalogue.map((definition) => definition.name);
    expect(new Set(names).size).toBe(names.length);
    for (const definition of featureCatalogue) {
      expect(definition.name).toMatch(/^[a-z][a-z0-9_]*(\*)?$/);
      expect(definition.meaning.length).toBeGreaterThan(10);
    }
  });

  it('covers every family', () => {
    for (const family of featureFamilies)
      expect(featureCatalogue.some((definition) => definition.family === family)).toBe(true);
  });

  it('docs/features.md is up to date (regenerate: npx tsx src/risk/features/feature.docs.ts --write)', async () => {
    expect(readFileSync(featureDocPath, 'utf8')).toBe(await formattedFeatureDoc());
  });
});
