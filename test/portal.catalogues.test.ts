// The portal's message catalogues: every key in both languages with the same placeholders, every key used exists,
// and no component carries its own words.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import en from '../web/portal/src/i18n/en.json' with { type: 'json' };
import nl from '../web/portal/src/i18n/nl.json' with { type: 'json' };

const sourceDirectory = join(import.meta.dirname, '..', 'web', 'portal', 'src');
const catalogues: Record<string, Record<string, string>> = { en, nl };

/** The arguments a message takes ({amount}, {count, plural, ...}), with their kinds, nested ones included. */
function placeholders(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    found.add(`${element.value}:${TYPE[element.type]}`);
    if (element.type === TYPE.plural || element.type === TYPE.select)
      for (const option of Object.values(element.options)) placeholders(option.value, found);
    if (element.type === TYPE.tag) placeholders(element.children, found);
  }
  return found;
}

async function sources(): Promise<Array<{ file: string; text: string }>> {
  const files = (await readdir(sourceDirectory, { recursive: true })).filter((file) => /\.tsx?$/.test(file));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(sourceDirectory, file), 'utf8') })));
}

describe('portal message catalogues', () => {
  it('have the same keys in Dutch and English', () => {
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
  });

  it('parse as ICU messages and take the same placeholders in both languages', () => {
    const differing = Object.keys(en).filter((key) => {
      const [english, dutch] = [en, nl].map((catalogue) =>
        [...placeholders(parse(catalogue[key as keyof typeof en]))].sort().join(),
      );
      return english !== dutch || nl[key as keyof typeof nl].trim() === '';
    });
    expect(differing).toEqual([]);
  });

  it('hold every key the components ask for, and every key is asked for', async () => {
    const code = (await sources()).map((source) => source.text).join('\n');
    // Static ids: text('nav.menu'); dynamic ids: text(`invoice.status.${...}`) use every key under their prefix.
    const staticIds = [...code.matchAll(/['"]([a-z][A-Za-z]*(?:\.[A-Za-z_]+)+)['"]/g)]
      .map((match) => match[1]!)
      // File names and the browser-storage keys (rearguard.*) are quoted dotted names too.
      .filter((id) => !/\.(tsx?|json|css)$/.test(id) && !id.startsWith('rearguard.'));
    const prefixes = [...code.matchAll(/`([a-z][A-Za-z]*(?:\.[A-Za-z_]+)*\.)\$\{/g)].map((match) => match[1]!);
    for (const [language, catalogue] of Object.entries(catalogues)) {
      const missing = staticIds.filter((id) => !(id in catalogue));
      expect(missing, `missing in ${language}.json`).toEqual([]);
    }
    const unused = Object.keys(en).filter(
      (key) => !staticIds.includes(key) && !prefixes.some((prefix) => key.startsWith(prefix)),
    );
    expect(unused, 'keys no component uses').toEqual([]);
  });

  it('leave no words in the components themselves (text between JSX tags or in aria-label strings)', async () => {
    const offenders = (await sources())
      .filter((source) => source.file.endsWith('.tsx'))
      .flatMap((source) =>
        [
          ...source.text.matchAll(/(?<![=-])>\s*([A-Za-z][^<>{}();=]*?)\s*<\/?[A-Za-z]/g),
          ...source.text.matchAll(/(?:aria-label|title|placeholder|alt)="([^"]+)"/g),
        ].map((match) => `${source.file}: ${match[1]}`),
      );
    expect(offenders).toEqual([]);
  });
});
