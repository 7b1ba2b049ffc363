// Builds the OpenAPI 3.1 document from the same route definitions and zod schemas that validate requests.
import { z } from 'zod';
import type { RouteDefinition } from './route.ts';

/** Every 4xx body: a stable code, a message, the field at fault, and the extra figures some errors carry. */
export const errorSchema = z.object({
  error: z
    .object({
      code: z.string().describe('Stable machine-readable error code'),
      message: z.string(),
      field: z.string().optional().describe('The request field at fault'),
      attempts_remaining: z.number().int().optional().describe('Code attempts left (invalid_code)'),
      retry_after_seconds: z.number().int().optional().describe('When to try again (429)'),
      outstanding: z.object({ value: z.number().int(), currency: z.string() }).optional(),
      imported: z.number().int().optional().describe('Lines imported before an import stopped'),
    })
    .catchall(z.unknown()),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function parameters(route: RouteDefinition) {
  const list: unknown[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const shape = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(shape.properties ?? {})) {
      list.push({
        name,
        in: location,
        required: location === 'path' || (shape.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

/** `POST /v1/sessions/:id/authorize` -> `postSessionsByIdAuthorize`: unique because method and path are. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'v1')
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[-_.]/)));
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return `${method.toLowerCase()}${pascal}`;
}

function security(route: RouteDefinition): Record<string, string[]>[] {
  if (route.guardScheme) return [{ [route.guardScheme]: [] }];
  switch (route.auth) {
    case 'none':
      return [];
    case 'merchant':
      return [{ merchantKey: [] }];
    case 'admin':
      return [{ adminKey: [] }];
    case 'consumer':
      // Either one: the portal's bearer token or its session cookie.
      return [{ consumerKey: [] }, { consumerCookie: [] }];
    case 'staff':
      return [{ staffCookie: [] }];
  }
}

function responses(route: RouteDefinition) {
  const documented: Record<string, unknown> = {};
  const errorContent = { 'application/json': { schema: jsonSchema(errorSchema, 'output') } };
  for (const [status, response] of Object.entries(route.responses)) {
    const code = Number(status);
    let content: unknown;
    if (response.schema) content = { 'application/json': { schema: jsonSchema(response.schema, 'output') } };
    else if (response.contentType) content = { [response.contentType]: { schema: { type: 'string' } } };
    else if (code >= 400) content = errorContent;
    documented[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  documented['4XX'] = { description: 'Bad request: a stable error code and the field at fault', content: errorContent };
  return documented;
}

export function buildOpenApiDocument(routes: readonly RouteDefinition[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const operationId = route.operationId ?? operationIdOf(route.method, route.url);
    // A clash would make generated clients drop an operation: fail at start, where the test suite sees it.
    if (operationIds.has(operationId)) throw new Error(`duplicate OpenAPI operationId ${operationId} (${route.url})`);
    operationIds.add(operationId);
    const operation: Record<string, unknown> = {
      operationId,
      summary: route.summary,
      tags: route.tags,
      parameters: [
        ...parameters(route),
        ...(route.idempotent
          ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
          : []),
      ],
      responses: responses(route),
      security: security(route),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    } else if (route.rawBody) {
      operation.requestBody = {
        required: true,
        description: route.rawBody.description,
        content: { [route.rawBody.contentType]: { schema: { type: 'string' } } },
      };
    }
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Rearguard API', version, description: 'Pay-later checkout with a real-time fraud defence.' },
    components: {
      securitySchemes: {
        merchantKey: { type: 'http', scheme: 'bearer', description: 'Merchant API key' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'REARGUARD_ADMIN_KEY' },
        processorKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'PAYMENT_PROCESSOR_KEY (the admin key is accepted too)',
        },
        consumerKey: { type: 'http', scheme: 'bearer', description: 'Consumer portal session token' },
        consumerCookie: { type: 'apiKey', in: 'cookie', name: 'rg_consumer', description: 'Consumer portal session' },
        staffCookie: { type: 'apiKey', in: 'cookie', name: 'rg_staff', description: 'Ops console staff session' },
      },
    },
    paths,
  };
}
