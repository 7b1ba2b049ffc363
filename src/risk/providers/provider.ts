// Third-party data behind one port: each provider gets a deadline, a cache and an honest "unavailable" fallback.

/** The outcome of one lookup as the engine sees it; an outage is an expected outcome, not an exception. */
export type ProviderOutcome<Signals> =
  | { readonly kind: 'ok'; readonly signals: Signals; readonly cached: boolean }
  | {
      readonly kind: 'unavailable';
      readonly provider: string;
      readonly cause: 'timeout' | 'error';
      readonly detail: string;
    };

/** One data source for one kind of data (phone, e-mail, address, IP). Offline ones may answer synchronously. */
export interface Provider<Query, Signals> {
  readonly name: string;
  cacheKey(query: Query): string;
  lookup(query: Query, signal: AbortSignal): Signals | Promise<Signals>;
}

export interface GuardedProvider<Query, Signals> {
  readonly name: string;
  /** `at` is the decision time, used for cache expiry so the guard reads no clock either. */
  lookup(query: Query, at: number): Promise<ProviderOutcome<Signals>>;
}

export interface GuardOptions {
  readonly deadlineMs: number;
  readonly cacheEntries: number;
  readonly cacheTtlMs: number;
}

export const defaultGuardOptions: GuardOptions = { deadlineMs: 150, cacheEntries: 50_000, cacheTtlMs: 24 * 3_600_000 };

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export function makeGuardedProvider<Query, Signals>(
  provider: Provider<Query, Signals>,
  options: Partial<GuardOptions> = {},
): GuardedProvider<Query, Signals> {
  const { deadlineMs, cacheEntries, cacheTtlMs } = { ...defaultGuardOptions, ...options };
  // A Map keeps insertion order, which is enough for a least-recently-used cache: re-insert on hit, evict the first.
  const cache = new Map<string, { readonly signals: Signals; readonly storedAt: number }>();

  function remember(key: string, signals: Signals, at: number): void {
    cache.delete(key);
    cache.set(key, { signals, storedAt: at });
    if (cache.size > cacheEntries) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  }

  const unavailable = (cause: 'timeout' | 'error', detail: string): ProviderOutcome<Signals> => ({
    kind: 'unavailable',
    provider: provider.name,
    cause,
    detail,
  });

  return {
    name: provider.name,
    async lookup(query, at) {
      const key = provider.cacheKey(query);
      const hit = cache.get(key);
      if (hit !== undefined && at - hit.storedAt < cacheTtlMs) {
        cache.delete(key);
        cache.set(key, hit);
        return { kind: 'ok', signals: hit.signals, cached: true };
      }
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        const pending = provider.lookup(query, controller.signal);
        if (!isPromise(pending)) {
          remember(key, pending, at);
          return { kind: 'ok', signals: pending, cached: false };
        }
        const deadline = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), deadlineMs);
        });
        const settled = await Promise.race([pending, deadline]);
        if (settled === 'timeout') {
          controller.abort();
          pending.catch(() => undefined);
          return unavailable('timeout', `no answer within ${deadlineMs} ms`);
        }
        remember(key, settled, at);
        return { kind: 'ok', signals: settled, cached: false };
      } catch (error) {
        return unavailable('error', error instanceof Error ? error.message : String(error));
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
  };
}
