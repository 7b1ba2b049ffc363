// A merchant's allowed widget origins: where its challenge page may be framed and post its result, nowhere else.
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { notFound } from '../shared/errors.ts';
import type { SqlExecutor } from '../storage/database.ts';

/** scheme://host[:port] exactly as a browser reports window.location.origin; paths, users and wildcards refused. */
export const originSchema = z
  .string()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return /^https?:$/.test(url.protocol) && url.origin === value && !value.includes('*');
    } catch {
      return false;
    }
  }, 'an origin such as https://shop.example (scheme, host and port only)');

export async function allowedOriginsOfChallenge(database: SqlExecutor, challengeId: string): Promise<string[]> {
  const [row] = await database.query<{ allowed_origins: string[] }>(
    `SELECT m.allowed_origins FROM challenges c JOIN merchants m ON m.id = c.merchant_id WHERE c.id = $1`,
    [challengeId],
  );
  return row?.allowed_origins ?? [];
}

export function allowedOriginsRoutes(database: SqlExecutor) {
  const params = z.object({ id: z.string().min(1).max(100) });
  const originsBody = z.object({ origins: z.array(originSchema).max(20) });
  const read = async (id: string) => {
    const [row] = await database.query<{ allowed_origins: string[] }>(
      'SELECT allowed_origins FROM merchants WHERE id = $1',
      [id],
    );
    if (!row) throw notFound('merchant');
    return { origins: row.allowed_origins };
  };
  return [
    defineRoute({
      method: 'PUT',
      url: '/v1/admin/merchants/:id/allowed-origins',
      summary: "Set the origins of the merchant's shop pages that may embed the widget and receive its result",
      tags: ['admin'],
      auth: 'admin',
      params,
      body: originsBody,
      responses: { 200: { description: 'The allowed origins', schema: originsBody } },
      handler: async ({ params: { id }, body }) => {
        const origins = [...new Set(body.origins)];
        const rows = await database.query('UPDATE merchants SET allowed_origins = $2 WHERE id = $1 RETURNING id', [
          id,
          JSON.stringify(origins),
        ]);
        if (rows.length === 0) throw notFound('merchant');
        return { status: 200, body: { origins } };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/admin/merchants/:id/allowed-origins',
      summary: 'The origins allowed to embed the widget for this merchant',
      tags: ['admin'],
      auth: 'admin',
      params,
      responses: { 200: { description: 'The allowed origins', schema: originsBody } },
      handler: async ({ params: { id } }) => ({ status: 200, body: await read(id) }),
    }),
  ];
}
