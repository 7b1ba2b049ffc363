// The repository carries the full text of the licence package.json names, so the package ships it too.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

it('has the Apache-2.0 licence text that package.json declares', async () => {
  const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { license: string };
  expect(manifest.license).toBe('Apache-2.0');
  const text = await readFile('LICENSE', 'utf8');
  expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  expect(text).toContain('END OF TERMS AND CONDITIONS');
  // All nine sections of the terms, not an abbreviated notice.
  for (let section = 1; section <= 9; section++) expect(text).toMatch(new RegExp(`\\n\\s+${section}\\. [A-Z]`));
});
