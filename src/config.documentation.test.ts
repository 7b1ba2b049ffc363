// The environment is described three times (the schema, configDocumentation, the README's Configuration table):
// this check keeps the three naming the same variables with the same defaults, privacy settings included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDocumentation, environmentSchema } from './config.ts';

const variables = Object.keys(environmentSchema.shape).sort();

/** Default cells that describe rather than state the value: a secret's development value, a derived path or URL. */
const descriptive = (cell: string) => /^\(.*\)$/.test(cell) || /`[A-Z][A-Z0-9_]+`|\$[A-Z]/.test(cell);

function schemaDefault(variable: string): string | undefined {
  const parsed = environmentSchema.shape[variable as keyof typeof environmentSchema.shape].safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : undefined;
}

/** Variable -> default cell of the README's Configuration tables (a row may name two variables). */
function readmeRows(): Map<string, string> {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const [, names, defaultCell] = line.split('|').map((cell) => cell.trim());
    if (!names?.startsWith('`') || defaultCell === undefined) continue;
    for (const match of names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) rows.set(match[1]!, defaultCell);
  }
  return rows;
}

describe('configuration documentation', () => {
  const readme = readmeRows();
  const documented = new Map(configDocumentation.map(([name, defaultValue]) => [name, defaultValue]));

  it('names every variable the schema reads, and no other, in the README and in configDocumentation', () => {
    expect([...readme.keys()].sort()).toEqual(variables);
    expect([...documented.keys()].sort()).toEqual(variables);
    expect(documented.size).toBe(configDocumentation.length);
  });

  it('gives the schema default wherever the schema has one and the cell states a value', () => {
    const mismatches: string[] = [];
    for (const variable of variables) {
      const expected = schemaDefault(variable);
      // No schema default: unset, or derived when the config is loaded (PUBLIC_URL from PORT), said in words.
      if (expected === undefined) continue;
      for (const [where, cell] of [
        ['README', readme.get(variable)],
        ['configDocumentation', documented.get(variable)],
      ] as const) {
        if (cell === undefined || descriptive(cell)) continue;
        if (cell.replaceAll('`', '') !== expected)
          mismatches.push(`${where} ${variable}: ${cell}, schema: ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('states the privacy retention periods with their schema defaults', () => {
    for (const variable of [
      'ERASURE_FRESH_PROOF_MINUTES',
      'TAX_RETENTION_YEARS',
      'DEBT_LIMITATION_YEARS',
      'FRAUD_INCIDENT_RETENTION_DAYS',
      'DECISION_INPUT_RETENTION_DAYS',
      'ABANDONED_SESSION_RETENTION_DAYS',
      'EXPIRED_CHALLENGE_RETENTION_DAYS',
    ]) {
      expect(readme.get(variable), variable).toBe(schemaDefault(variable));
      expect(documented.get(variable), variable).toBe(schemaDefault(variable));
    }
  });
});
