// Admin routes (REARGUARD_ADMIN_KEY): merchants, history import, decision records.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { listDecisions } from '../checkout/checkout.repository.ts';
import type { Database } from '../storage/database.ts';
import type { MerchantsService } from './merchants.service.ts';
import type { makeImportService } from '../ingest/import.service.ts';

const decisionRecordSchema = z.object({
  seq: z.number(),
  id: z.string(),
  session_id: z.string(),
  merchant_id: z.string(),
  account_id: z.string().nullable(),
  decision: z.string(),
  reasons: z.array(z.object({ code: z.string(), message: z.string() })),
  score: z.number().nullable(),
  features: z.record(z.string(), z.unknown()),
  rule_results: z.array(z.unknown()),
  challenge_options: z.array(z.unknown()),
  versions: z.record(z.string(), z.unknown()),
  input: z.unknown(),
  latency_us: z.number(),
  decided_at: z.string(),
});

/** 413; a streamed import that ran over says what it imported before it stopped (that part is kept). */
function importTooLarge(limitBytes: number, details: Record<string, unknown>): ApiError {
  return new ApiError(
    413,
    'import_too_large',
    `the import is larger than ${limitBytes} bytes (IMPORT_LIMIT_BYTES); the complete lines before the limit were imported`,
    'body',
    details,
  );
}

export function adminRoutes(dependencies: {
  database: Database;
  merchants: MerchantsService;
  importer: ReturnType<typeof makeImportService>;
  importLimitBytes: number;
}) {
  const { database, merchants, importer, importLimitBytes } = dependencies;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/admin/merchants',
      summary: 'Create a merchant; its API key is shown once',
      tags: ['admin'],
      auth: 'admin',
      idempotent: true,
      body: z.object({
        name: z.string().trim().min(1).max(200),
        capture_mode: z
          .enum(['on_approval', 'on_shipment'])
          .default('on_shipment')
          .describe('When the invoice is made: at each capture on shipment (default), or at approval'),
      }),
      responses: {
        201: {
          description: 'Merchant created',
          schema: z.object({ id: z.string(), name: z.string(), api_key: z.string(), capture_mode: z.string() }),
        },
      },
      handler: async ({ body }) => ({
        status: 201,
        body: await merchants.create(body.name, undefined, body.capture_mode),
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/import',
      summary: 'Import history (NDJSON: account and order records); bad lines are reported, not fatal',
      tags: ['admin'],
      auth: 'admin',
      rawBody: {
        contentType: 'application/x-ndjson',
        description: 'One JSON record per line (see README: history import)',
      },
      responses: {
        200: {
          description: 'Import result',
          schema: z.object({
            imported: z.number(),
            rejected: z.array(z.object({ line: z.number(), error: z.string() })),
          }),
        },
      },
      handler: async ({ request }) => {
        const body = request.body as AsyncIterable<Buffer> | undefined;
        if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
          throw new ApiError(
            415,
            'unsupported_media_type',
            'send the history as Content-Type: application/x-ndjson',
            'body',
          );
        }
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > importLimitBytes) throw importTooLarge(importLimitBytes, { imported: 0 });
        const result = await importer.importStream(body, undefined, { maxTotalBytes: importLimitBytes });
        if (result.stopped) throw importTooLarge(importLimitBytes, { ...result, rejected: result.rejected.length });
        return { status: 200, body: result };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/decisions',
      summary: 'Decision records in order, with features, rule results, score and reasons',
      tags: ['admin'],
      auth: 'admin',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        after: z.coerce.number().int().min(0).default(0),
      }),
      responses: {
        200: {
          description: 'A page of decision records; pass next_after as after for the next page',
          schema: z.object({ decisions: z.array(decisionRecordSchema), next_after: z.number().nullable() }),
        },
      },
      handler: async ({ query }) => {
        const rows = await listDecisions(database, query);
        const decisions = rows.map(({ outcome, decided_at, ...rest }) => ({
          ...rest,
          decision: outcome,
          decided_at: decided_at.toISOString(),
        }));
        return {
          status: 200,
          body: { decisions, next_after: rows.length === query.limit ? (rows.at(-1)?.seq ?? null) : null },
        };
      },
    }),
  ];
}
