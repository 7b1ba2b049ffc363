// The monitoring picture as server-sent events: the console's charts move without reloading or polling.
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { defineStaffRoute } from '../staff/staff.route.ts';
import type { MonitoringService } from './monitoring.service.ts';

/** Open streams end when the server shuts down, so a console left open never holds up a restart. */
export function makeMonitoringStreams() {
  const open = new Set<() => void>();
  return {
    add: (stop: () => void) => open.add(stop),
    remove: (stop: () => void) => open.delete(stop),
    closeAll() {
      for (const stop of [...open]) stop();
    },
  };
}

export function monitoringStreamRoute(dependencies: {
  monitoring: MonitoringService;
  streams: ReturnType<typeof makeMonitoringStreams>;
}) {
  const { monitoring, streams } = dependencies;
  return defineStaffRoute({
    method: 'GET',
    url: '/v1/ops/monitoring/stream',
    summary: 'The monitoring picture as server-sent events (`event: monitoring`, the same JSON as /v1/ops/monitoring)',
    tags: ['ops'],
    query: z.object({
      minutes: z.coerce.number().int().min(5).max(180).default(60),
      merchant_id: z.string().min(1).max(100).optional(),
      interval_seconds: z.coerce.number().int().min(1).max(60).default(5),
      /** The stream ends after this many events; EventSource reconnects by itself, which re-checks the session. */
      events: z.coerce.number().int().min(1).max(720).default(120),
    }),
    responses: {
      200: { description: 'An event stream; each event carries the monitoring JSON', contentType: 'text/event-stream' },
    },
    handler: async ({ request, query }) => {
      const stream = new PassThrough();
      let sent = 0;
      let timer: NodeJS.Timeout | null = null;
      let closed = false;
      const stop = () => {
        closed = true;
        streams.remove(stop);
        if (timer) clearTimeout(timer);
        stream.end();
      };
      streams.add(stop);
      request.raw.on('close', stop);
      const send = async () => {
        try {
          const view = await monitoring.snapshot({ minutes: query.minutes, merchantId: query.merchant_id ?? null });
          if (closed) return;
          stream.write(`event: monitoring\ndata: ${JSON.stringify(view)}\n\n`);
        } catch {
          // A failed read (the database busy or away) skips one event; the next one tries again.
          if (!closed) stream.write(`event: unavailable\ndata: {}\n\n`);
        }
        sent += 1;
        if (sent >= query.events) stop();
        else if (!closed) timer = setTimeout(() => void send(), query.interval_seconds * 1000);
      };
      void send();
      return {
        status: 200,
        body: stream,
        contentType: 'text/event-stream',
        headers: { 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
      };
    },
  });
}
