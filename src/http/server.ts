// Builds the Fastify server from route definitions: auth, validation, idempotency, errors, metrics, OpenAPI.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { ApiError } from '../shared/errors.ts';
import { sha256 } from '../shared/hashing.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { Metrics } from './metrics.ts';
import { buildOpenApiDocument } from './openapi.ts';
import type { Consumer, Merchant, RouteDefinition, RouteReply } from './route.ts';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import type { StaffRole } from '../staff/staff.repository.ts';
import { parseOrThrow } from './validation.ts';
import type { DestinationStream } from 'pino';
import { redactingLoggerOptions } from './log.redaction.ts';
import { errorReply, retryAfterSeconds, toApiError } from './error.handler.ts';
import { findUnsafeInput, unsafeInputMessages } from './input-safety.ts';
import { makeAllowedMethods } from './allowed-methods.ts';

export interface ServerDependencies {
  readonly routes: readonly RouteDefinition[];
  readonly findMerchantByKeyHash: (keyHash: string) => Promise<Merchant | null>;
  readonly findConsumerByToken?: (token: string) => Promise<Consumer | null>;
  /** The signed-in staff member with at least `role` (rg_staff cookie), or throws a 401/403 ApiError. */
  readonly authenticateStaff?: (request: FastifyRequest, role: StaffRole) => Promise<StaffMember>;
  readonly adminKey: string | undefined;
  readonly idempotency: IdempotencyStore;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly version: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** Fastify's trustProxy: request.ip is the client's address behind a load balancer only when set. */
  readonly trustProxy?: boolean | string;
  /** Slow clients are cut off: whole request, headers, idle keep-alive connection (milliseconds). */
  readonly timeouts?: ServerTimeouts;
  /** Where log lines go (tests capture them); standard output when absent. */
  readonly logStream?: DestinationStream;
  /** Readiness: resolves when the server can serve (its database answers), throws when it cannot. */
  readonly ready?: () => Promise<void>;
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

function cookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    // A malformed value (`rg_consumer=%`) is no token: the caller is not signed in (401), never a 500.
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null;
    }
  }
  return null;
}

/** One check for every route: no NUL, lone surrogate or absurd nesting in path, query or body. */
function rejectUnsafeInput(request: FastifyRequest): void {
  // The query parser turns bytes that are not UTF-8 (a surrogate's CESU-8 form) into U+FFFD: refuse them instead.
  const rawQuery = request.url.split('?').slice(1).join('?');
  if (rawQuery !== '' && !isValidPercentEncoding(rawQuery)) {
    throw new ApiError(400, 'invalid_characters', 'query: is not valid percent-encoded UTF-8', 'query');
  }
  for (const [location, value] of [
    ['params', request.params],
    ['query', request.query],
    ['body', request.body],
  ] as const) {
    const unsafe = findUnsafeInput(value, '');
    if (!unsafe) continue;
    const field = unsafe.field === '' ? location : unsafe.field;
    const code = unsafe.reason === 'too_deep' ? 'nesting_too_deep' : 'invalid_characters';
    throw new ApiError(400, code, `${field}: ${unsafeInputMessages[unsafe.reason]}`, field);
  }
}

