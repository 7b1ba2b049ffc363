// Keeps the exact bytes of carriers' event deliveries: their signature is over the raw body, not over parsed JSON.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../shared/errors.ts';

const rawBodies = new WeakMap<FastifyRequest, string>();

/** Carrier events are small; anything larger is refused before it is read whole. */
export const carrierBodyLimitBytes = 64 * 1024;

export const rawBodyOf = (request: FastifyRequest): string | undefined => rawBodies.get(request);

/** Registers a hook that tees the body of requests under `pathPrefix`; the JSON parser still sees the same bytes. */
export function captureRawBodies(server: FastifyInstance, pathPrefix: string): void {
  server.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method !== 'POST' || !request.url.startsWith(pathPrefix)) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buffer.length;
      if (size > carrierBodyLimitBytes) throw new ApiError(413, 'body_too_large', 'request body too large', 'body');
      chunks.push(buffer);
    }
    const raw = Buffer.concat(chunks);
    rawBodies.set(request, raw.toString('utf8'));
    return Readable.from([raw]);
  });
}
