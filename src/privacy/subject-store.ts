// Subjects: one data key per person, stored only wrapped by a master key; sealing, opening, rotation and shredding.
import type { SqlExecutor } from '../storage/database.ts';
import { decrypt, encrypt, newDataKey, sealPlain, type MasterKey } from './envelope.ts';

/** A subject's key as read with the data it protects: no wrapped key means it was shredded (erased). */
export interface SubjectKeyColumns {
  readonly subject_id: string | null;
  readonly master_key_id: string | null;
  readonly wrapped_key: Uint8Array | null;
}

export interface OpenSubject {
  readonly id: string;
  readonly dataKey: Buffer;
}

export interface SubjectStoreOptions {
  /** The first encrypts (wraps) new data keys; all of them unwrap. */
  readonly masterKeys: readonly MasterKey[];
  /** PERSONAL_DATA_ENCRYPTION=off (benchmark comparison only): same storage and reads, no cipher on the data. */
  readonly encryption: boolean;
  readonly newId: () => string;
  readonly now: () => Date;
  /** How many unwrapped data keys to keep (default 50,000). */
  readonly keyCacheSize?: number;
}

/**
 * Data keys already unwrapped, by subject id, for one long read (a start opens every order: one unwrap per person,
 * not per order). Bounded: a full cache starts over. Shredding empties `wrapped_key`, which is checked before the
 * cache, and rotation re-wraps the same data key, so a remembered key is never one the row no longer has.
 */
export interface SubjectKeyCache {
  get(subjectId: string): OpenSubject | undefined;
  set(subject: OpenSubject): void;
}

export function makeSubjectKeyCache(limit = 100_000): SubjectKeyCache {
  let keys = new Map<string, OpenSubject>();
  return {
    get: (subjectId) => keys.get(subjectId),
    set(subject) {
      if (keys.size >= limit) keys = new Map();
      keys.set(subject.id, subject);
    },
  };
}

/** What a read of shredded personal data answers instead of failing. */
export const erased = Symbol('erased');
export type Erased = typeof erased;

