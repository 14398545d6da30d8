/**
 * How request schemas are checked: a JSON body must already carry the types its schema names,
 * while the query string, path parameters and headers (text by nature) are converted to them; an
 * API query string holds only the parameters its route names.
 */

import { Type } from '@sinclair/typebox';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';

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
  // A closed query string must refuse an unknown parameter, not drop it (`removeAdditional`), and
  // its error must carry the schema (`verbose`) so the message can list the known ones.
  const text = makeAjv({ coerceTypes: 'array', removeAdditional: false, verbose: true });
  return ({ schema, method, url, httpPart }) => {
    if (httpPart === 'body') return body.compile(schema as object);
    if (allowsNull(schema)) {
      throw new Error(`${method} ${url}: the ${httpPart} schema must not allow null`);
    }
    return text.compile(schema as object);
  };
}

/**
 * Closes the query string of every API route: a parameter its schema does not name, such as a
 * misspelt filter (`?stauts=fail`), is refused with 400 naming it and the parameters the route
 * takes, as a filter silently ignored returns everything. A route without a query schema takes
 * no parameters. Install before any route is registered.
 *
 * ```ts
 * closeQueryStrings(app);
 * await app.register(alertRoutes, { prefix: '/api/v1' });
 * ```
 */
export function closeQueryStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = (route.schema ??= {}) as { querystring?: Record<string, unknown> };
    const query = schema.querystring ?? Type.Object({});
    if (query.additionalProperties !== undefined) return;
    schema.querystring = { ...query, additionalProperties: false };
  });
}
