// The Result type of the model context: expected failures (no libxgboost, a malformed model) are data, not throws.

export const modelErrorCodes = [
  'xgboost_unavailable',
  'xgboost_failed',
  'invalid_training_data',
  'invalid_model',
  'unsupported_model',
  'report_write_failed',
] as const;
export type ModelErrorCode = (typeof modelErrorCodes)[number];

export interface ModelError {
  readonly code: ModelErrorCode;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ModelError };

export function success<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failure<T = never>(code: ModelErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