function isValidPercentEncoding(text: string): boolean {
  try {
    decodeURIComponent(text.replaceAll('+', ' '));
    return true;
  } catch {
    return false;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(sha256(given));
  const b = Buffer.from(sha256(expected));
  return timingSafeEqual(a, b);
}

/** The default policy of server-rendered and portal pages: own scripts and styles only, never framed. */
export const htmlPagePolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export interface ServerTimeouts {
  readonly requestMilliseconds: number;
  readonly headersMilliseconds: number;
  readonly keepAliveMilliseconds: number;
}

export const defaultServerTimeouts: ServerTimeouts = {
  requestMilliseconds: 30_000,
  headersMilliseconds: 10_000,
  keepAliveMilliseconds: 5_000,
};

/**
 * A Node HTTP server that drops slow clients (slowloris): headers and the whole request each have a deadline,
 * checked every second rather than Node's default 30 s, and an idle socket is closed.
 */
function makeHttpServer(timeouts: ServerTimeouts) {
  return (handler: http.RequestListener) => {
    const server = http.createServer(
      {
        requestTimeout: timeouts.requestMilliseconds,
        headersTimeout: Math.min(timeouts.headersMilliseconds, timeouts.requestMilliseconds),
        keepAliveTimeout: timeouts.keepAliveMilliseconds,
        connectionsCheckingInterval: Math.min(1_000, timeouts.headersMilliseconds),
      },
      handler,
    );
    server.setTimeout(timeouts.requestMilliseconds);
    return server;
  };
}

function withDeadline<T>(work: Promise<T>, milliseconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), milliseconds);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function buildServer(dependencies: ServerDependencies): FastifyInstance {
  const app = Fastify({
    logger: {
      level: dependencies.logLevel,
      // Requests are logged by method and path, capability tokens masked; personal data never reaches the log.
      ...redactingLoggerOptions,
      ...(dependencies.logStream ? { stream: dependencies.logStream } : {}),
    },
    bodyLimit: dependencies.bodyLimitBytes,
    trustProxy: dependencies.trustProxy ?? false,
    serverFactory: makeHttpServer(dependencies.timeouts ?? defaultServerTimeouts),
    requestIdHeader: 'x-request-id',
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
    // A malformed URL (bad percent-encoding) fails before routing and the error handler: same error shape here.
    frameworkErrors: (error, _request, reply) => {
      const apiError = toApiError(error) ?? new ApiError(400, 'invalid_request', 'the request could not be read');
      const { status, body } = errorReply(apiError);
      void (reply as unknown as FastifyReply).status(status).send(body);
    },
  });

  const rawContentTypes = new Set(
    dependencies.routes.flatMap((route) => (route.rawBody ? [route.rawBody.contentType] : [])),
  );
  // Raw bodies (NDJSON import) reach the handler as a stream, so a large import is never held in memory whole.
  for (const contentType of rawContentTypes) {
    app.addContentTypeParser(contentType, (_request, payload, done) => done(null, payload));
  }

  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (!apiError) request.log.error({ err: error }, 'unexpected error');
    const { status, body } = errorReply(apiError);
    if (status === 503) void reply.header('retry-after', String(retryAfterSeconds));
    void reply.status(status).send(body);
  });
  const allowedMethods = makeAllowedMethods();
  app.addHook('onRoute', (options) => allowedMethods.add(options.method, options.url ?? options.path));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods.for(path);
    if (allowed.length > 0) {
      void reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({
          error: {
            code: 'method_not_allowed',
            message: `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
          },
        });
      return;
    }
    void reply
      .status(404)
      .send({ error: { code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  // Every answer: no MIME sniffing. Every HTML page: a strict CSP (no framing unless the page allows its framers),
  // no referrer, and no caching (pages show codes, notices and personal data).
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (/^text\/html/i.test(String(reply.getHeader('content-type') ?? ''))) {
      if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', htmlPagePolicy);
      if (!reply.hasHeader('referrer-policy')) void reply.header('referrer-policy', 'no-referrer');
      void reply.header('cache-control', 'no-store');
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    dependencies.metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  async function authenticateConsumer(request: FastifyRequest): Promise<Consumer> {
    const token = bearer(request) ?? cookie(request, 'rg_consumer');
    const consumer = token && dependencies.findConsumerByToken ? await dependencies.findConsumerByToken(token) : null;
    if (!consumer) throw new ApiError(401, 'unauthorized', 'sign in first');
    return consumer;
  }

  async function authenticateStaff(route: RouteDefinition, request: FastifyRequest): Promise<StaffMember> {
    if (!dependencies.authenticateStaff)
      throw new ApiError(401, 'staff_sign_in_required', 'sign in to the console first');
    return dependencies.authenticateStaff(request, route.staffRole ?? 'analyst');
  }

  async function authenticate(route: RouteDefinition, request: FastifyRequest): Promise<Merchant | null> {
    if (route.auth === 'none' || route.auth === 'consumer' || route.auth === 'staff') return null;
    const key = bearer(request);
    if (route.auth === 'admin') {
      if (!dependencies.adminKey || key === null || !sameSecret(key, dependencies.adminKey)) {
        throw new ApiError(401, 'unauthorized', 'a valid admin key is required (Authorization: Bearer ...)');
      }
      return null;
    }
    const merchant = key === null ? null : await dependencies.findMerchantByKeyHash(sha256(key));
    if (!merchant)
      throw new ApiError(401, 'unauthorized', 'a valid merchant API key is required (Authorization: Bearer ...)');
    return merchant;
  }

  for (const route of dependencies.routes) {
    if (route.auth === 'admin' && !dependencies.adminKey) continue;
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        rejectUnsafeInput(request);
        const merchant = await authenticate(route, request);
        route.guard?.(request);
        const consumer = route.auth === 'consumer' ? await authenticateConsumer(request) : null;
        const staff = route.auth === 'staff' ? await authenticateStaff(route, request) : null;
        const params = route.params ? parseOrThrow(route.params, request.params, 'params') : request.params;
        const query = route.query ? parseOrThrow(route.query, request.query, 'query') : request.query;
        if (route.body && request.body !== undefined && !/json/i.test(request.headers['content-type'] ?? '')) {
          throw new ApiError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json', 'body');
        }
        if (route.body && request.body === undefined) {
          throw new ApiError(
            400,
            'invalid_request',
            'a JSON body is required (Content-Type: application/json)',
            'body',
          );
        }
        const body = route.body ? parseOrThrow(route.body, request.body, 'body') : request.body;
        const run = () => route.handler({ body, query, params, merchant, consumer, staff, request });
        const key = request.headers['idempotency-key'];
        let result: RouteReply;
        if (route.idempotent && typeof key === 'string') {
          // Routes without auth (the widget's client token) key replays by the caller's bearer, so no one else replays them.
          const owner =
            merchant?.id ??
            (consumer
              ? `consumer:${consumer.accountId}`
              : staff
                ? `staff:${staff.id}`
                : route.auth === 'none'
                  ? `bearer:${sha256(bearer(request) ?? '')}`
                  : 'admin');
          const path = request.url.split('?')[0] ?? route.url;
          result = await dependencies.idempotency.run(
            owner,
            `${route.method} ${path}`,
            key,
            request.body ?? null,
            new Date(dependencies.clock.now()),
            run,
          );
        } else {
          result = await run();
        }
        for (const [name, value] of Object.entries(result.headers ?? {})) void reply.header(name, value);
        if (result.contentType) void reply.type(result.contentType);
        return reply.status(result.status).send(result.body);
      },
    });
  }

  const openApi = buildOpenApiDocument(dependencies.routes, dependencies.version);
  app.get('/openapi.json', async () => openApi);
  // Liveness: the process answers. Readiness: it can do its work, so a load balancer sends it traffic.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await withDeadline(dependencies.ready?.() ?? Promise.resolve(), 2_000);
      return { status: 'ready' };
    } catch {
      void reply.header('retry-after', String(retryAfterSeconds));
      return reply.status(503).send({
        status: 'unavailable',
        error: { code: 'service_unavailable', message: 'the database does not answer' },
      });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(dependencies.metrics.registry.contentType);
    return dependencies.metrics.registry.metrics();
  });
  return app;
}
