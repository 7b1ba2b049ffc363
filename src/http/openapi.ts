// Builds the OpenAPI 3.1 document from the same route definitions and zod schemas that validate requests.
import { z } from 'zod';
import type { RouteDefinition } from './route.ts';

const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
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

export function buildOpenApiDocument(routes: readonly RouteDefinition[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
          : {}),
      };
    }
    responses['4XX'] = {
      description: 'Bad request: a stable error code and the field at fault',
      content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } },
    };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: route.tags,
      parameters: [
        ...parameters(route),
        ...(route.idempotent
          ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
          : []),
      ],
      responses,
      ...(route.auth === 'none'
        ? { security: [] }
        : { security: [{ [route.auth === 'admin' ? 'adminKey' : 'merchantKey']: [] }] }),
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
        consumerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Consumer portal session token (or rg_consumer cookie)',
        },
      },
    },
    paths,
  };
}
