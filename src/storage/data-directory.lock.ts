// One process per embedded data directory: a lock file with the holder's pid, taken over when that pid is gone.
// proper-lockfile detects staleness by mtime and cannot name the holder; the message must say who holds it.
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const lockFileName = 'rearguard.lock';
/** Lock files this process holds: its own pid in a lock file means "held here" only when listed. */
const heldHere = new Set<string>();

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  readonly command: string;
}

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly owner: LockOwner | null,
  ) {
    super(
      owner
        ? `the data directory ${directory} is in use by another Rearguard process (pid ${owner.pid} on ${owner.host}, ` +
            `since ${owner.started_at}: ${owner.command}); stop it first or set DATA_DIR to another directory`
        : `the data directory ${directory} is being locked by another Rearguard process; stop it first or set DATA_DIR to another directory`,
    );
    this.name = 'DataDirectoryLockedError';
  }
}

export interface DataDirectoryLock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : null;
  } catch {
    return null;
  }
}

/**
 * Whether a lock left behind may be taken over: its pid is gone (or is ours but not held here: a restarted
 * container reuses pids).
 * A lock from another host (a shared volume) is never taken over: we cannot see its processes.
 */
async function isStale(path: string, owner: LockOwner | null): Promise<boolean> {
  if (!owner) {
    // A lock file without an owner is one being written right now, or the remains of a crash mid-write.
    const written = await stat(path).catch(() => null);
    return written === null || Date.now() - written.mtimeMs > 5_000;
  }
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(path);
  return !alive(owner.pid);
}

export async function lockDataDirectory(directory: string): Promise<DataDirectoryLock> {
  const absolute = resolve(directory);
  await mkdir(absolute, { recursive: true });
  const path = join(absolute, lockFileName);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    started_at: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return holding(path, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = parseOwner(await readFile(path, 'utf8').catch(() => ''));
    if (!(await isStale(path, owner))) throw new DataDirectoryLockedError(absolute, owner);
    // Take over only the lock we judged stale: if it changed meanwhile, someone else took it first.
    const again = await readFile(path, 'utf8').catch(() => null);
    if (again !== null && parseOwner(again)?.pid === owner?.pid) await unlink(path).catch(() => {});
  }
  throw new DataDirectoryLockedError(absolute, parseOwner(await readFile(path, 'utf8').catch(() => '')));
}

function holding(path: string, text: string): DataDirectoryLock {
  const ours = () => {
    try {
      return readFileSync(path, 'utf8') === text;
    } catch {
      return false;
    }
  };
  // A process that exits without closing (an uncaught error, process.exit) still frees the directory; kill -9
  // leaves the file behind, and the next process sees that its pid is gone.
  const onExit = () => {
    if (ours()) unlinkSync(path);
  };
  process.on('exit', onExit);
  heldHere.add(path);
  return {
    path,
    async release() {
      process.off('exit', onExit);
      heldHere.delete(path);
      if (ours()) await unlink(path).catch(() => {});
    },
  };
}
