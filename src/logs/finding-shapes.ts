/**
 * Shapes shared by the external-finding readers: API responses recorded with their HTTP wrapper
 * (`{"status_code", "data"}` from boto3 recordings, `{"headers", "body"}` from REST recordings).
 */

import { asObject, str } from './record-fields.js';

/** The API response body inside a recorded-response wrapper, or the value itself. */
export function responseBody(value: Record<string, unknown>): Record<string, unknown> {
  if ('status_code' in value && asObject(value.data)) return asObject(value.data)!;
  if ('headers' in value && asObject(value.body)) return asObject(value.body)!;
  return value;
}

/**
 * A value that names something: a non-empty string that is not a missing value written out
 * ("null", or Falco's `<NA>`).
 */
export function named(value: unknown): string | undefined {
  const text = str(value)?.trim();
  if (!text || /^(null|undefined|<NA>)$/i.test(text)) return undefined;
  return text;
}

/**
 * A resource id that names a resource: `named`, and not a composite id whose own part is
 * missing (GuardDuty's `AWS::IAM::AccessKey:null` in Security Hub, for a finding on no key).
 */
export function namedId(value: unknown): string | undefined {
  const text = named(value);
  return text && !/:(null|undefined)$/i.test(text) ? text : undefined;
}
