/**
 * How request schemas are checked: a JSON body must already carry the types its schema names,
 * while the query string, path parameters and headers (text by nature) are converted to them.
 */

import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/** What every part shares; `allErrors` stays off, as a long error list is a cheap DoS. */
const COMMON: Options = {
  useDefaults: true,
  removeAdditional: true,
  allErrors: false,
  addUsedSchema: false,
};

/** Whether a schema, or any schema inside it, accepts `null`. */
function allowsNull(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const type = (schema as { type?: unknown }).type;
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  return Object.values(schema).some(allowsNull);
}

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...COMMON, ...options });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Fastify's validator compiler for this app. Fastify's default converts body values too, and Ajv
 * converts `0`, `false` and `""` to `null` wherever a schema allows null (`"0"` first to `0`,
 * then to `null`): a nullable field such as `expiresInDays` (null means "never expires") took a
 * refused 0 as null. Bodies are therefore checked without any conversion; only the text parts of
 * a request are converted, and a query, parameter or header schema that allows null is refused
 * when the route is registered, as `?x=` would read as null there.
 *
 * ```ts
 * app.setValidatorCompiler(requestValidatorCompiler());
 * ```
 */
export function requestValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = makeAjv({ coerceTypes: false });
  const text = makeAjv({ coerceTypes: 'array' });
  return ({ schema, method, url, httpPart }) => {
    if (httpPart === 'body') return body.compile(schema as object);
    if (allowsNull(schema)) {
      throw new Error(`${method} ${url}: the ${httpPart} schema must not allow null`);
    }
    return text.compile(schema as object);
  };
}
