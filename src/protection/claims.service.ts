// Claim use cases for the portal and the ops desk: file (in its own transaction) and list a consumer's claims.
import type { PersonalData } from '../privacy/personal-data.ts';
import { z } from 'zod';
import { decodeCursor, toPage } from '../http/list-envelope.ts';
import type { Clock } from '../shared/clock.ts';
import type { Ids } from '../shared/ids.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import type { Database } from '../storage/database.ts';
import { fileClaim } from './claim.filing.ts';
import * as repository from './protection.repository.ts';
import type { ClaimKind, ClaimSource } from './protection.repository.ts';
import { cursorInstantSchema } from '../http/instant.schema.ts';

const claimCursor = z.tuple([cursorInstantSchema, z.string().max(100)]);

export const claimViewSchema = z.object({
  id: z.string(),
  order_id: z.string(),
  kind: z.string(),
  source: z.string(),
  status: z.string(),
  created_at: z.string(),
  resolved_at: z.string().nullable(),
});

/** What filing a claim answers (201 filed, 200 already reported); file() is typed by it. */
export const claimFiledSchema = z.object({
  claim: z.object({ id: z.string(), order_id: z.string(), kind: z.string() }),
  case_id: z.string(),
  already_filed: z.boolean(),
  invoice: z.object({ id: z.string(), status: z.string().nullable() }).nullable(),
});

export function presentClaim(row: repository.ClaimRow): z.infer<typeof claimViewSchema> {
  return {
    id: row.id,
    order_id: row.order_id,
    kind: row.kind,
    source: row.source,
    status: row.status,
    created_at: row.created_at.toISOString(),
    resolved_at: row.resolved_at?.toISOString() ?? null,
  };
}

export function makeClaimsService(dependencies: {
  database: Database;
  clock: Clock;
  ids: Ids;
  firstResponseHours: number;
  personalData: PersonalData;
}) {
  const { database, clock, ids, personalData } = dependencies;

  async function file(
    request: { accountId: string; orderId: string; kind: ClaimKind; message: string | null },
    source: ClaimSource,
  ) {
    const at = new Date(clock.now());
    const outcome = await database.transaction((tx) =>
      fileClaim(
        tx,
        { ids, firstResponseHours: dependencies.firstResponseHours, personalData },
        { ...request, source, at },
      ),
    );
    if (outcome.outcome === 'order_not_found') throw notFound('order');
    const body: z.infer<typeof claimFiledSchema> = {
      claim: { id: outcome.claimId, order_id: request.orderId, kind: request.kind },
      case_id: outcome.caseId,
      already_filed: outcome.outcome === 'already_filed',
      invoice: outcome.invoiceId ? { id: outcome.invoiceId, status: outcome.invoiceStatus } : null,
    };
    return { status: outcome.outcome === 'filed' ? 201 : 200, body };
  }

  /** The ops desk files for a consumer who called in; the order tells whose it is. */
  async function fileForOrder(request: { orderId: string; kind: ClaimKind; message: string | null }) {
    const [order] = await database.query<{ account_id: string }>('SELECT account_id FROM orders WHERE id = $1', [
      request.orderId,
    ]);
    if (!order) throw new ApiError(404, 'not_found', 'order not found', 'order_id');
    return file({ ...request, accountId: order.account_id }, 'api');
  }

  /** GET /v1/me/claims: one page of the list envelope, newest first. */
  async function listForAccount(accountId: string, page: { limit: number; cursor?: string | undefined }) {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor, claimCursor);
    const rows = await repository.listClaimsOfAccount(database, accountId, { limit: page.limit, after });
    return toPage(rows, page.limit, (row) => [row.created_at.toISOString(), row.id], presentClaim);
  }

  return { file, fileForOrder, listForAccount };
}

export type ClaimsService = ReturnType<typeof makeClaimsService>;
