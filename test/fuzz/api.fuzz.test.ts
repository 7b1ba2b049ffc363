// Schema-driven fuzz over every operation in the OpenAPI document: 100,000 requests in CI-sized batches (most on
// PGlite, a share on PostgreSQL), valid-ish and hostile paths, queries, bodies, methods and credentials. Not one
// may answer >= 500, and every 4xx must carry the error shape with a stable code.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, makeTestApplication, sessionBody, type TestApplication } from '../application.ts';
import { databaseKinds, type DatabaseKind } from '../databases.ts';
import { reviewLargeRuleset } from '../review-ruleset.ts';
import { placeSmallOrders } from '../small-orders.ts';
import { makeStaffDesk } from '../staff.desk.ts';
import {
  edgeDateTimes,
  fromSchema,
  hostileText,
  hostileValue,
  replaceOneLeaf,
  type JsonSchema,
} from './schema.arbitrary.ts';

const processorKey = 'fuzz-processor-key-0123456789';
const seed = Number(process.env.FUZZ_SEED ?? 20261129);

/** 100,000 in all: PGlite carries most, PostgreSQL a smaller share (it is the slower round trip). */
const plan: Record<DatabaseKind, { batches: number; perBatch: number }> = process.env.DATABASE_URL
  ? { pglite: { batches: 16, perBatch: 5_500 }, postgres: { batches: 4, perBatch: 3_000 } }
  : { pglite: { batches: 16, perBatch: 6_250 }, postgres: { batches: 0, perBatch: 0 } };

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pathParameters: readonly { name: string; schema: JsonSchema }[];
  readonly queryParameters: readonly { name: string; schema: JsonSchema }[];
  readonly body: JsonSchema | null;
  readonly rawBodyType: string | null;
  /** Pages for people (links in messages) answer their errors as pages too. */
  readonly servesHtml: boolean;
  /** The credentials the document says the operation takes. */
  readonly credentials: readonly Credential[];
}

const credentialsOfScheme: Record<string, Credential[]> = {
  merchantKey: ['merchant'],
  adminKey: ['admin'],
  processorKey: ['processor'],
  consumerKey: ['consumer'],
  consumerCookie: ['consumer_cookie'],
  staffCookie: ['staff'],
};

/**
 * Left out: the monitoring stream never ends (an inject would wait for ever), and signing out would end the one
 * staff session the fuzz signs in with, so every later ops request would stop at the 401 it is meant to get past.
 */
const unfuzzed = new Set(['GET /v1/ops/monitoring/stream', 'POST /v1/ops/sign-out']);

type Credential =
  'merchant' | 'admin' | 'processor' | 'consumer' | 'consumer_cookie' | 'staff' | 'none' | 'garbage' | 'bad_cookie';
type PathValue = { known: number } | { value: unknown };
type BodyValue =
  | { json: unknown }
  | { raw: string; contentType: string }
  | { example: { pick: number; needle: unknown } | null }
  | null;

interface FuzzRequest {
  readonly operation: number;
  readonly wrongMethod: string | null;
  readonly path: readonly PathValue[];
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: BodyValue;
  readonly credential: Credential;
  readonly idempotencyKey: string | null;
}

function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (unfuzzed.has(`${method.toUpperCase()} ${path}`)) continue;
      const parameters = (operation.parameters ?? []) as { name: string; in: string; schema: JsonSchema }[];
      const content = (operation.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParameters: parameters.filter((parameter) => parameter.in === 'path'),
        queryParameters: parameters.filter((parameter) => parameter.in === 'query'),
        body: content?.['application/json']?.schema ?? null,
        rawBodyType: content && !content['application/json'] ? (Object.keys(content)[0] ?? null) : null,
        servesHtml: JSON.stringify(operation.responses ?? {}).includes('"text/html"'),
        credentials: ((operation.security ?? []) as Record<string, unknown>[]).flatMap((requirement) =>
          Object.keys(requirement).flatMap((scheme) => credentialsOfScheme[scheme] ?? []),
        ),
      });
    }
  }
  return operations;
}

const rawBodies = fc.constantFrom(
  '{"a":',
  'not json',
  '',
  'null',
  '[]',
  '"\\ud800"',
  '{"a":"\\u0000"}',
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  '{"__proto__":{"admin":true}}',
  '\u0000',
);

/**
 * Bodies that pass validation for the routes where a schema alone cannot say what valid is (a cart that adds up,
 * an id that exists): a hostile needle in one of these reaches the service and the database behind it.
 */
