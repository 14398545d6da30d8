/**
 * How request schemas are checked: a JSON body must already carry the types its schema names,
 * while the query string, path parameters and headers (text by nature) are converted to them; an
 * API query string and JSON body hold only the parameters and fields their route names.
 */

import { Type } from '@sinclair/typebox';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { HttpError } from './http-error.js';

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
  // A closed query string or body must refuse an unknown name, not drop it (`removeAdditional`),
  // and its error must carry the schema (`verbose`) so the message can list the known ones.
  const body = makeAjv({ coerceTypes: false, removeAdditional: false, verbose: true });
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

/**
 * A copy of `schema` in which every object that declares its properties, and says nothing of
 * others, refuses others. An explicit `additionalProperties` is kept: a body part that a parser
 * of its own checks field by field (an export's sink, an assignment) says `true`.
 */
function closedObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closedObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = closedObjects(value);
  // TypeBox marks its schemas with symbol keys, which `Object.entries` leaves out.
  for (const key of Object.getOwnPropertySymbols(schema)) {
    (copy as Record<symbol, unknown>)[key] = (schema as Record<symbol, unknown>)[key];
  }
  if (copy.type === 'object' && 'properties' in copy && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

/** Whether a body parsed from JSON carries anything: `{}` and no body at all carry nothing. */
function carriesFields(body: unknown): boolean {
  if (body === undefined || body === null || Buffer.isBuffer(body)) return false;
  return typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0;
}

/**
 * Closes the JSON body of every API route: a field its schema does not name, such as a misspelt
 * setting (`intervalMinuts`), is refused with 400 naming it and the fields the route takes, as a
 * setting silently dropped leaves its default in place. Nested objects are closed alike. A route
 * without a body schema takes none: a JSON body that carries fields is refused. A route that
 * reads its body as bytes (`POST /events`, whose log records are free-form) is left alone.
 * Install before any route is registered.
 *
 * ```ts
 * closeRequestBodies(app);
 * await app.register(sourceRoutes, { prefix: '/api/v1' });
 * ```
 */
export function closeRequestBodies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const schema = route.schema as { body?: unknown } | undefined;
    if (schema?.body !== undefined) schema.body = closedObjects(schema.body);
  });

  app.addHook('preValidation', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if ((request.routeOptions.schema as { body?: unknown } | undefined)?.body !== undefined) return;
    const body: unknown = request.body;
    if (!carriesFields(body)) return;
    const first = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body!)[0] : null;
    const message =
      first === null
        ? 'body must be empty or {}; this route takes none'
        : `body/${first} is not a known field; this route takes none`;
    throw new HttpError(400, 'FST_ERR_VALIDATION', message);
  });
}
