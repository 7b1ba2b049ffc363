// Staff routes on /v1/ops: the server checks the rg_staff cookie and the route's role before the handler runs.
import type { z } from 'zod';
import { defineRoute, type RouteContext, type RouteDefinition, type RouteReply } from '../http/route.ts';
import type { StaffMember } from './staff-auth.service.ts';

export interface StaffRouteDefinition<
  BodySchema extends z.ZodType,
  QuerySchema extends z.ZodType,
  ParamsSchema extends z.ZodType,
> extends Omit<RouteDefinition<BodySchema, QuerySchema, ParamsSchema>, 'auth' | 'handler'> {
  readonly handler: (
    context: RouteContext<z.infer<BodySchema>, z.infer<QuerySchema>, z.infer<ParamsSchema>> & {
      readonly staff: StaffMember;
    },
  ) => Promise<RouteReply>;
}

/** A route with auth 'staff': its handler receives the signed-in member, never null. */
export function defineStaffRoute<
  BodySchema extends z.ZodType = z.ZodType,
  QuerySchema extends z.ZodType = z.ZodType,
  ParamsSchema extends z.ZodType = z.ZodType,
>(definition: StaffRouteDefinition<BodySchema, QuerySchema, ParamsSchema>): RouteDefinition {
  return defineRoute<BodySchema, QuerySchema, ParamsSchema>({
    ...definition,
    auth: 'staff',
    handler: (context) => {
      // The server signs the member in before any handler runs: a null here is a wiring fault, not a caller's.
      if (!context.staff) throw new Error(`${definition.method} ${definition.url} ran without a signed-in member`);
      return definition.handler({ ...context, staff: context.staff });
    },
  });
}
