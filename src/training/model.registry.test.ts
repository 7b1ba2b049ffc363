// The model registry against real databases: register, promote, one champion, rollback along the promotion history.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from '../../test/databases.ts';
import { makeManualClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import type { Database } from '../storage/database.ts';
import { testArtifact } from './model.fixtures.ts';
import { makeModelRegistry } from './model.registry.ts';

describe.each(databaseKinds)('model registry on %s', (kind) => {
  let database: Database;
  afterEach(() => database?.close());

  it('promotes one champion at a time and rolls back along the history', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const registry = makeModelRegistry({ database, clock, ids: makeIds(() => clock.now()) });
    expect(await registry.champion()).toBeNull();
    expect(await registry.rollback()).toEqual({ kind: 'no_champion' });

    const first = await registry.register(testArtifact('first'));
    const second = await registry.register(testArtifact('second'));
    expect((await registry.list()).map((version) => version.status)).toEqual(['challenger', 'challenger']);
    expect(await registry.promote('mdl_missing')).toEqual({ kind: 'not_found', id: 'mdl_missing' });

    expect(await registry.promote(first)).toEqual({ kind: 'promoted', id: first, previous: null });
    expect(await registry.promote(first)).toEqual({ kind: 'already_champion', id: first });
    clock.advance(1000);
    expect(await registry.promote(second)).toEqual({ kind: 'promoted', id: second, previous: first });
    const statuses = Object.fromEntries((await registry.list()).map((version) => [version.id, version.status]));
    expect(statuses).toEqual({ [first]: 'retired', [second]: 'champion' });
    expect((await registry.challengers()).length).toBe(0);
    expect((await registry.champion())?.artifact.metadata.name).toBe('second');

    expect(await registry.rollback()).toEqual({ kind: 'rolled_back', from: second, to: first });
    expect((await registry.champion())?.id).toBe(first);
    // The first champion had no predecessor: rolling back again leaves the shipped default in charge.
    expect(await registry.rollback()).toEqual({ kind: 'rolled_back', from: first, to: null });
    expect(await registry.champion()).toBeNull();
    expect((await registry.history()).map((entry) => entry.action)).toEqual([
      'promote',
      'promote',
      'rollback',
      'rollback',
    ]);
  });

  it('lets the database refuse a second champion', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const registry = makeModelRegistry({ database, clock, ids: makeIds(() => clock.now()) });
    const first = await registry.register(testArtifact('first'));
    const second = await registry.register(testArtifact('second'));
    await registry.promote(first);
    await expect(
      database.query("UPDATE model_versions SET status = 'champion' WHERE id = $1", [second]),
    ).rejects.toThrow();
  });
});
