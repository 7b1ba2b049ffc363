// A fast start: the online state loaded from its snapshot plus the facts written after it equals a full rebuild.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { serialize } from 'node:v8';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, makeTestDatabase } from './databases.ts';
import { adminKey, sessionBody, testConfig, postImport } from './application.ts';
import { makeApplication, type Application } from '../src/app.ts';
import { makeManualClock } from '../src/shared/clock.ts';
import type { Database } from '../src/storage/database.ts';
import type { DecisionInput } from '../src/risk/engine.ts';
import { developmentMasterKeys } from '../src/config.ts';
import { publishStateSnapshot } from '../src/risk/state/state-snapshot.shared.ts';

const address = { street: 'Damrak', house_number: '1', postal_code: '1012LG', city: 'Amsterdam', country: 'NL' };

function historyLines(from: number, count: number): string {
  const lines: object[] = [];
  for (let index = from; index < from + count; index += 1) {
    const customer = index % 7;
    const email = `buyer${customer}@example.nl`;
    if (index === from || index % 7 === 0)
      lines.push({
        type: 'account',
        id: `ext-${index}`,
        created_at: new Date(Date.UTC(2026, 0, 1) + index * 3_600_000).toISOString(),
        name: `Buyer ${customer}`,
        email,
        address: { ...address, house_number: String(customer + 1) },
      });
    const accountIndex = index - (index % 7 === 0 || index === from ? 0 : (index - from) % 7 || 0);
    const placedAt = Date.UTC(2026, 0, 2) + index * 5_400_000;
    lines.push({
      type: 'order',
      id: `h-${index}`,
      placed_at: new Date(placedAt).toISOString(),
      account_id: `ext-${index % 7 === 0 || index === from ? index : Math.max(from, accountIndex - (accountIndex % 7))}`,
      amount: { value: 2000 + index * 37, currency: 'EUR' },
      customer: { name: `Buyer ${customer}`, email },
      billing_address: { ...address, house_number: String(customer + 1) },
      device: { id: `dev-${index % 5}`, ip: `203.0.113.${index % 9}` },
      outcome: index % 11 === 0 ? 'unpaid' : index % 3 === 0 ? 'paid_late' : 'paid_on_time',
      outcome_at: new Date(placedAt + 12 * 86_400_000).toISOString(),
    });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

describe.each(databaseKinds)('online state snapshot on %s', (kind) => {
  let database: Database;
  let directory: string;
  const clock = makeManualClock(Date.parse('2026-11-02T10:00:00Z'));
  const opened: Application[] = [];
  beforeAll(async () => {
    database = await makeTestDatabase(kind);
    directory = await mkdtemp(join(tmpdir(), 'rearguard-snapshot-'));
  });
  afterAll(async () => {
    await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** A server over the shared database; closing it leaves the database open for the next one. */
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  async function open(snapshot: string, environment: Record<string, string> = {}): Promise<Application> {
    const shared: Database = { ...database, close: async () => undefined };
    const app = await makeApplication(
      // The file alone unless a test shares it through the database (PostgreSQL's default): see the sharing tests.
      testConfig({ STATE_SNAPSHOT_PATH: snapshot, LOG_LEVEL: 'info', STATE_SNAPSHOT_SHARED: 'off', ...environment }),
      {
        database: shared,
        clock,
        defaultModelPath: null,
        logStream,
      },
    );
    opened.push(app);
    return app;
  }

  async function importLines(app: Application, ndjson: string): Promise<void> {
    const response = await postImport(app.server, ndjson);
    expect(response.statusCode).toBe(200);
  }

  const probes = (): DecisionInput[] =>
    [0, 1, 3, 6].map((customer) => ({
      sessionId: `ses_probe_${customer}`,
      merchantId: 'mer_probe',
      merchantName: 'Probe Shop',
      at: clock.now(),
      session: sessionBody({
        customer: { name: `Buyer ${customer}`, email: `buyer${customer}@example.nl`, phone: `+3161234567${customer}` },
        billing_address: { ...address, house_number: String(customer + 1) },
        device: { id: `dev-${customer % 5}`, ip: `203.0.113.${customer}` },
      }) as DecisionInput['session'],
    }));

  async function featuresOf(app: Application) {
    const result = [];
    for (const probe of probes()) result.push((await app.engine.decide(probe)).features);
    return result;
  }

  it('loads the snapshot, replays only newer facts, and gives the features of a full rebuild', async () => {
    const path = join(directory, 'state.snapshot');
    const first = await open(path);
    expect(first.startFigures.fromSnapshot).toBe(false);
    await importLines(first, historyLines(0, 60));
    await first.close();
    const header = JSON.parse((await readFile(path, 'utf8')).split('\n', 1)[0]!) as { mark: number };
    expect(header.mark).toBeGreaterThan(0);

    // Facts written after the snapshot, by a server that writes no snapshot of its own.
    const other = await open('off');
    await importLines(other, historyLines(60, 12));
    await other.close();

    const warm = await open(path);
    expect(warm.startFigures.fromSnapshot).toBe(true);
    const cold = await open('off');
    expect(cold.startFigures.fromSnapshot).toBe(false);
    expect(warm.startFigures.replayedEvents).toBeGreaterThan(0);
    expect(warm.startFigures.replayedEvents).toBeLessThan(cold.startFigures.replayedEvents / 3);
    clock.advance(60_000);
    const expected = await featuresOf(cold);
    expect(await featuresOf(warm)).toEqual(expected);
    // Orders imported after the snapshot are in the warm state: dev-0 was used by h-0, h-5, ..., h-55 and h-60 to h-70.
    expect(expected[0]!.device_orders).toBe(15);
    expect(warm.featureState.sizes()).toEqual(cold.featureState.sizes());
    expect(warm.featureState.sizes().orders).toBe(72);
    // The state keys its entities by e-mail address, device and IP (as v8 would write them: the control), and the
    // file holds none of them readable.
    const plain = serialize(warm.featureState.exportData());
    const file = await readFile(path);
    const holds = (bytes: Buffer, value: string) =>
      bytes.includes(Buffer.from(value, 'latin1')) || bytes.includes(Buffer.from(value, 'utf16le'));
    for (const value of ['buyer3@example.nl', 'dev-3', '203.0.113.4']) {
      expect(holds(plain, value), value).toBe(true);
      expect(holds(file, value), value).toBe(false);
    }
    await warm.close();
    await cold.close();
  });

  it('ignores a corrupt or foreign snapshot with a log line and rebuilds', async () => {
    const path = join(directory, 'corrupt.snapshot');
    const first = await open(path);
    await first.close();
    const content = await readFile(path);
    const flipped = Buffer.from(content);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10]! + 1) % 256;
    await writeFile(path, flipped);
    logLines.length = 0;
    const corrupt = await open(path);
    expect(corrupt.startFigures.fromSnapshot).toBe(false);
    expect(logLines.join('')).toContain('corrupt body (does not open)');
    expect(corrupt.featureState.sizes().orders).toBe(72);
    await corrupt.close();

    // A file cut short (a copy interrupted, a full disk) is noticed before any of it is used.
    const whole = await readFile(path);
    await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
    logLines.length = 0;
    const torn = await open(path);
    expect(torn.startFigures.fromSnapshot).toBe(false);
    expect(logLines.join('')).toContain('corrupt body (torn');
    expect(torn.featureState.sizes().orders).toBe(72);
    await torn.close();

    const text = (await readFile(path)).toString('latin1');
    await writeFile(
      path,
      Buffer.from(text.replace(/"catalogue":"[0-9a-f]+"/, '"catalogue":"ffffffffffffffff"'), 'latin1'),
    );
    logLines.length = 0;
    const foreign = await open(path);
    expect(foreign.startFigures.fromSnapshot).toBe(false);
    expect(logLines.join('')).toContain('online state snapshot not used: rebuilding from the database');
    expect(logLines.join('')).toContain('feature catalogue ffffffffffffffff');
    expect(foreign.featureState.sizes().orders).toBe(72);
    await foreign.close();
  });

  it('is sealed under the first master key and opens under any listed one; without its key the server rebuilds', async () => {
    const path = join(directory, 'rotated.snapshot');
    await (await open(path)).close();
    const sealedUnder = async () =>
      (JSON.parse((await readFile(path, 'utf8')).split('\n', 1)[0]!) as { masterKeyId: string }).masterKeyId;
    expect(await sealedUnder()).toBe('dev');
    // A new master key first (a rotation begun), the old one still listed: the old snapshot opens, the next is sealed
    // under the new key.
    const rotated = { MASTER_KEYS: `rot:${Buffer.alloc(32, 5).toString('base64')},${developmentMasterKeys}` };
    const during = await open(path, rotated);
    expect(during.startFigures.fromSnapshot).toBe(true);
    await during.close();
    expect(await sealedUnder()).toBe('rot');
    // A server without that key cannot open it: it says why and rebuilds, with the same state.
    logLines.length = 0;
    const without = await open(path);
    expect(without.startFigures.fromSnapshot).toBe(false);
    expect(logLines.join('')).toContain('sealed under master key \\"rot\\", which MASTER_KEYS does not hold');
    expect(without.featureState.sizes().orders).toBe(72);
    await without.close();
  });

  it('removes the temporary files of snapshot writes that never finished, and only those', async () => {
    const path = join(directory, 'abandoned.snapshot');
    // A process that has ended, one that runs (this test's parent), this process's own id (a container restarted
    // with the same id), and names that are not a write's.
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    const files = {
      ended: `${path}.${ended}.tmp`,
      sameId: `${path}.${process.pid}.tmp`,
      running: `${path}.${process.ppid}.tmp`,
      notAWrite: `${path}.notes.tmp`,
      otherSnapshot: join(directory, `other.snapshot.${ended}.tmp`),
    };
    for (const file of Object.values(files)) await writeFile(file, Buffer.alloc(64, 1));
    logLines.length = 0;
    const app = await open(path);
    expect(logLines.join('')).toContain('removed unfinished state snapshot writes');
    expect(existsSync(files.ended)).toBe(false);
    expect(existsSync(files.sameId)).toBe(false);
    expect(existsSync(files.running)).toBe(true);
    expect(existsSync(files.notAWrite)).toBe(true);
    expect(existsSync(files.otherSnapshot)).toBe(true);
    await app.close();
    // The write on close went through its own temporary file and left none.
    expect(existsSync(path)).toBe(true);
    expect(existsSync(files.sameId)).toBe(false);
  });

  // Several processes on one PostgreSQL: a process without a snapshot of its own (a new replica, a container started
  // without its disk) starts from the one another published. PGlite's directory has one process: nothing to share.
  if (kind === 'postgres') {
    const shared = { STATE_SNAPSHOT_SHARED: 'on', STATE_SNAPSHOT_INTERVAL_S: '0' };
    const published = () =>
      database.query<{ id: string; mark: string; chunks: number; bytes: string }>(
        'SELECT id, mark::text AS mark, chunks, bytes::text AS bytes FROM state_snapshots ORDER BY published_at',
      );
    const fresh = (name: string) => join(directory, name, 'state.snapshot');
    /** Asks for the person with this e-mail to be erased, as the desk does, and works the request; its outcome. */
    async function erase(app: Application, reference: string, email: string): Promise<unknown> {
      const admin = { authorization: `Bearer ${adminKey}` };
      const request = await app.server.inject({
        method: 'POST',
        url: '/v1/admin/erasure-requests',
        headers: { ...admin, 'content-type': 'application/json' },
        payload: JSON.stringify({ reference, email }),
      });
      expect(request.statusCode, request.body).toBe(201);
      await app.erasure.service.workPending();
      const id = (request.json() as { id: string }).id;
      return (
        await app.server.inject({ method: 'GET', url: `/v1/admin/erasure-requests/${id}`, headers: admin })
      ).json();
    }

    it('publishes the snapshot in the database, and a process without one of its own starts from it', async () => {
      await database.query('DELETE FROM state_snapshots');
      const first = await open(fresh('a'), shared);
      await importLines(first, historyLines(100, 10));
      await first.close();
      const [row, ...more] = await published();
      expect(more).toHaveLength(0);
      expect(first.onlineState.lastSnapshot()?.publishing).toMatchObject({ published: true, id: row!.id });
      // The file's bytes as written: sealed (the chunks hold none of the keys the state is built on).
      const chunks = await database.query<{ bytes: Buffer }>(
        'SELECT bytes FROM state_snapshot_chunks WHERE snapshot_id = $1 ORDER BY chunk',
        [row!.id],
      );
      const stored = Buffer.concat(chunks.map((chunk) => chunk.bytes));
      expect(stored.length).toBe(Number(row!.bytes));
      expect(stored.equals(await readFile(fresh('a')))).toBe(true);
      expect(stored.includes(Buffer.from('buyer3@example.nl', 'latin1'))).toBe(false);

      // Another process, its directory empty: it fetches that snapshot, replays nothing, and decides as a rebuild does.
      logLines.length = 0;
      const second = await open(fresh('b'), shared);
      expect(second.startFigures).toMatchObject({ fromSnapshot: true, snapshotSource: 'database', replayedEvents: 0 });
      expect(logLines.join('')).toContain('online state snapshot fetched from the database');
      expect(existsSync(fresh('b'))).toBe(true);
      const cold = await open('off');
      expect(cold.startFigures.fromSnapshot).toBe(false);
      expect(await featuresOf(second)).toEqual(await featuresOf(cold));
      expect(second.featureState.sizes()).toEqual(cold.featureState.sizes());
      await cold.close();
      // Nothing newer: closing writes its file and publishes nothing.
      await second.close();
      expect(second.onlineState.lastSnapshot()?.publishing).toMatchObject({
        published: false,
        reason: expect.stringContaining('as new is published'),
      });

      // A newer state replaces the one published; within the interval, another process's newer one is not published.
      const third = await open(fresh('c'), shared);
      expect(third.startFigures.snapshotSource).toBe('database');
      await importLines(third, historyLines(110, 5));
      await third.close();
      const [newer, ...older] = await published();
      expect(older).toHaveLength(0);
      expect(Number(newer!.mark)).toBeGreaterThan(Number(row!.mark));
      const fourth = await open(fresh('d'), { STATE_SNAPSHOT_SHARED: 'on', STATE_SNAPSHOT_INTERVAL_S: '3600' });
      await importLines(fourth, historyLines(115, 3));
      await fourth.close();
      expect(fourth.onlineState.lastSnapshot()?.publishing).toMatchObject({
        published: false,
        reason: expect.stringMatching(/^one was published \d+ s ago$/),
      });
      expect((await published()).map((snapshot) => snapshot.id)).toEqual([newer!.id]);
      // A process that did not ask to share neither fetches nor publishes.
      const alone = await open(fresh('g'));
      expect(alone.startFigures.fromSnapshot).toBe(false);
      await alone.close();
      expect(alone.onlineState.lastSnapshot()?.publishing).toBeUndefined();
    });

    it('writes and publishes a state rebuilt on start at once when the schedulers start, not an interval later', async () => {
      // A new release (another catalogue) finds nothing it can use: as if nothing were published.
      await database.query('DELETE FROM state_snapshots');
      const interval = { STATE_SNAPSHOT_SHARED: 'on', STATE_SNAPSHOT_INTERVAL_S: '3600' };
      const first = await open(fresh('j'), interval);
      expect(first.startFigures.fromSnapshot).toBe(false);
      expect(first.onlineState.lastSnapshot()).toBeNull();
      first.startSchedulers();
      await expect.poll(() => first.onlineState.lastSnapshot(), { timeout: 30_000 }).not.toBeNull();
      expect(first.onlineState.lastSnapshot()?.publishing).toMatchObject({ published: true });
      expect(existsSync(fresh('j'))).toBe(true);
      // The next process of the new release starts from it, and writes nothing before its interval: only its close.
      const second = await open(fresh('k'), interval);
      expect(second.startFigures.snapshotSource).toBe('database');
      logLines.length = 0;
      second.startSchedulers();
      await second.close();
      expect(logLines.join('').match(/online state snapshot written/g)).toHaveLength(1);
      await first.close();
    });

    it('does not use a published snapshot that was changed: the process rebuilds', async () => {
      expect(await published()).toHaveLength(1);
      // One bit of the middle of the first chunk, as whoever can write the table but holds no master key could.
      await database.query(
        `UPDATE state_snapshot_chunks
            SET bytes = set_byte(bytes, length(bytes) / 2, get_byte(bytes, length(bytes) / 2) # 1) WHERE chunk = 0`,
      );
      logLines.length = 0;
      const tampered = await open(fresh('e'), shared);
      expect(tampered.startFigures).toMatchObject({ fromSnapshot: false, snapshotSource: null });
      expect(logLines.join('')).toContain('corrupt body (does not open)');
      const cold = await open('off');
      expect(tampered.featureState.sizes()).toEqual(cold.featureState.sizes());
      await cold.close();
      await tampered.close();
    });

    it('an erasure deletes every published snapshot, and a state written before it is not published after', async () => {
      const before = await open(fresh('h'), shared);
      await before.close();
      const written = fresh('h');
      const earlier = (await published()).map((snapshot) => snapshot.id);
      expect(earlier).toHaveLength(1);
      const app = await open(fresh('i'), shared);
      expect(await erase(app, 'letter-snapshot', 'buyer3@example.nl')).toMatchObject({ status: 'done' });
      // Gone with the erasure; the one published since is this process's state rebuilt without the person.
      expect(app.onlineState.lastSnapshot()?.publishing).toMatchObject({ published: true });
      const after = await published();
      expect(after).toHaveLength(1);
      expect(earlier).not.toContain(after[0]!.id);
      // The state written before the erasure is not published again (by a process that wrote it before it heard).
      await database.query('DELETE FROM state_snapshots');
      expect(await publishStateSnapshot(database, written, 0)).toEqual({
        published: false,
        reason: 'it may hold a person erased since',
      });
      expect(await published()).toHaveLength(0);
      await app.close();
    });

    it("a process that has not yet purged another's erasure neither publishes its state nor takes it for purged on restart", async () => {
      const lagging = await open(fresh('l'), shared);
      const eraser = await open(fresh('m'), shared);
      expect(await erase(eraser, 'letter-lagging', 'buyer5@example.nl')).toMatchObject({ status: 'done' });
      await eraser.close();
      // The lagging process purges it on its next scheduler round; a snapshot written before that, though dated
      // after the erasure, still holds the person: not published, and marked as not purged of it.
      await lagging.onlineState.snapshot();
      expect(lagging.onlineState.lastSnapshot()?.publishing).toEqual({
        published: false,
        reason: 'it may hold a person erased since',
      });
      await lagging.close();
      const restarted = await open(fresh('l'), shared);
      expect(restarted.startFigures.snapshotSource).toBe('file');
      await restarted.erasure.start(3_600_000, restarted.startFigures.erasuresPurged);
      // Its first round rebuilds the state without the person.
      expect(await restarted.erasure.scheduler.tick()).toMatchObject({ erasure_memory: 1 });
      await restarted.erasure.stop();
      await restarted.close();
    });
  }
});
