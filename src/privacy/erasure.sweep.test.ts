// Redaction of free-form copies: every spelling of a value goes, JSON text stays valid JSON.
import { describe, expect, it } from 'vitest';
import { erasedMark, redactText } from './erasure.sweep.ts';

describe('redactText', () => {
  it('replaces each value case-insensitively', () => {
    expect(redactText('Dear Anna de Vries, Anna@Example.nl', ['Anna de Vries', 'anna@example.nl'], false)).toBe(
      `Dear ${erasedMark}, ${erasedMark}`,
    );
  });

  it('finds a value as JSON text quotes it and leaves valid JSON', () => {
    const json = JSON.stringify({ note: 'O"Brien called', to: 'o"brien@example.nl' });
    const redacted = redactText(json, ['o"brien@example.nl', 'O"Brien'], true);
    expect(JSON.parse(redacted)).toEqual({ note: `${erasedMark} called`, to: erasedMark });
  });

  it('treats values as text, not as patterns', () => {
    expect(redactText('call +31 (6) 123 or 31x6', ['+31 (6) 123'], false)).toBe(`call ${erasedMark} or 31x6`);
  });
});
