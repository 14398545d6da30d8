/**
 * The JSON body parser: Fastify's own refuses a `__proto__` key and malformed JSON alike with
 * "Body is not valid JSON"; this one says which, and where the JSON breaks.
 */

import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpError } from './http-error.js';

/** Replaces the `application/json` parser of `app` (and the plugins registered after). */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new HttpError(400, 'EMPTY_JSON_BODY', 'the body is empty; send a JSON object'));
      return;
    }
    try {
      done(null, secureJson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const reason = (error as Error).message;
      const message = /forbidden prototype property/.test(reason)
        ? 'the body holds a "__proto__" or "constructor.prototype" key, which is refused; ' +
          'rename the key'
        : `the body is not valid JSON: ${reason}`;
      done(new HttpError(400, 'BAD_JSON', message));
    }
  });
}
