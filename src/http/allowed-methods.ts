// Knows which methods each registered path answers, so a wrong method gets 405 with `Allow` instead of 404.

export interface AllowedMethods {
  add(method: string | readonly string[], url: string): void;
  /** The methods some route answers on this concrete path (empty when no route has the path at all). */
  for(path: string): string[];
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/v1/sessions/:id/authorize` and `/portal/*` as a regular expression over a concrete path. */
export function routePattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return escapeLiteral(segment);
  });
  return new RegExp(`^${segments.join('/')}/?$`);
}

export function makeAllowedMethods(): AllowedMethods {
  const byUrl = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  return {
    add(method, url) {
      let entry = byUrl.get(url);
      if (!entry) {
        entry = { pattern: routePattern(url), methods: new Set() };
        byUrl.set(url, entry);
      }
      for (const name of typeof method === 'string' ? [method] : method) entry.methods.add(name.toUpperCase());
    },
    for(path) {
      const methods = new Set<string>();
      for (const { pattern, methods: answered } of byUrl.values()) {
        if (pattern.test(path)) for (const name of answered) methods.add(name);
      }
      return [...methods].sort();
    },
  };
}
