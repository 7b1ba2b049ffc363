// The development mailbox: every message the outbox holds, as JSON for tests and as a small page for people.
import { z } from 'zod';
import { timingSafeEqual } from 'node:crypto';
import { defineRoute } from '../http/route.ts';
import { ApiError } from '../shared/errors.ts';
import { sha256 } from '../shared/hashing.ts';
import type { SqlExecutor } from '../storage/database.ts';
import { listOutbox, type OutboxRow } from '../outbox/outbox.ts';
import { escapeHtml, htmlPage } from './html.page.ts';

const query = z.object({
  to: z.string().trim().min(1).max(254).optional(),
  topic: z.string().trim().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  key: z.string().optional(),
});

const present = (row: OutboxRow) => ({
  id: row.id,
  topic: row.topic,
  to: row.recipient,
  status: row.status,
  attempts: row.attempts,
  created_at: row.created_at.toISOString(),
  delivered_at: row.delivered_at?.toISOString() ?? null,
  payload: row.payload,
});

function renderPage(rows: OutboxRow[]): string {
  const items = rows
    .map((row) => {
      const payload = row.payload as { subject?: string; text?: string; kind?: string; channel?: string };
      const body = payload.text ?? JSON.stringify(row.payload, null, 2);
      return `<article><header><strong>${escapeHtml(row.recipient ?? '(no recipient)')}</strong>
        <span>${escapeHtml(payload.channel ?? row.topic)} · ${escapeHtml(payload.kind ?? '')} · ${escapeHtml(row.status)}
        · ${escapeHtml(row.created_at.toISOString())}</span></header>
        ${payload.subject ? `<h2>${escapeHtml(payload.subject)}</h2>` : ''}<pre>${escapeHtml(body)}</pre></article>`;
    })
    .join('\n');
  return htmlPage('Outbox', `<h1>Outbox</h1><p>${rows.length} most recent messages.</p>${items || '<p>Empty.</p>'}`);
}

export function outboxRoutes(dependencies: { database: SqlExecutor; adminKey: string | undefined }) {
  const { database, adminKey } = dependencies;
  if (!adminKey) return [];
  /** The page is opened in a browser, so the admin key may come as ?key= as well as the Authorization header. */
  const allowed = (given: string | undefined) =>
    given !== undefined && timingSafeEqual(Buffer.from(sha256(given)), Buffer.from(sha256(adminKey)));
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/admin/outbox',
      summary: 'Messages in the outbox (the development notifier keeps them here), newest first',
      tags: ['admin'],
      auth: 'admin',
      query,
      responses: { 200: { description: '{data: [...]}' } },
      handler: async ({ query }) => ({
        status: 200,
        body: {
          data: (await listOutbox(database, { recipient: query.to, topic: query.topic, limit: query.limit })).map(
            present,
          ),
        },
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/admin/outbox',
      operationId: 'getAdminOutboxPage',
      summary: 'The outbox as a page (admin key as ?key= or Bearer)',
      tags: ['admin'],
      auth: 'none',
      query,
      responses: { 200: { description: 'HTML', contentType: 'text/html' }, 401: { description: 'unauthorized' } },
      handler: async ({ query, request }) => {
        const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (!allowed(query.key ?? bearer)) throw new ApiError(401, 'unauthorized', 'the admin key is required (?key=)');
        const rows = await listOutbox(database, { recipient: query.to, topic: query.topic, limit: query.limit });
        return { status: 200, contentType: 'text/html; charset=utf-8', body: renderPage(rows) };
      },
    }),
  ];
}
