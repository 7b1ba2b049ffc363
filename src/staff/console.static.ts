// Serves the built ops console (web/console/dist) at /console/; without a build it says how to make one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

export const consoleDistDirectory = fileURLToPath(new URL('../../web/console/dist/', import.meta.url));

export async function registerConsole(server: FastifyInstance, root: string = consoleDistDirectory): Promise<void> {
  server.get('/console', async (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(`${root}index.html`)) {
    server.get('/console/*', async (_request, reply) =>
      reply
        .status(503)
        .type('text/plain')
        .send('The ops console is not built yet: run `npm run build:web` (npm start does it for you).'),
    );
    return;
  }
  // The portal registered @fastify/static first and owns reply.sendFile; this instance only serves its folder.
  await server.register(fastifyStatic, {
    root,
    prefix: '/console/',
    index: ['index.html'],
    wildcard: true,
    decorateReply: false,
  });
}
