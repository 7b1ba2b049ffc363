// `rearguard rotate-master-key`: re-wraps every person's data key under the first of MASTER_KEYS.
import type { Config } from '../config.ts';
import type { Database } from '../storage/database.ts';
import { systemClock } from '../shared/clock.ts';
import { makeIds } from '../shared/ids.ts';
import { makeSubjectStore } from './subject-store.ts';

export const rotateMasterKeyUsage = [
  'rearguard rotate-master-key',
  '',
  'Re-wraps every data key under the first key of MASTER_KEYS (the personal data itself is not re-encrypted).',
  'Put the new key first and keep the old ones listed until this has run; then the old ones can be removed.',
  'Each server seals its online-state snapshot under the first key when it next writes one (every',
  'STATE_SNAPSHOT_INTERVAL_S, and on shutdown); a snapshot still sealed under a removed key is not used: that server',
  'rebuilds its state from the database on its next start (correct, only slower).',
].join('\n');

export async function runRotateMasterKey(
  config: Config,
  database: Database,
  io: { stdout: NodeJS.WritableStream },
): Promise<number> {
  const ids = makeIds(() => systemClock.now());
  const subjects = makeSubjectStore({
    masterKeys: config.privacy.masterKeys,
    encryption: config.privacy.personalDataEncryption,
    newId: () => ids.next('sub'),
    now: () => new Date(systemClock.now()),
  });
  const rewrapped = await subjects.rotate(database);
  const [left] = await database.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM subjects WHERE wrapped_key IS NOT NULL AND master_key_id <> $1',
    [subjects.currentMasterKeyId],
  );
  io.stdout.write(
    `${JSON.stringify({ master_key: subjects.currentMasterKeyId, rewrapped, other_keys_left: left?.count ?? 0 })}\n`,
  );
  return 0;
}
