// What the logs may keep: no personal data (e-mail, phone, SQL parameters) and no capability tokens from URLs.
import type { LoggerOptions } from 'pino';

const emailPattern = /[^\s"'<>(),;:@]+@[^\s"'<>(),;:@]+\.[a-z]{2,}/gi;
/** Phone numbers as typed: + or 0 and at least 8 more digits, with spaces, dots or dashes between. */
const phonePattern = /(?<![\w.])(?:\+|00|0)\d(?:[\s.-]?\d){7,14}(?![\w])/g;
/** Bearer tokens and keys with our prefixes, and signed tokens (id.signature). */
const tokenPattern = /\b(?:rg_live|rgt|rgc|whsec|rgs)_[A-Za-z0-9_-]{8,}|\b[a-z]{2,5}_[0-9a-z]+\.[A-Za-z0-9_-]{16,}/g;

export function scrubText(text: string): string {
  return text.replace(tokenPattern, '[token]').replace(emailPattern, '[email]').replace(phonePattern, '[phone]');
}

/** A path segment that is a capability (a signed link token, a long random id) is replaced; the query is dropped. */
export function scrubUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path
    .split('/')
    .map((segment) =>
      /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{16,}$/.test(segment) || /^[A-Za-z0-9_-]{40,}$/.test(segment)
        ? ':token'
        : scrubText(segment),
    )
    .join('/');
}

/** Database errors carry the statement, its parameters and values in message and detail: keep only what is safe. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (typeof error !== 'object' || error === null) return { message: scrubText(String(error)) };
  // Already serialized (the logMethod hook ran first): keep it as it is.
  if (!(error instanceof Error) && 'type' in error) return error as Record<string, unknown>;
  const { name, code, severity, routine, table, column, constraint, message, stack } = error as Record<string, unknown>;
  const isDatabaseError = typeof severity === 'string' || typeof routine === 'string';
  return {
    type: typeof name === 'string' ? name : 'Error',
    ...(typeof code === 'string' ? { code } : {}),
    ...(isDatabaseError ? { severity, routine, table, column, constraint } : {}),
    // A database message quotes the offending value ("invalid input syntax ...: \"anna@example.nl\"").
    message: isDatabaseError ? '(database error; values withheld)' : scrubText(String(message ?? '')),
    ...(typeof stack === 'string' ? { stack: stack.split('\n').slice(1).join('\n') } : {}),
  };
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 4 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return serializeError(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  // Requests, replies and other class instances go to their serializers untouched.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, depth + 1)]));
}

/** The pino options every server logger gets. */
export const redactingLoggerOptions: Pick<LoggerOptions, 'redact' | 'serializers' | 'hooks'> = {
  redact: {
    paths: [
      'req.headers.authorization',
      'req.headers.cookie',
      'err.params',
      'err.query',
      'err.detail',
      'err.where',
      '*.email',
      '*.phone',
      '*.token',
      'email',
      'phone',
      'token',
    ],
    censor: '[redacted]',
  },
  serializers: {
    // Requests are logged by method and path only: bodies, queries and headers may carry personal data or keys.
    req: (request: { method: string; url: string }) => ({ method: request.method, url: scrubUrl(request.url) }),
    err: serializeError,
  },
  hooks: {
    // The last net: whatever a caller logs, e-mail addresses, phone numbers and tokens are masked.
    logMethod(args, method) {
      method.apply(this, args.map((argument) => scrubValue(argument, 0)) as Parameters<typeof method>);
    },
  },
};
