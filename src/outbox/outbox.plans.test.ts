// The outbox's frequent statements find due messages through outbox_due_by_topic, whatever the table has delivered.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestDatabase, databaseKinds } from '../../test/databases.ts';
import { explainingDatabase } from '../../test/explaining-database.ts';
import { makeManualClock } from '../shared/clock.ts';
import type { Database } from '../storage/database.ts';
import { dueTopicsSql, retryDelayMilliseconds } from './outbox.ts';
import { makeOutboxLane } from './outbox.lane.ts';
import { purgeFinishedMessages } from '../privacy/privacy.retention.ts';

describe.each(databaseKinds)('outbox statement plans on %s', (kind) => {
  let database: Database;
  afterEach(async () => {
    await database.close();
  });

  it('probes and leases due messages by index scans of outbox_due_by_topic, not by scanning delivered rows', async () => {
    database = await makeTestDatabase(kind);
    const clock = makeManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const at = new Date(clock.now() - 60_000);
    // A day's worth delivered (each went through pending and left a dead entry behind), a few still due.
    await database.query(
      `INSERT INTO outbox (id, topic, recipient, payload, status, next_attempt_at, created_at)
       SELECT 'out_' || g, CASE WHEN g % 3 = 0 THEN 'webhook' ELSE 'notification' END, 'r' || (g % 500), '{}',
         'pending', $1, $1
       FROM generate_series(1, 3000) g`,
      [at],
    );
    await database.query(`UPDATE outbox SET status = 'delivered', delivered_at = $1 WHERE id <> 'out_7'`, [at]);
    const { plans, explainer } = explainingDatabase(database);
    const lane = makeOutboxLane({
      database: explainer,
      clock,
      topic: 'notification',
      handler: async () => {},
      limits: { concurrency: 16, perRecipient: 2, pollMilliseconds: 250 },
      maxAttempts: 12,
      leaseMilliseconds: 60_000,
      retryDelayMilliseconds,
    });
    // Before any ANALYZE of the outbox (autovacuum may not have come by), and after.
    for (const analyzed of [false, true]) {
      if (analyzed) await database.query('ANALYZE outbox');
      plans.length = 0;
      await explainer.query(dueTopicsSql, [new Date(clock.now()), ['notification', 'webhook']]);
      await lane.drain();
      expect(plans).toHaveLength(2);
      const [probe, lease] = plans as [string, string];
      // A bitmap scan reads a table page for every entry it finds, dead or alive; an index scan stops at the first
      // live due row and marks the dead ones it passes, so the next scans skip them without reading the table.
      expect(probe, `analyzed ${analyzed}`).toMatch(/Index (Only )?Scan using outbox_due_by_topic on outbox/);
      expect(probe, `analyzed ${analyzed}`).not.toMatch(/Bitmap|Seq Scan on outbox/);
      expect(lease, `analyzed ${analyzed}`).toMatch(/Index Scan using outbox_due_by_topic on outbox/);
      expect(lease, `analyzed ${analyzed}`).not.toMatch(/Bitmap|Seq Scan on outbox/);
    }
  });
  it('finds messages past their retention by outbox_finished, not by reading the whole outbox each minute', async () => {
    database = await makeTestDatabase(kind);
    const at = new Date('2026-01-01T00:00:00Z');
    // A day's messages ended, spread over the day; the retention runs every scheduler minute and finds few each time.
    await database.query(
      `INSERT INTO outbox (id, topic, recipient, payload, status, next_attempt_at, created_at, delivered_at)
       SELECT 'out_' || g, 'notification', 'r' || (g % 500), '{}', CASE WHEN g % 50 = 0 THEN 'failed' ELSE 'delivered' END,
         $1::timestamptz + g * interval '30 seconds', $1::timestamptz + g * interval '30 seconds',
         CASE WHEN g % 50 = 0 THEN NULL ELSE $1::timestamptz + g * interval '30 seconds' END
       FROM generate_series(1, 3000) g`,
      [at],
    );
    const { plans, explainer } = explainingDatabase(database);
    for (const analyzed of [false, true]) {
      if (analyzed) await database.query('ANALYZE outbox');
      plans.length = 0;
      await purgeFinishedMessages(explainer, new Date(at.getTime() + 60_000));
      expect(plans).toHaveLength(1);
      expect(plans[0], `analyzed ${analyzed}`).toMatch(
        /Index Scan using outbox_finished on outbox|Bitmap Index Scan on outbox_finished/,
      );
      expect(plans[0], `analyzed ${analyzed}`).not.toMatch(/Seq Scan on outbox/);
    }
  });
});
