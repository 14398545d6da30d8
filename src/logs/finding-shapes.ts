/**
 * Shapes shared by the external-finding readers: API responses recorded with their HTTP wrapper
 * (`{"status_code", "data"}` from boto3 recordings, `{"headers", "body"}` from REST recordings).
 */

import { asObject } from './record-fields.js';

/** The API response body inside a recorded-response wrapper, or the value itself. */
export function responseBody(value: Record<string, unknown>): Record<string, unknown> {
  if ('status_code' in value && asObject(value.data)) return asObject(value.data)!;
  if ('headers' in value && asObject(value.body)) return asObject(value.body)!;
  return value;
}
