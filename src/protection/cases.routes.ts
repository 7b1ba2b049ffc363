// Case routes for the ops console (admin key): list, read with evidence, assign, comment, resolve; every action audited.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import type { CasesService } from './cases.service.ts';
import { caseResolutions } from './protection.repository.ts';

const caseParams = z.object({ id: z.string().regex(/^cas_[0-9a-z]{1,40}$/) });
/** Who did it: the admin key is shared by the desk, so each action names its analyst. */
const actor = z.string().trim().min(1).max(100);

export function casesRoutes(cases: CasesService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/cases',
      summary: 'List cases (filters: status, kind, assignee, breached SLA), oldest first; page with ?after=<cursor>',
      tags: ['cases'],
      auth: 'admin',
      query: z.object({
        status: z.enum(['open', 'resolved']).optional(),
        kind: z.enum(['claim', 'review_request']).optional(),
        assignee: z.string().max(100).optional(),
        breached: z
          .enum(['true', 'false'])
          .transform((value) => value === 'true')
          .optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        after: z.coerce.number().int().min(0).optional(),
      }),
      responses: { 200: { description: 'Cases with their SLA timers' } },
      handler: async ({ query }) => ({ status: 200, body: await cases.list(query) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/cases/:id',
      summary: 'A case with its evidence, claim, invoice, SLA and audit trail',
      tags: ['cases'],
      auth: 'admin',
      params: caseParams,
      responses: { 200: { description: 'The case' } },
      handler: async ({ params }) => ({ status: 200, body: await cases.get(params.id) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/assign',
      summary: 'Assign a case to an analyst',
      tags: ['cases'],
      auth: 'admin',
      params: caseParams,
      body: z.object({ assignee: actor, actor }),
      responses: { 200: { description: 'The case' } },
      handler: async ({ params, body }) => ({ status: 200, body: await cases.assign(params.id, body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/comments',
      summary: 'Add an analyst comment',
      tags: ['cases'],
      auth: 'admin',
      idempotent: true,
      params: caseParams,
      body: z.object({ text: z.string().trim().min(1).max(5000), actor }),
      responses: { 201: { description: 'The case' } },
      handler: async ({ params, body }) => ({ status: 201, body: await cases.comment(params.id, body) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/admin/cases/:id/resolve',
      summary:
        'Resolve: fraud_confirmed (write off, label, flag), claim_upheld (write off) or rejected (resume, explain)',
      tags: ['cases'],
      auth: 'admin',
      idempotent: true,
      params: caseParams,
      body: z.object({ outcome: z.enum(caseResolutions), note: z.string().trim().min(1).max(5000), actor }),
      responses: { 200: { description: 'The resolved case' } },
      handler: async ({ params, body }) => ({ status: 200, body: await cases.resolve(params.id, body) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/case-alerts',
      summary: 'Alerts raised by buyer protection (case SLA breaches), newest first',
      tags: ['cases'],
      auth: 'admin',
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Alerts' } },
      handler: async ({ query }) => ({ status: 200, body: await cases.alerts(query.limit) }),
    }),
  ];
}
