// The console's only way to the server: the /v1/ops API, authenticated by the HttpOnly staff cookie.
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method === 'POST') headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const text = await response.text();
  const data = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiFailure(
      response.status,
      error?.code ?? 'error',
      error?.message ?? `request failed (${response.status})`,
    );
  }
  return data as T;
}

export interface Staff {
  id: string;
  name: string;
  role: 'analyst' | 'lead' | 'admin';
}

export interface Money {
  value: number;
  currency: string;
}

export interface ReviewItem {
  id: string;
  session_id: string;
  merchant: { id: string; name: string };
  amount: Money;
  score: number | null;
  status: 'pending' | 'approved' | 'declined';
  due_at: string;
  seconds_remaining: number | null;
  resolution: { outcome: string; by: string | null; order_id: string | null } | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export const money = (amount: Money) =>
  new Intl.NumberFormat('en-NL', { style: 'currency', currency: amount.currency }).format(amount.value / 100);
