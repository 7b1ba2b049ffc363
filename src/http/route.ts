// Route definitions as data: one schema per body/query/params, shared by validation and the OpenAPI document.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { StaffMember } from '../staff/staff-auth.service.ts';
import type { StaffRole } from '../staff/staff.repository.ts';

/**
 * none; merchant API key; admin key; a signed-in consumer (portal token as Bearer or rg_consumer cookie); a signed-in
 * staff member (rg_staff cookie) with at least the route's staffRole.
 */
export type RouteAuth = 'none' | 'merchant' | 'admin' | 'consumer' | 'staff';

export interface Consumer {
  readonly accountId: string;
  readonly sessionId: string;
}

export interface Merchant {
  readonly id: string;
  readonly name: string;
}

export interface RouteContext<Body, Query, Params> {
  readonly body: Body;
  readonly query: Query;
  readonly params: Params;
  /** The authenticated merchant (routes with auth 'merchant'). */
  readonly merchant: Merchant | null;
  /** The signed-in consumer (routes with auth 'consumer'). */
  readonly consumer: Consumer | null;
  /** The signed-in staff member (routes with auth 'staff'). */
  readonly staff: StaffMember | null;
  readonly request: FastifyRequest;
}

export interface RouteReply {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export interface RouteDefinition<
  BodySchema extends z.ZodType = z.ZodType,
  QuerySchema extends z.ZodType = z.ZodType,
  ParamsSchema extends z.ZodType = z.ZodType,
> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: RouteAuth;
  /** Routes with auth 'staff': the least role they need (analyst when left out); 403 staff_role_required below it. */
  readonly staffRole?: StaffRole;
  readonly body?: BodySchema;
  /** Non-JSON bodies (e.g. NDJSON import) are read raw and described here instead of by a schema. */
  readonly rawBody?: { readonly contentType: string; readonly description: string };
  readonly query?: QuerySchema;
  readonly params?: ParamsSchema;
  readonly responses: Readonly<
    Record<
      number,
      {
        readonly description: string;
        readonly schema?: z.ZodType;
        /** For bodies that are not JSON (HTML pages, scripts): documented as a string of this type. */
        readonly contentType?: string;
      }
    >
  >;
  /** Stable name of the operation in the OpenAPI document; derived from method and path when left out. */
  readonly operationId?: string;
  /** The security scheme the guard checks, so the document declares it (e.g. the payment processor's key). */
  readonly guardScheme?: 'processorKey';
  /**
   * Extra authentication run before anything else (idempotency replay included), for callers the server does not
   * know itself, such as the payment processor's key. Throws an ApiError to refuse.
   */
  readonly guard?: (request: FastifyRequest) => void;
  /** Creating POSTs honour Idempotency-Key. */
  readonly idempotent?: boolean;
  readonly handler: (
    context: RouteContext<z.infer<BodySchema>, z.infer<QuerySchema>, z.infer<ParamsSchema>>,
  ) => Promise<RouteReply>;
}

/** Keeps the handler's context typed from the schemas while storing routes in one list. */
export function defineRoute<
  BodySchema extends z.ZodType = z.ZodType,
  QuerySchema extends z.ZodType = z.ZodType,
  ParamsSchema extends z.ZodType = z.ZodType,
>(definition: RouteDefinition<BodySchema, QuerySchema, ParamsSchema>): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
