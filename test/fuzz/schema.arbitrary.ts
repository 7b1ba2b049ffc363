// fast-check arbitraries from the OpenAPI document's JSON Schemas: values that are valid-ish (mostly what the
// schema asks for) with hostile ones mixed in at every level (NUL, lone surrogates, huge strings, deep nesting,
// wrong types), so requests reach past validation as well as probing it.
import fc from 'fast-check';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly default?: unknown;
}

/** Text no route should store: NUL, unpaired surrogates, control and bidi characters, markup, SQL. */
export const hostileText = fc.constantFrom(
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '\ud83d',
  '\u202e\u0007\u001b[2J',
  '<script>alert(1)</script>',
  "'; DROP TABLE orders; --",
  '%00',
  '../../etc/passwd',
  '__proto__',
  '{{7*7}}',
  '',
  ' ',
  '\ufeff',
);

function deepValue(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Values of the wrong type or size for whatever field they land in. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileText },
  fc.constantFrom<unknown>(
    null,
    true,
    0,
    -1,
    -0,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    [],
    {},
    [null],
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__":{"polluted":true}}'),
    { constructor: { prototype: { polluted: true } } },
  ),
  fc.integer({ min: 2000, max: 40_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(20, 80, 300).map(deepValue),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const maxShownLength = 24;

/** Date-times the format allows that a database or a Date may not: year 0000, past 9999 after the offset, 1969. */
export const edgeDateTimes = [
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '9999-12-31T23:59:59.999999999Z',
  '1969-12-31T23:59:59Z',
];

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc.oneof(
        {
          weight: 9,
          arbitrary: fc
            .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true })
            .map((date) => date.toISOString()),
        },
        // Well-formed but past what the database can store: it has no year 0, and past 9999 does not read back.
        { weight: 1, arbitrary: fc.constantFrom(...edgeDateTimes) },
      );
    case 'date':
      return fc
        .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.ipV6();
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'uuid':
      return fc.uuid();
  }
  // Formats first: their patterns (zod's e-mail one above all) are slow to generate from.
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((text) => text.length <= (schema.maxLength ?? 10_000));
    } catch {
      // fall through: a pattern fast-check cannot generate from
    }
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? maxShownLength, maxShownLength));
  return fc.string({ minLength, maxLength });
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
  const low = Math.max(min, -Number.MAX_SAFE_INTEGER);
  const high = Math.min(Math.max(max, low), Number.MAX_SAFE_INTEGER);
  return integer
    ? fc.integer({ min: Math.ceil(low), max: Math.floor(high) })
    : fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true });
}

/** A value for the schema; `hostility` is the weight of a hostile value against 10 of a valid-ish one. */
export function fromSchema(schema: JsonSchema | undefined, hostility = 1, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFromSchema(schema ?? {}, hostility, depth);
  if (hostility === 0) return valid;
  return fc.oneof({ arbitrary: valid, weight: 10 }, { arbitrary: hostileValue, weight: hostility });
}

function validFromSchema(schema: JsonSchema, hostility: number, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => validFromSchema(alternative, hostility, depth)));
  }
  if (schema.allOf && schema.allOf.length > 0)
    return validFromSchema(Object.assign({}, ...schema.allOf), hostility, depth);
  const types = typeof schema.type === 'string' ? [schema.type] : (schema.type ?? []);
  if (types.length > 1) {
    return fc.oneof(...types.map((type) => validFromSchema({ ...schema, type }, hostility, depth)));
  }
  switch (types[0]) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      if (depth > 6) return fc.constant([]);
      return fc.array(fromSchema(schema.items, hostility, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      if (!schema.properties)
        return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
      const entries = Object.entries(schema.properties);
      const record = fc.record(
        Object.fromEntries(entries.map(([name, property]) => [name, fromSchema(property, hostility, depth + 1)])),
        { requiredKeys: (schema.required ?? []).filter((name) => name in schema.properties!) },
      );
      // Sometimes an extra, unexpected key.
      const extraKey = fc.oneof(
        { weight: 7, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(fc.oneof(hostileText, fc.string()), hostileValue) },
      );
      return fc.tuple(record, extraKey).map(([value, extra]) => (extra ? { ...value, [extra[0]]: extra[1] } : value));
    }
  }
  return fc.jsonValue({ maxDepth: 2 });
}

/** The value with exactly one leaf (or the whole value) replaced: a hostile needle in an otherwise valid body. */
export function replaceOneLeaf(value: unknown, pick: number, replacement: unknown): unknown {
  const leaves: (readonly (string | number)[])[] = [[]];
  const pending: { node: unknown; path: (string | number)[] }[] = [{ node: value, path: [] }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item.node !== 'object' || item.node === null) continue;
    for (const [key, child] of Object.entries(item.node)) {
      const path = [...item.path, Array.isArray(item.node) ? Number(key) : key];
      leaves.push(path);
      pending.push({ node: child, path });
    }
  }
  const target = leaves[pick % leaves.length]!;
  if (target.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of target.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[target.at(-1)!] = replacement;
  return copy;
}