const examples: Record<string, (known: (prefix: string) => string) => unknown> = {
  'POST /v1/sessions': () => sessionBody({ merchant_reference: `fuzz-${Math.random().toString(36).slice(2, 8)}` }),
  'POST /v1/invoices/{id}/payments': () => ({ amount: { value: 100, currency: 'EUR' }, reference: 'psp-fuzz-1' }),
  'POST /v1/admin/merchants': () => ({ name: 'Fuzz Shop' }),
  'POST /v1/admin/lists': () => ({ list: 'block', kind: 'email', value: 'fraud@example.com', reason: 'fuzz' }),
  'POST /v1/me/claims': (known) => ({ order_id: known('ord'), kind: 'not_mine', message: 'not me' }),
  'POST /v1/admin/claims': (known) => ({ order_id: known('ord'), kind: 'not_received', message: 'lost' }),
  'POST /v1/me/reviews': (known) => ({ decision_id: known('dec'), message: 'please look again' }),
  'POST /v1/me/sign-in': () => ({ email: 'anna@example.nl' }),
  'POST /v1/challenges/{id}/send': () => ({ method: 'otp_sms' }),
  'POST /v1/challenges/{id}/verify': () => ({ code: '123456' }),
  'POST /v1/admin/cases/{id}/comments': () => ({ text: 'looked at it' }),
  'POST /v1/webhooks': () => ({ url: 'https://example.com/hook', events: ['order.approved'] }),
  // The staff desk: a whole ruleset with one needle somewhere in its rules reaches the ruleset validator.
  'POST /v1/ops/rulesets/validate': () => ({ ruleset: reviewLargeRuleset('fuzz-edited') }),
  'POST /v1/ops/rulesets': () => ({
    ruleset: reviewLargeRuleset(`fuzz-${Math.random().toString(36).slice(2, 8)}`),
    note: 'fuzz edit',
  }),
  'POST /v1/ops/lists': () => ({ list: 'block', kind: 'email', value: 'fraud@example.com', reason: 'fuzz' }),
  'POST /v1/ops/graph/mark-fraud': (known) => ({ accounts: [known('acc')], note: 'ring' }),
  'POST /v1/ops/graph/clusters/act': (known) => ({
    addresses: ['1012LG|1'],
    devices: ['dev-small-0'],
    hold_orders: [known('ord')],
    reason: 'ring',
  }),
  'POST /v1/ops/levers': (known) => ({ merchant_id: known('mer'), action: 'step_up', minutes: 30 }),
  'POST /v1/ops/queue/bulk': (known) => ({ verdict: 'approve', ids: [known('rvw')], note: 'fine' }),
  'POST /v1/ops/cases/{id}/resolve': () => ({ outcome: 'claim_upheld', note: 'checked' }),
};

/**
 * Cursors shaped like the ones lists give out (base64url JSON of a sort key) but holding times or numbers out of
 * range: random strings almost never decode, so these are what reach a list's keyset query.
 */
const forgedCursor = fc
  .oneof(
    fc.tuple(fc.constantFrom(...edgeDateTimes), fc.constantFrom('x', 'lst_0', '')),
    fc.tuple(fc.constantFrom(0, 1), fc.constantFrom(...edgeDateTimes), fc.constant('x')),
    fc.tuple(fc.constantFrom(1e300, -1, 2 ** 63, 0.5)),
    fc.tuple(fc.constantFrom(1e300, 2 ** 63), fc.constant('x')),
  )
  .map((key) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url'));

/** The value one time in `every`, otherwise null. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

/** Built once per operation (building arbitraries is the slow part), then one of them per request. */
function requestArbitrary(operations: readonly Operation[]): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...operations.map((operation, index) => operationRequest(operation, index)));
}

