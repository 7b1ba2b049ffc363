// Loads one API resource for a page, reloadable after an action; a 401 sends the consumer back to sign-in.
import { useCallback, useEffect, useState } from 'react';
import { api, ApiFailure } from './api.ts';

export interface PageProps {
  readonly onUnauthorized: () => void;
}

export function useApi<T>(path: string, onUnauthorized: () => void) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await api<T>('GET', path));
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 401) onUnauthorized();
      else setError((failure as Error).message);
    }
  }, [path, onUnauthorized]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
