// The subject store's key cache: a person's key is unwrapped once, and never serves a shredded or re-wrapped key.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encrypt, newDataKey } from './envelope.ts';
import { erased, makeSubjectStore } from './subject-store.ts';

const masterKey = { id: 'm1', key: randomBytes(32) };
const store = () =>
  makeSubjectStore({ masterKeys: [masterKey], encryption: true, newId: () => 'unused', now: () => new Date() });
const columnsOf = (subjectId: string, dataKey = newDataKey()) => ({
  subject_id: subjectId,
  master_key_id: masterKey.id,
  wrapped_key: encrypt(masterKey.key, dataKey, subjectId),
});

describe('subject store key cache', () => {
  it('unwraps a subject once for every row read with the same wrapped key', () => {
    const subjects = store();
    const columns = columnsOf('sub_1');
    const subject = subjects.openSubject(columns);
    if (subject === erased) throw new Error('expected a live subject');
    // A second row of the same person (a copy of the columns, as another query returns them) hits the cache.
    expect(subjects.openSubject({ ...columns, wrapped_key: Buffer.from(columns.wrapped_key) })).toBe(subject);
    const sealed = subjects.seal(subject, { name: 'Anna de Vries' });
    expect(subjects.open(columns, sealed)).toEqual({ name: 'Anna de Vries' });
  });

  it('forgets every unwrapped key when told (after an erasure): the next read unwraps anew', () => {
    const subjects = store();
    const columns = columnsOf('sub_4');
    const subject = subjects.openSubject(columns);
    if (subject === erased) throw new Error('expected a live subject');
    subjects.forgetUnwrapped();
    const again = subjects.openSubject(columns);
    if (again === erased) throw new Error('expected a live subject');
    expect(again).not.toBe(subject);
    expect(again.dataKey.equals(subject.dataKey)).toBe(true);
  });

  it('opens nothing once the key is shredded, though it was cached', () => {
    const subjects = store();
    const columns = columnsOf('sub_2');
    const subject = subjects.openSubject(columns);
    if (subject === erased) throw new Error('expected a live subject');
    const sealed = subjects.seal(subject, 'anna@example.nl');
    expect(subjects.open({ ...columns, master_key_id: null, wrapped_key: null }, sealed)).toBe(erased);
  });

  it('a different wrapped key under the same subject id is unwrapped anew, never answered from the cache', () => {
    const subjects = store();
    const first = subjects.openSubject(columnsOf('sub_3'));
    const other = subjects.openSubject(columnsOf('sub_3'));
    if (first === erased || other === erased) throw new Error('expected live subjects');
    expect(other.dataKey.equals(first.dataKey)).toBe(false);
    // A value sealed under one key does not open under the other (GCM's tag fails): no mix-up through the cache.
    const sealed = subjects.seal(first, 'secret');
    expect(() => subjects.open(columnsOf('sub_3'), sealed)).toThrow();
  });
});
