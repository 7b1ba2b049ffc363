// Every reason a consumer can be shown has its text in both catalogues, so a new rule fails here until translated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogues, reasonChangeText, reasonText } from './translate.ts';
import { leverReasons } from '../monitoring/lever.rules.ts';

const ruleset = JSON.parse(readFileSync(new URL('../../rules/default.json', import.meta.url), 'utf8')) as {
  rules: Array<{ reason?: { code: string } }>;
};
const policySource = readFileSync(new URL('../risk/policy/decision.policy.ts', import.meta.url), 'utf8');
const policyCodes = [...policySource.matchAll(/code: '([a-z_]+)'/g)].map((match) => match[1]!);
const ruleCodes = [
  ...ruleset.rules.flatMap((rule) => (rule.reason ? [rule.reason.code] : [])),
  // Emergency levers pulled in the console act as rules with their own reasons.
  ...Object.values(leverReasons).map((reason) => reason.code),
];

describe('decision reasons in the catalogues', () => {
  it.each(['nl', 'en'] as const)('has every rule and policy reason in %s', (language) => {
    expect(policyCodes.length).toBeGreaterThan(5);
    const missing = [...new Set([...ruleCodes, ...policyCodes])].filter(
      (code) => !Object.hasOwn(catalogues[language], `reason.${code}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(['nl', 'en'] as const)(
    'says what would have changed it for every rule and policy reason in %s',
    (language) => {
      const missing = [...new Set([...ruleCodes, ...policyCodes])].filter(
        (code) => !Object.hasOwn(catalogues[language], `reasonChange.${code}`),
      );
      expect(missing).toEqual([]);
      // Nothing in the catalogue that no reason uses any more.
      const known = new Set(Object.keys(catalogues[language]).filter((key) => key.startsWith('reason.')));
      const orphans = Object.keys(catalogues[language]).filter(
        (key) => key.startsWith('reasonChange.') && !known.has(`reason.${key.slice('reasonChange.'.length)}`),
      );
      expect(orphans).toEqual([]);
    },
  );

  it('writes the counterfactual in plain words', () => {
    expect(reasonChangeText('en', 'unusual_amount')).toBe(
      'A purchase closer to your usual amounts, or confirming with a code.',
    );
    expect(reasonChangeText('nl', 'unusual_amount')).toMatch(/gebruikelijke bedragen/);
    expect(reasonChangeText('nl', 'a_rule_added_today')).toBeNull();
  });

  it('falls back to the authored text for a code without a translation', () => {
    expect(reasonText('nl', 'a_rule_added_today', 'Authored text.')).toBe('Authored text.');
    expect(reasonText('nl', 'new_delivery_address', 'x')).toMatch(/^Dit bezorgadres is nieuw/);
  });
});