export function makeSubjectStore(options: SubjectStoreOptions) {
  const [current] = options.masterKeys;
  if (!current) throw new Error('at least one master key is needed');
  const masterKeys = new Map(options.masterKeys.map((masterKey) => [masterKey.id, masterKey.key]));
  /**
   * Data keys already unwrapped, by subject: a start opens an account, its channels and its orders under one key, and
   * should unwrap it once, not per row. An entry is used only for the very wrapped key it came from, which the caller
   * read with the data: a shredded subject reads no wrapped key and so opens nothing, cached or not. Bounded: the
   * process holds the master keys anyway, the cache only saves work.
   */
  const unwrapped = new Map<string, { wrapped: Buffer; subject: OpenSubject }>();
  const cacheLimit = options.keyCacheSize ?? 50_000;

  function unwrap(columns: SubjectKeyColumns, cache?: SubjectKeyCache): OpenSubject | Erased {
    if (columns.subject_id === null || columns.wrapped_key === null || columns.master_key_id === null) return erased;
    // A read's own cache first (no comparison needed within one read), then the process's, checked by wrapped key.
    const readCached = cache?.get(columns.subject_id);
    if (readCached !== undefined) return readCached;
    const wrapped = Buffer.from(
      columns.wrapped_key.buffer,
      columns.wrapped_key.byteOffset,
      columns.wrapped_key.byteLength,
    );
    const cached = unwrapped.get(columns.subject_id);
    if (cached && cached.wrapped.equals(wrapped)) {
      cache?.set(cached.subject);
      return cached.subject;
    }
    const masterKey = masterKeys.get(columns.master_key_id);
    if (!masterKey) throw new Error(`master key ${columns.master_key_id} is not configured (MASTER_KEYS)`);
    const subject = { id: columns.subject_id, dataKey: decrypt(masterKey, wrapped, columns.subject_id) };
    if (unwrapped.size >= cacheLimit) unwrapped.clear();
    unwrapped.set(columns.subject_id, { wrapped: Buffer.from(wrapped), subject });
    cache?.set(subject);
    return subject;
  }

  /**
   * Subjects with no claim behind them (accounts sealed on start, an imported account without an e-mail address),
   * made in one statement however many.
   */
  async function newSubjects(db: SqlExecutor, count: number): Promise<OpenSubject[]> {
    const made = Array.from({ length: count }, () => ({ id: options.newId(), dataKey: newDataKey() }));
    if (made.length === 0) return made;
    await db.query(
      `INSERT INTO subjects (id, master_key_id, wrapped_key, created_at)
       SELECT id, $2, decode(wrapped, 'hex'), $3 FROM unnest($1::text[], $4::text[]) AS made(id, wrapped)`,
      [
        made.map((subject) => subject.id),
        current!.id,
        options.now(),
        made.map((subject) => encrypt(current!.key, subject.dataKey, subject.id).toString('hex')),
      ],
    );
    return made;
  }

  const newSubject = async (db: SqlExecutor): Promise<OpenSubject> => (await newSubjects(db, 1))[0]!;

  /**
   * The subject of a claimed identity (its e-mail pseudonym): the live one if there is one, else a new one. One
   * statement either way; a shredded subject is never reused, so a person coming back after erasure gets a new key.
   * Its columns are named (no `*`), so the statement is prepared once per connection instead of planned per session.
   */
  async function subjectFor(db: SqlExecutor, claimPseudonym: string, attempt = 1): Promise<OpenSubject> {
    const id = options.newId();
    const dataKey = newDataKey();
    const rows = await db.query<SubjectKeyColumns>(
      `WITH created AS (
         INSERT INTO subjects (id, claim_pseudonym, master_key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (claim_pseudonym) WHERE wrapped_key IS NOT NULL DO NOTHING
         RETURNING id AS subject_id, master_key_id, wrapped_key)
       SELECT subject_id, master_key_id, wrapped_key FROM created
       UNION ALL
       SELECT id, master_key_id, wrapped_key FROM subjects
        WHERE claim_pseudonym = $2 AND wrapped_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM created)`,
      [id, claimPseudonym, current!.id, encrypt(current!.key, dataKey, id), options.now()],
    );
    const [row] = rows;
    const subject = row ? unwrap(row) : erased;
    // Another session made the same claim's subject after this statement's snapshot: the next statement sees it.
    if (subject === erased && attempt < 3) return subjectFor(db, claimPseudonym, attempt + 1);
    if (subject === erased) throw new Error('no live subject for the claim after three attempts');
    return subject;
  }

  /**
   * The subjects of many claims at once (an import batch): one read for those that exist, one insert for the rest,
   * and a last read for any another writer made meanwhile. Keys are only made for claims without a live subject.
   */
  async function subjectsFor(db: SqlExecutor, claimPseudonyms: readonly string[]): Promise<Map<string, OpenSubject>> {
    const found = new Map<string, OpenSubject>();
    const claims = [...new Set(claimPseudonyms)];
    const readLive = async (wanted: readonly string[]) => {
      if (wanted.length === 0) return;
      const rows = await db.query<SubjectKeyColumns & { claim_pseudonym: string }>(
        `SELECT id AS subject_id, claim_pseudonym, master_key_id, wrapped_key FROM subjects
          WHERE claim_pseudonym = ANY($1::text[]) AND wrapped_key IS NOT NULL`,
        [wanted],
      );
      for (const row of rows) {
        const subject = unwrap(row);
        if (subject !== erased) found.set(row.claim_pseudonym, subject);
      }
    };
    await readLive(claims);
    const missing = claims.filter((claim) => !found.has(claim));
    if (missing.length > 0) {
      const created = missing.map((claim) => {
        const id = options.newId();
        const dataKey = newDataKey();
        return { id, claim, dataKey, wrapped: encrypt(current!.key, dataKey, id).toString('base64') };
      });
      const inserted = await db.query<{ id: string }>(
        `INSERT INTO subjects (id, claim_pseudonym, master_key_id, wrapped_key, created_at)
         SELECT id, claim, $3, decode(wrapped, 'base64'), $4 FROM unnest($1::text[], $2::text[], $5::text[])
           AS w(id, claim, wrapped)
         ON CONFLICT (claim_pseudonym) WHERE wrapped_key IS NOT NULL DO NOTHING RETURNING id`,
        [
          created.map((item) => item.id),
          created.map((item) => item.claim),
          current!.id,
          options.now(),
          created.map((item) => item.wrapped),
        ],
      );
      const insertedIds = new Set(inserted.map((row) => row.id));
      for (const item of created)
        if (insertedIds.has(item.id)) found.set(item.claim, { id: item.id, dataKey: item.dataKey });
      // A claim another writer took between the read and the insert: its subject is live now.
      await readLive(missing.filter((claim) => !found.has(claim)));
    }
    for (const claim of claims)
      if (!found.has(claim)) throw new Error('no live subject for a claim after reading it twice');
    return found;
  }

  function seal(subject: OpenSubject, value: unknown): Buffer {
    const plaintext = Buffer.from(JSON.stringify(value));
    return options.encryption ? encrypt(subject.dataKey, plaintext, subject.id) : sealPlain(plaintext);
  }

  /** The sealed value, or `erased` when its subject's key was shredded; `cache` keeps unwrapped keys over many opens. */
  function open<T>(columns: SubjectKeyColumns, sealed: Uint8Array | null, cache?: SubjectKeyCache): T | Erased {
    if (sealed === null) return erased;
    const subject = unwrap(columns, cache);
    if (subject === erased) return erased;
    return JSON.parse(decrypt(subject.dataKey, sealed, subject.id).toString('utf8')) as T;
  }

  /**
   * Re-wraps every live data key under the newest master key; the data itself is not touched (its data key is
   * unchanged). Pages through keyed by id, so it can run on a live system and resume; returns how many it re-wrapped.
   */
  async function rotate(db: SqlExecutor, pageSize = 500): Promise<number> {
    let rewrapped = 0;
    let after = '';
    for (;;) {
      const page = await db.query<SubjectKeyColumns & { subject_id: string }>(
        `SELECT id AS subject_id, master_key_id, wrapped_key FROM subjects
          WHERE id > $1 AND wrapped_key IS NOT NULL AND master_key_id <> $2 ORDER BY id LIMIT $3`,
        [after, current!.id, pageSize],
      );
      if (page.length === 0) return rewrapped;
      for (const row of page) {
        const subject = unwrap(row);
        if (subject === erased) continue;
        // Conditional on the old wrapping: a key shredded meanwhile stays shredded.
        const [updated] = await db.query<{ id: string }>(
          `UPDATE subjects SET master_key_id = $2, wrapped_key = $3
            WHERE id = $1 AND master_key_id = $4 AND wrapped_key IS NOT NULL RETURNING id`,
          [subject.id, current!.id, encrypt(current!.key, subject.dataKey, subject.id), row.master_key_id],
        );
        if (updated) rewrapped += 1;
      }
      after = page[page.length - 1]!.subject_id;
    }
  }

  return {
    subjectFor,
    subjectsFor,
    newSubject,
    newSubjects,
    openSubject: unwrap,
    seal,
    open,
    rotate,
    /** Drops every unwrapped data key this process holds (after an erasure: none outlives the person in memory). */
    forgetUnwrapped: () => unwrapped.clear(),
    currentMasterKeyId: current.id,
  };
}

export type SubjectStore = ReturnType<typeof makeSubjectStore>;
