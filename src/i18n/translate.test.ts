import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { languages } from './format.ts';
import { catalogues, translate, type MessageKey } from './translate.ts';

/** Every argument a pattern uses, including those inside select/plural branches. */
function argumentsOf(elements: readonly MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    found.add(element.value);
    if (element.type === TYPE.select || element.type === TYPE.plural) {
      for (const option of Object.values(element.options)) argumentsOf(option.value, found);
    }
  }
  return found;
}

describe('message catalogues', () => {
  const keys = (language: (typeof languages)[number]) => Object.keys(catalogues[language]).sort();

  it('have the same keys in every language', () => {
    for (const language of languages) expect(keys(language), `keys of ${language}`).toEqual(keys('nl'));
  });

  it('use the same placeholders in every language, and every pattern parses', () => {
    for (const key of keys('nl') as MessageKey[]) {
      const expected = [...argumentsOf(parse(catalogues.nl[key]))].sort();
      for (const language of languages) {
        const pattern = catalogues[language][key];
        expect(pattern.trim(), `${language} ${key} is empty`).not.toBe('');
        expect([...argumentsOf(parse(pattern))].sort(), `placeholders of ${language} ${key}`).toEqual(expected);
      }
    }
  });

  it('fills placeholders and chooses select branches', () => {
    expect(translate('nl', 'stepup.code.subject', { merchant: 'Phone Shop' })).toBe('Uw code voor Phone Shop');
    expect(translate('en', 'channel.confirm.subject', { kind: 'phone' })).toBe(
      'Confirm your phone number for pay later',
    );
    expect(translate('nl', 'channel.confirm.subject', { kind: 'email' })).toBe(
      'Bevestig uw e-mailadres voor achteraf betalen',
    );
  });
});