function operationRequest(operation: Operation, index: number): fc.Arbitrary<FuzzRequest> {
  {
    const pathValue: fc.Arbitrary<PathValue> = fc.oneof(
      { weight: 4, arbitrary: fc.nat({ max: 10_000 }).map((known) => ({ known })) },
      { weight: 3, arbitrary: fc.constant({ known: -1 }) },
      { weight: 3, arbitrary: hostileValue.map((value) => ({ value })) },
    );
    const pathValues = fc.tuple(
      ...operation.pathParameters.map((parameter) =>
        fc.oneof(
          pathValue,
          fromSchema(parameter.schema, 0).map((value) => ({ value }) as PathValue),
        ),
      ),
    );
    const query = fc.record(
      Object.fromEntries(
        operation.queryParameters.map((parameter) => [
          parameter.name,
          parameter.name === 'cursor'
            ? fc.oneof(fromSchema(parameter.schema, 2), forgedCursor)
            : fromSchema(parameter.schema, 2),
        ]),
      ),
      { requiredKeys: [] },
    );
    // Valid bodies reach the services; one hostile leaf in a valid body reaches them with a needle in it.
    const json: fc.Arbitrary<BodyValue> = operation.body
      ? fc.oneof(
          { weight: 3, arbitrary: fromSchema(operation.body, 0).map((value) => ({ json: value })) },
          {
            weight: 5,
            arbitrary: fc
              .tuple(fromSchema(operation.body, 0), fc.nat(), hostileValue)
              .map(([value, pick, needle]) => ({ json: replaceOneLeaf(value, pick, needle) })),
          },
          { weight: 2, arbitrary: fromSchema(operation.body, 1).map((value) => ({ json: value })) },
        )
      : fc.constant(null);
    const example: fc.Arbitrary<BodyValue> = fc.oneof(
      fc.constant({ example: null }),
      fc.tuple(fc.nat(), hostileValue).map(([pick, needle]) => ({ example: { pick, needle } })),
    );
    const hasExample = examples[`${operation.method} ${operation.path}`] !== undefined;
    const body = fc.oneof(
      { weight: 12, arbitrary: json },
      ...(hasExample ? [{ weight: 8, arbitrary: example }] : []),
      {
        weight: 1,
        arbitrary: fc.record({
          raw: rawBodies,
          contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-ndjson'),
        }),
      },
      ...(operation.rawBodyType
        ? [
            {
              weight: 6,
              arbitrary: fc
                .array(
                  fc.oneof(
                    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
                    hostileText,
                  ),
                  {
                    maxLength: 5,
                  },
                )
                .map((lines) => ({ raw: lines.join('\n'), contentType: operation.rawBodyType! })),
            },
          ]
        : []),
    );
    return fc.record({
      operation: fc.constant(index),
      wrongMethod: rarely(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), 20),
      path: pathValues,
      query,
      body,
      // Mostly the credential the route takes, so requests reach its handler; otherwise any, or a broken one.
      credential: fc.oneof(
        {
          weight: 7,
          arbitrary: fc.constantFrom<Credential>(
            ...(operation.credentials.length > 0 ? operation.credentials : ['none' as const]),
          ),
        },
        {
          weight: 3,
          arbitrary: fc.constantFrom<Credential>(
            'merchant',
            'admin',
            'processor',
            'consumer',
            'consumer_cookie',
            'staff',
            'none',
            'garbage',
            'bad_cookie',
          ),
        },
      ),
      idempotencyKey: rarely(fc.oneof(fc.string({ maxLength: 8 }), hostileText), 4),
    });
  }
}

/** Percent-encodes what encodeURIComponent can; a lone surrogate goes out as its (invalid) CESU-8 bytes. */
function encode(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((character) => {
        const code = character.charCodeAt(0);
        if (code >= 0xd800 && code <= 0xdfff) {
          return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
        }
        return encodeURIComponent(character);
      })
      .join('');
  }
}

export const timing = { generate: 0, byOperation: new Map<string, number>() };

