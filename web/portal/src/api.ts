// The portal's only way to the server: the public /v1/me API with the consumer's token (Bearer) and cookie.
const tokenKey = 'rearguard.consumer';

export const session = {
  token: () => sessionStorage.getItem(tokenKey),
  save: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // A fresh key per user action: a double click or a flaky network never files two reports.
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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

export interface Money {
  value: number;
  currency: string;
}

export interface Invoice {
  id: string;
  order_id: string;
  status: 'open' | 'paid' | 'paused' | 'written_off' | 'unpaid' | 'refunded';
  amount: Money;
  fees: Money;
  paid: Money;
  outstanding: Money;
  refund: Money;
  due_at: string;
}

export interface PaymentInstructions {
  amount: Money;
  due_at: string;
  iban: string | null;
  account_holder: string;
  reference: string;
  pay_url: string | null;
  epc_qr: string | null;
}

export interface PayableInvoice extends Invoice {
  merchant: string | null;
  payment: PaymentInstructions | null;
}

export interface Claim {
  kind: string;
  status: 'open' | 'upheld' | 'rejected';
  created_at: string;
  resolved_at: string | null;
}

export interface Purchase {
  id: string;
  merchant: string | null;
  merchant_reference: string | null;
  amount: Money;
  status: string;
  placed_at: string;
  items: string[];
  delivery_address: string | null;
  delivery: {
    state: 'ordered' | 'shipped' | 'delivered' | 'returned';
    updated_at: string | null;
    shipments: Array<{ carrier: string; tracking_number: string; status: string }>;
  };
  decision_id: string | null;
  invoice: Invoice | null;
  claims: Claim[];
}

export interface Decision {
  id: string;
  outcome: string;
  summary: string;
  merchant: string | null;
  amount: Money;
  decided_at: string;
  reasons: Array<{ code: string; text: string; what_would_change: string | null }>;
  reviewable: boolean;
  review: {
    status: 'open' | 'resolved';
    message: string | null;
    requested_at: string;
    answer_due_at: string | null;
    answered_at: string | null;
    answer: 'decision_changed' | 'decision_stands' | null;
  } | null;
}

export interface Device {
  id: string;
  user_agent: string | null;
  /** "iPhone, Safari": named by the server from the user agent. */
  name: string | null;
  last_ip: string | null;
  first_seen: string;
  last_seen: string;
  uses: number;
}

export interface Address {
  key: string;
  text: string;
  uses: string[];
  times: number;
  last_used: string;
}

export interface Profile {
  id: string;
  name: string | null;
  always_verify: boolean;
  channels: Array<{
    id: string;
    kind: 'email' | 'phone';
    masked: string;
    verified: boolean;
    verified_at: string | null;
  }>;
}
