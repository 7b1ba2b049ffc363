// Once per test run: a migrated PGlite database dumped to a file, cloned by every test instead of initialised anew.
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { makePgliteDatabase, dumpPglite } from '../src/storage/pglite.database.ts';
import { migrate } from '../src/storage/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await makePgliteDatabase();
  await migrate(database);
  const dump = await dumpPglite(database);
  await database.close();
  const path = join(tmpdir(), `rearguard-template-${process.pid}.tar`);
  await writeFile(path, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', path);
  if (!process.env.DATABASE_URL)
    console.warn('[tests] DATABASE_URL is unset: PostgreSQL-server tests are skipped (PGlite tests run).');
  return async () => {
    await rm(path, { force: true });
  };
}