async function runBatch(
  app: TestApplication,
  operations: readonly Operation[],
  pool: string[],
  consumerToken: string,
  staffCookie: string,
  count: number,
  batchSeed: number,
) {
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  /** Staff-only operations answered below 400: the staff cookie really took requests into the ops handlers. */
  let staffHandled = 0;
  const chunk = 250;
  const arbitrary = requestArbitrary(operations);
  for (let offset = 0; offset < count; offset += chunk) {
    const generating = performance.now();
    const requests = fc.sample(arbitrary, { numRuns: Math.min(chunk, count - offset), seed: batchSeed + offset });
    timing.generate += performance.now() - generating;
    for (let start = 0; start < requests.length; start += 8) {
      await Promise.all(
        requests.slice(start, start + 8).map(async (request) => {
          const operation = operations[request.operation]!;
          let parameterIndex = 0;
          const path = operation.path.replace(/\{[^}]+\}/g, () => {
            const value = request.path[parameterIndex++] ?? { known: -1 };
            if ('value' in value) return encode(value.value);
            const known = value.known < 0 ? 'zzz_doesnotexist' : pool[value.known % Math.max(pool.length, 1)];
            return encode(known ?? 'none');
          });
          const query = Object.entries(request.query)
            .filter(([, value]) => value !== undefined)
            .map(([name, value]) => `${encode(name)}=${encode(value)}`)
            .join('&');
          const url = query ? `${path}?${query}` : path;
          const headers: Record<string, string> = {};
          const secret = {
            merchant: `Bearer ${app.merchant.api_key}`,
            admin: `Bearer ${adminKey}`,
            processor: `Bearer ${processorKey}`,
            consumer: `Bearer ${consumerToken}`,
            garbage: 'Bearer rg_live_garbage',
          } as Record<string, string>;
          if (secret[request.credential]) headers.authorization = secret[request.credential]!;
          if (request.credential === 'consumer_cookie') headers.cookie = `rg_consumer=${consumerToken}`;
          if (request.credential === 'staff') headers.cookie = staffCookie;
          if (request.credential === 'bad_cookie') headers.cookie = 'rg_consumer=%; other=%E0%A4%A';
          if (request.idempotencyKey !== null)
            headers['idempotency-key'] = request.idempotencyKey.replace(/[^\x20-\x7e]/g, '?');
          let payload: string | undefined;
          const makeExample = examples[`${operation.method} ${operation.path}`];
          if (request.body && 'example' in request.body && makeExample) {
            const known = (prefix: string) => pool.find((id) => id.startsWith(`${prefix}_`)) ?? `${prefix}_none`;
            const base = makeExample(known);
            const { example } = request.body;
            payload = JSON.stringify(example ? replaceOneLeaf(base, example.pick, example.needle) : base);
            headers['content-type'] = 'application/json';
          } else if (request.body && 'json' in request.body) {
            try {
              payload = JSON.stringify(request.body.json);
              headers['content-type'] = 'application/json';
            } catch {
              payload = undefined; // a value deeper than JSON.stringify can write
            }
          } else if (request.body && 'raw' in request.body) {
            payload = request.body.raw;
            headers['content-type'] = request.body.contentType;
          }
          const method = (request.wrongMethod ?? operation.method) as 'GET';
          const sent = performance.now();
          const response = await app.server.inject({
            method,
            url,
            headers,
            ...(payload !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload } : {}),
          });
          const key = `${operation.method} ${operation.path}`;
          timing.byOperation.set(key, (timing.byOperation.get(key) ?? 0) + performance.now() - sent);
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
          if (operation.credentials.includes('staff') && response.statusCode < 400) staffHandled += 1;
          const problem = judge(
            method,
            response.statusCode,
            String(response.headers['content-type'] ?? ''),
            response.body,
            operation.servesHtml,
          );
          if (problem && failures.length < 25) {
            failures.push(`${method} ${url.slice(0, 160)} (${operation.method} ${operation.path}): ${problem}`);
          }
          if (response.statusCode < 300 && /json/.test(String(response.headers['content-type']))) {
            for (const match of response.body.matchAll(/"([a-z]{3}_[0-9a-z]{6,40})"/g)) {
              if (pool.length < 5000 && !pool.includes(match[1]!)) pool.push(match[1]!);
            }
          }
        }),
      );
    }
  }
  return { failures, statuses, staffHandled };
}

/** Why a response breaks the contract, or null. */
function judge(method: string, status: number, contentType: string, body: string, servesHtml: boolean): string | null {
  if (status >= 500) return `${status} ${body.slice(0, 200)}`;
  if (status < 400 || method === 'HEAD') return null;
  if (servesHtml && /text\/html/.test(contentType)) return null;
  if (!/application\/json/.test(contentType)) return `${status} with ${contentType || 'no content type'}`;
  let parsed: { error?: { code?: unknown; message?: unknown } };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `${status} body is not JSON`;
  }
  if (typeof parsed.error?.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(parsed.error.code)) {
    return `${status} without a stable error code: ${body.slice(0, 200)}`;
  }
  if (typeof parsed.error.message !== 'string') return `${status} without a message`;
  return null;
}

// FUZZ_BATCHES / FUZZ_PER_BATCH shrink or grow a run by hand (e.g. while chasing a finding).
for (const kind of Object.keys(plan) as DatabaseKind[]) {
  if (plan[kind].batches === 0) continue;
  if (process.env.FUZZ_BATCHES) plan[kind].batches = Number(process.env.FUZZ_BATCHES);
  if (process.env.FUZZ_PER_BATCH) plan[kind].perBatch = Number(process.env.FUZZ_PER_BATCH);
}

