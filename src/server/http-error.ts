/**
 * Errors a route throws to answer with a status and a stable code, e.g. 409 `USERNAME_TAKEN`, and
 * the wording of schema validation failures.
 */

import type { FastifyServerOptions, FastifySchemaValidationError } from 'fastify';

/** Which part of the request failed validation: `body`, `querystring`, `params`, `headers`. */
type SchemaErrorDataVar = Parameters<NonNullable<FastifyServerOptions['schemaErrorFormatter']>>[1];

/** An error Fastify turns into `{ statusCode, code, error, message }`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 401: no valid credentials. */
export const unauthorized = (message = 'authentication required') =>
  new HttpError(401, 'UNAUTHENTICATED', message);

/** 403: authenticated, but not allowed. */
export const forbidden = (message: string) => new HttpError(403, 'FORBIDDEN', message);

/**
 * Runs `parse`, answering 400 `code` with the message of an error of the class given (a
 * settings parser's own, naming the field); any other error goes on as it is.
 *
 * ```ts
 * const settings = badRequestOn(ExportConfigError, 'BAD_EXPORT', () => parseExportInput(body));
 * ```
 */
export function badRequestOn<T>(
  kind: abstract new (...args: never[]) => Error,
  code: string,
  parse: () => T,
): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof kind) throw new HttpError(400, code, error.message);
    throw error;
  }
}

/** Keywords whose failures each name one allowed value (`const`) or all of them (`enum`). */
function allowedValues(error: FastifySchemaValidationError): unknown[] | undefined {
  if (error.keyword === 'const') return [error.params.allowedValue];
  if (error.keyword === 'enum') return error.params.allowedValues as unknown[];
  return undefined;
}

/**
 * What one field failed, as one phrase: the failed branches of a union joined by "or" (`must be
 * >= 1 or null`), without Ajv's closing "must match a schema in anyOf".
 */
function alternatives(fieldErrors: FastifySchemaValidationError[]): string {
  if (fieldErrors.some((e) => e.keyword === 'required')) return 'is required';
  const branches = fieldErrors.filter((e) => e.keyword !== 'anyOf');
  const messages = [
    ...new Set((branches.length > 0 ? branches : fieldErrors).map((e) => e.message ?? '')),
  ].filter((m) => m !== '');
  if (messages.length === 0) return 'is not valid';
  if (messages.every((m) => m.startsWith('must be '))) {
    return `must be ${messages.map((m) => m.slice('must be '.length)).join(' or ')}`;
  }
  return messages.join(' or ');
}

/**
 * A field the schema does not name, with the names it does (its error carries the schema when
 * the validator is verbose), e.g. `querystring/stauts is not a known parameter; known: limit,
 * status`.
 */
function unknownField(field: string, error: FastifySchemaValidationError): string {
  const name = `${field}/${String(error.params.additionalProperty)}`;
  const parent = (error as { parentSchema?: { properties?: object } }).parentSchema;
  if (parent === undefined) return `${name} is not a known field`;
  const known = Object.keys(parent.properties ?? {});
  const what = field === 'querystring' ? 'parameter' : 'field';
  if (known.length === 0) return `${name} is not a known ${what}; this route takes none`;
  return `${name} is not a known ${what}; known: ${known.join(', ')}`;
}

/**
 * Fastify's `schemaErrorFormatter`: one sentence per field. A field with a fixed set of values
 * (a union of literals, which Ajv reports as one `const` failure per value plus an `anyOf`) gets
 * one message listing them, e.g. `body/status must be one of active, in_progress, resolved,
 * dismissed`; any other failure keeps Ajv's wording, e.g. `body/limit must be <= 500`, its
 * alternatives joined, e.g. `body/expiresInDays must be >= 1 or null`.
 *
 * ```ts
 * Fastify({ schemaErrorFormatter: formatSchemaErrors });
 * ```
 */
export function formatSchemaErrors(
  errors: FastifySchemaValidationError[],
  dataVar: SchemaErrorDataVar,
): Error {
  const byField = new Map<string, FastifySchemaValidationError[]>();
  for (const error of errors) {
    // A missing property is named as the field itself: `body/expires is required`.
    const missing = error.keyword === 'required' ? `/${String(error.params.missingProperty)}` : '';
    const field = `${dataVar}${error.instancePath ?? ''}${missing}`;
    byField.set(field, [...(byField.get(field) ?? []), error]);
  }

  const sentences: string[] = [];
  for (const [field, fieldErrors] of byField) {
    const unknown = fieldErrors.find((e) => e.keyword === 'additionalProperties');
    if (unknown) {
      sentences.push(unknownField(field, unknown));
      continue;
    }
    const listed = fieldErrors.filter((e) => e.keyword !== 'anyOf').map(allowedValues);
    if (listed.length > 0 && listed.every((values) => values !== undefined)) {
      const values = [...new Set(listed.flat().map(String))];
      sentences.push(`${field} must be one of ${values.join(', ')}`);
      continue;
    }
    const sentence = `${field} ${alternatives(fieldErrors)}`;
    if (!sentences.includes(sentence)) sentences.push(sentence);
  }
  return new Error(sentences.join(', '));
}
