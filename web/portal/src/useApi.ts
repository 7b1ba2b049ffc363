// Loads one API resource for a page, reloadable after an action; a 401 sends the consumer back to sign-in.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiFailure } from './api.ts';

export interface PageProps {
  readonly onUnauthorized: () => void;
}

interface ListPage {
  readonly data: unknown[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

const isListPage = (value: unknown): value is ListPage =>
  typeof value === 'object' && value !== null && Array.isArray((value as ListPage).data) && 'has_more' in value;

/** A list answers one page at a time: the portal shows everything, so it follows next_cursor until the last page. */
async function load<T>(path: string): Promise<T> {
  const first = await api<T>('GET', path);
  if (!isListPage(first)) return first;
  const data = [...first.data];
  let page: ListPage = first;
  while (page.has_more && page.next_cursor) {
    const separator = path.includes('?') ? '&' : '?';
    page = await api<ListPage>('GET', `${path}${separator}cursor=${encodeURIComponent(page.next_cursor)}`);
    data.push(...page.data);
  }
  return { ...first, data, next_cursor: null, has_more: false } as T;
}

export function useApi<T>(path: string, onUnauthorized: () => void) {
  const [data, setData] = useState<T | null>(null);
  // The failure itself, not its text: pages say it in the consumer's language (never the API's own words).
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setData(await load<T>(path));
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 401) onUnauthorized();
      else setError(failure);
    }
  }, [path, onUnauthorized]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
