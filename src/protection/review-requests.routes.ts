// Desk route for consumers' review requests: open ones by due time (overdue first), with the answer once given.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { listEnvelope, listQuery } from '../http/list-envelope.ts';
import type { ReviewRequestsService } from './review-requests.service.ts';

const reviewRequestSchema = z.object({
  case_id: z.string().describe('Resolve it with POST /v1/admin/cases/{id}/resolve'),
  decision_id: z.string(),
  decision_outcome: z.string().nullable(),
  account_id: z.string(),
  merchant_id: z.string().nullable(),
  message: z.string().nullable().describe("The consumer's message"),
  status: z.enum(['open', 'resolved']),
  requested_at: z.string(),
  answer_due_at: z.string().describe('requested_at + REVIEW_REQUEST_SLA_HOURS'),
  overdue: z.boolean(),
  answered_at: z.string().nullable(),
  answer: z
    .enum(['decision_changed', 'decision_stands'])
    .nullable()
    .describe('claim_upheld or fraud_confirmed change the decision; rejected lets it stand'),
});

export function reviewRequestsRoutes(reviewRequests: ReviewRequestsService) {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/review-requests',
      summary: "Consumers' requests for a human review: open ones by due time (overdue first), then answered ones",
      tags: ['cases'],
      auth: 'admin',
      query: listQuery.extend({ status: z.enum(['open', 'resolved']).optional() }),
      responses: {
        200: { description: 'Review requests with their due time', schema: listEnvelope(reviewRequestSchema) },
      },
      handler: async ({ query }) => ({ status: 200, body: await reviewRequests.list(query) }),
    }),
  ];
}
