// Turns a zod failure into the API's 4xx error naming the first offending field.
import type { z } from 'zod';
import { ApiError } from '../shared/errors.ts';

export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  location: 'body' | 'query' | 'params',
): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : location;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${location}`;
  if (location === 'params') throw new ApiError(404, 'not_found', 'no such resource', field);
  throw new ApiError(400, 'invalid_request', message, field);
}
