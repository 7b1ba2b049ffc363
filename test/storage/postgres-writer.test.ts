// The PostgreSQL adapter names its pool in history notifications and keeps the settings a DATABASE_URL carries.
import { describe, expect, it } from 'vitest';
import { makePostgresDatabase } from '../../src/storage/postgres.database.ts';
import { postgresUrl } from '../databases.ts';

describe.skipIf(!postgresUrl)('PostgreSQL connection settings', () => {
  it('sets its writer name on every connection beside the options given in the URL', async () => {
    const url = new URL(postgresUrl!);
    url.searchParams.set('options', '-c application_name=rearguard_writer_test');
    const database = await makePostgresDatabase({ url: url.toString() });
    try {
      const [row] = await database.query<{ writer: string; application: string }>(
        "SELECT current_setting('rearguard.writer', true) AS writer, current_setting('application_name') AS application",
      );
      expect(database.writer).toMatch(/^w[0-9a-f]{16}$/);
      expect(row).toEqual({ writer: database.writer, application: 'rearguard_writer_test' });
      // Another handle is another writer: its tail must not take this one's commits for its own.
      const other = await makePostgresDatabase({ url: postgresUrl! });
      expect(other.writer).not.toBe(database.writer);
      await other.close();
    } finally {
      await database.close();
    }
  });
});
