// Rejects input no route can store faithfully: NUL and lone UTF-16 surrogates in any string or key, and nesting
// deeper than any schema needs. Checked once for body, query and path, so no route has to remember it.

/** PostgreSQL text cannot hold NUL, and a lone surrogate becomes U+FFFD on the way in, so two values collide. */
const unsafeCharacter = /\u0000|\p{Cs}/u;

export const maxInputDepth = 64;

export interface UnsafeInput {
  readonly field: string;
  readonly reason: 'nul_character' | 'unpaired_surrogate' | 'too_deep';
}

export function unsafeString(text: string): UnsafeInput['reason'] | null {
  const match = unsafeCharacter.exec(text);
  if (!match) return null;
  return match[0] === '\u0000' ? 'nul_character' : 'unpaired_surrogate';
}

/**
 * Walks a parsed JSON value (plain objects, arrays, strings) without recursion, so a hostile nesting depth can
 * neither blow the stack here nor reach a schema, JSON.stringify or the database with it.
 */
export function findUnsafeInput(value: unknown, root: string, maxDepth = maxInputDepth): UnsafeInput | null {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === 'string') {
      const reason = unsafeString(current);
      if (reason) return { field: path, reason };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const isArray = Array.isArray(current);
    if (isStreamOrBytes(current)) continue; // raw bodies (NDJSON import) are checked line by line where read
    if (depth >= maxDepth) return { field: path, reason: 'too_deep' };
    const entries = isArray ? (current as unknown[]).map((entry, index) => [String(index), entry] as const) : null;
    for (const [key, entry] of entries ?? Object.entries(current)) {
      const field = path === '' ? key : `${path}.${key}`;
      const reason = unsafeString(key);
      if (reason) return { field, reason };
      pending.push({ value: entry, path: field, depth: depth + 1 });
    }
  }
  return null;
}

function isStreamOrBytes(value: object): boolean {
  return Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function';
}

export const unsafeInputMessages: Record<UnsafeInput['reason'], string> = {
  nul_character: 'contains a NUL character',
  unpaired_surrogate: 'contains an unpaired UTF-16 surrogate (not valid Unicode text)',
  too_deep: `is nested deeper than ${maxInputDepth} levels`,
};