describe.each(databaseKinds.filter((kind) => plan[kind].batches > 0))(
  'schema-driven fuzz of every route (%s)',
  (kind) => {
    let app: TestApplication;
    let operations: Operation[];
    let consumerToken = '';
    let staffCookie = '';
    const pool: string[] = [];
    beforeAll(async () => {
      app = await makeTestApplication(kind, {}, { PAYMENT_PROCESSOR_KEY: processorKey, LOG_LEVEL: 'silent' });
      operations = operationsOf((await app.server.inject({ method: 'GET', url: '/openapi.json' })).json());
      // Real ids to aim at: a session, its decision and whatever it created; a signed-in consumer.
      await app.importer.importText(
        JSON.stringify({
          type: 'account',
          id: 'fuzz-anna',
          created_at: '2025-01-02T09:00:00Z',
          name: 'Anna de Vries',
          email: 'anna@example.nl',
          phone: '+31612345678',
        }),
      );
      const session = await app.request('POST', '/v1/sessions', { body: sessionBody() });
      const authorized = await app.request('POST', `/v1/sessions/${session.json().id}/authorize`);
      for (const body of [session.body, authorized.body]) {
        for (const match of body.matchAll(/"([a-z]{3}_[0-9a-z]{6,40})"/g)) pool.push(match[1]!);
      }
      const [account] = await app.database.query<{ id: string }>(
        "SELECT id FROM accounts WHERE external_id = 'fuzz-anna'",
      );
      consumerToken = (await app.consumerSessions.issue(account!.id, 'otp_email')).token;

      // A signed-in admin (the highest staff role) takes the fuzz past the staff sign-in into every ops handler.
      const desk = makeStaffDesk(() => app);
      await desk.hire('Fuzz Admin', 'admin');
      staffCookie = desk.desks.get('Fuzz Admin')!.cookie;
      // Something for ops path ids to hit: approved orders (decisions), one with a claim and its case, a ruleset
      // that holds large orders and a purchase it held for review.
      await placeSmallOrders(app, 3);
      const [order] = await app.database.query<{ id: string }>('SELECT id FROM orders ORDER BY placed_at LIMIT 1');
      const claim = await app.request('POST', '/v1/admin/claims', {
        key: adminKey,
        body: { order_id: order!.id, kind: 'not_received' },
      });
      expect(claim.statusCode).toBe(201);
      const ruleset = reviewLargeRuleset('fuzz-review-large');
      expect(
        (await app.request('POST', '/v1/admin/rulesets', { key: adminKey, body: { ruleset, activate: true } }))
          .statusCode,
      ).toBe(201);
      const held = await app.request('POST', '/v1/sessions', {
        body: sessionBody({
          merchant_reference: 'fuzz-held',
          customer: { name: 'Bert Jansen', email: 'bert@example.nl', phone: '+31612340000' },
        }),
      });
      const review = await app.request('POST', `/v1/sessions/${held.json().id}/authorize`);
      expect(review.json().decision).toBe('review');
      pool.push(ruleset.version, app.merchant.id);
      for (const url of ['/v1/ops/queue', '/v1/ops/cases', '/v1/ops/decisions', '/v1/ops/staff', '/v1/ops/rulesets']) {
        const listed = await app.request('GET', url, { key: null, headers: { cookie: staffCookie } });
        expect(listed.statusCode, url).toBe(200);
        for (const match of listed.body.matchAll(/"([a-z]{3}_[0-9a-z]{6,40})"/g)) {
          if (!pool.includes(match[1]!)) pool.push(match[1]!);
        }
      }
    });
    afterAll(async () => {
      await app.close();
    });

    it('covers every operation in the document', () => {
      expect(operations.length).toBeGreaterThan(50);
      expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toContain('POST /v1/sessions');
    });

    const { batches, perBatch } = plan[kind];
    it.each(Array.from({ length: batches }, (_, index) => index))(
      `batch %i: ${perBatch} requests, none >= 500, every 4xx with an error code`,
      async (batch) => {
        const { failures, statuses, staffHandled } = await runBatch(
          app,
          operations,
          pool,
          consumerToken,
          staffCookie,
          perBatch,
          seed + batch * 1_000_003 + (kind === 'postgres' ? 17 : 0),
        );
        if (process.env.FUZZ_TIMING) {
          const slowest = [...timing.byOperation].sort((a, b) => b[1] - a[1]).slice(0, 12);
          console.log(JSON.stringify(Object.fromEntries(statuses)), `pool ${pool.length}`, `staff ${staffHandled}`);
          console.log(
            `generate ${Math.round(timing.generate)} ms`,
            slowest.map(([name, ms]) => `${name} ${Math.round(ms)}`),
          );
        }
        expect(failures).toEqual([]);
        const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
        expect(total).toBe(perBatch);
        // Not only refusals: some requests got through validation to the services.
        expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
        expect(staffHandled).toBeGreaterThan(0);
      },
      120_000,
    );
  },
);
