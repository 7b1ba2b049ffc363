// Maps any thrown error to the API's error body: ApiError and Fastify's own 4xx keep their status, the rest is a bare 500.
import { ApiError } from '../shared/errors.ts';
import { DatabaseUnavailableError } from '../storage/database.ts';

const fastifyCodes: Record<string, { status: ApiError['status']; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'unsupported Content-Type; send application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', message: 'request body too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'empty JSON body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_request', message: 'invalid Content-Length' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'body is not valid JSON' },
};

/** What a 503 asks the client to wait before retrying. */
export const retryAfterSeconds = 5;

export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof DatabaseUnavailableError) {
    return new ApiError(503, 'service_unavailable', 'the service is briefly unavailable; retry later', undefined, {
      retry_after_seconds: retryAfterSeconds,
    });
  }
  if (typeof error !== 'object' || error === null) return null;
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  const known = code ? fastifyCodes[code] : undefined;
  if (known) return new ApiError(known.status, known.code, known.message, 'body');
  if (error instanceof SyntaxError || (statusCode === 400 && /JSON/i.test(message ?? ''))) {
    return new ApiError(400, 'invalid_json', 'body is not valid JSON', 'body');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new ApiError(statusCode === 413 ? 413 : 400, 'invalid_request', 'the request could not be read', 'body');
  }
  return null;
}

export function errorReply(error: ApiError | null): { status: number; body: unknown } {
  if (!error) return { status: 500, body: { error: { code: 'internal_error', message: 'internal error' } } };
  return {
    status: error.status,
    body: {
      error: {
        code: error.code,
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
        ...(error.details ?? {}),
      },
    },
  };
}
