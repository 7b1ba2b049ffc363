// Serves the built consumer portal (web/portal/dist) at /portal/; without a build it says how to make one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const portalDistDirectory = fileURLToPath(new URL('../../web/portal/dist/', import.meta.url));

export async function registerPortal(server: FastifyInstance, root: string = portalDistDirectory): Promise<void> {
  server.get('/portal', async (_request, reply) => reply.redirect('/portal/'));
  if (!existsSync(`${root}index.html`)) {
    server.get('/portal/*', async (_request, reply) =>
      reply
        .status(503)
        .type('text/plain')
        .send('The consumer portal is not built yet: run `npm run build:web` (npm start does it for you).'),
    );
    return;
  }
  await server.register(fastifyStatic, { root, prefix: '/portal/', index: ['index.html'], wildcard: true });
}
