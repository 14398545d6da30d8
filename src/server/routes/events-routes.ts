/**
 * `POST /api/v1/events`: raw log records as NDJSON (optionally gzip), read by the named reader
 * (`?type=`) or the one that recognises them, and fed to continuous detection. A caller limited
 * to some accounts feeds only events of those accounts.
 */

import { promisify } from 'node:util';
import { gunzip as gunzipCallback, constants as zlibConstants } from 'node:zlib';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { LogEvent } from '../../model/event.js';
import { auditRequest } from '../audited-change.js';
import { scopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DECODED_BYTES } from '../ingest/ingest-plugin.js';
import { ingestRecords, READER_KINDS } from '../ingest/record-intake.js';
import { checkTimeZone } from '../../logs/time-zone.js';

const gunzip = promisify(gunzipCallback);

const Accepted = Type.Object({
  reader: Type.Union([Type.String(), Type.Null()], { description: 'reader that read the body' }),
  events: Type.Integer({ description: 'events handed to detection' }),
  errors: Type.Integer({ description: 'records that could not be read' }),
  errorSamples: Type.Array(Type.String(), { description: 'the first errors, as place: reason' }),
  outOfScope: Type.Integer({
    description:
      'events dropped because their account (or lack of one) lies outside the caller’s scopes',
  }),
  repeats: Type.Integer({
    description:
      'records received before (a retry of a request, a record sent twice) and not counted ' +
      'again: known by their own id (CloudTrail eventID, ...) or else by their content and ' +
      'occurrence in the request',
  }),
  stored: Type.Boolean({
    description:
      'true when the alerts these events formed were written before this answer (`?wait=true`); ' +
      'false when they are written with the next flush',
  }),
});

const Query = Type.Object({
  // A plain string checked in the handler: a union of literals would answer one "must be equal
  // to constant" per reader instead of one error listing them.
  type: Type.Optional(
    Type.String({
      maxLength: 64,
      description: `log reader (${READER_KINDS.join(', ')}); sniffed from the first records when absent`,
    }),
  ),
  timeZone: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        'IANA zone (e.g. Europe/Berlin) of syslog times that carry none (RFC 3164 lines, as ' +
        'auth.log writes them); UTC when absent',
    }),
  ),
  wait: Type.Optional(
    Type.Boolean({
      description:
        'answer once the alerts these events formed are written to the store (503 when that ' +
        'write fails: send again), so nothing answered for is lost in a crash',
    }),
  ),
});

function isGzip(body: Buffer, encoding: string | undefined): boolean {
  if (encoding !== undefined && /^\s*(x-)?gzip\s*$/i.test(encoding)) return true;
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}

/** The decoded body, and whether its gzip data was cut short (then it holds what came before). */
interface Decoded {
  text: Buffer;
  truncated: boolean;
}

/** The body as text bytes: gunzipped (bounded) when it says or looks so. */
async function decode(body: Buffer, encoding: string | undefined, max: number): Promise<Decoded> {
  if (encoding !== undefined && !/^\s*((x-)?gzip|identity)\s*$/i.test(encoding)) {
    throw new HttpError(415, 'UNSUPPORTED_ENCODING', 'Content-Encoding must be gzip or identity');
  }
  if (!isGzip(body, encoding)) return { text: body, truncated: false };
  try {
    return { text: await gunzip(body, { maxOutputLength: max }), truncated: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, 'TOO_LARGE', `the decompressed body is over ${max} bytes`);
    }
    // Cut short (a sender stopped mid-body): the records before the cut are read, not lost.
    if (code === 'Z_BUF_ERROR') return { text: await beforeCut(body, max), truncated: true };
    throw new HttpError(400, 'BAD_GZIP', 'the body is not valid gzip');
  }
}

/** What gzip data cut short holds, up to its last complete line. */
async function beforeCut(body: Buffer, max: number): Promise<Buffer> {
  let text: Buffer;
  try {
    text = await gunzip(body, { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, 'TOO_LARGE', `the decompressed body is over ${max} bytes`);
    }
    throw new HttpError(400, 'BAD_GZIP', 'the body is not valid gzip');
  }
  return text.subarray(0, text.lastIndexOf(0x0a) + 1);
}

/** The zone a request names, checked (400 naming the parameter when unknown). */
function zoneOf(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  try {
    return checkTimeZone(name);
  } catch (error) {
    throw new HttpError(400, 'BAD_TIME_ZONE', `querystring/timeZone: ${(error as Error).message}`);
  }
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const runtime = app.ingest;
  const bodyLimit = runtime.config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDecoded = runtime.config.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;

  // Any content type is taken as raw bytes here (NDJSON, JSON, text, gzip); this plugin only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/events',
    {
      bodyLimit,
      config: { permission: 'events:write' },
      schema: {
        summary: 'Send log records to continuous detection',
        description:
          'NDJSON, one raw record a line: a CloudTrail record, a GCP LogEntry, any record a ' +
          'Palisade log reader reads, or a syslog line as a JSON string or `{ "message": ... }` ' +
          '(plain-text syslog lines are read too). A record received before (a retry) is ' +
          'counted in `repeats`, not again by detection. `Content-Encoding: gzip` or a gzip ' +
          `body is decompressed. Limits: ${bodyLimit} bytes sent, ${maxDecoded} bytes ` +
          'decompressed.',
        tags: ['detection'],
        querystring: Query,
        response: { 202: Accepted },
      },
    },
    async (request, reply) => {
      const { type, wait } = request.query;
      if (type !== undefined && !(READER_KINDS as readonly string[]).includes(type)) {
        throw new HttpError(
          400,
          'BAD_TYPE',
          `querystring/type must be one of ${READER_KINDS.join(', ')} (or absent to sniff)`,
        );
      }
      const timeZone = zoneOf(request.query.timeZone);
      const raw = request.body;
      const body = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
      const encoding = request.headers['content-encoding'];
      const { text, truncated } = await decode(body, encoding, maxDecoded);
      // The same rule as reading: a scoped caller reaches only events of its accounts, and
      // events without an account (syslog, host logs) only an unscoped caller may send.
      const scope = scopeFilter(request);
      const report = await ingestRecords(runtime.service, text, {
        type: type as (typeof READER_KINDS)[number] | undefined,
        file: `http:${request.id}`,
        intake: 'http',
        delivery: true,
        timeZone,
        accepts: scope.unrestricted ? undefined : (event: LogEvent) => scope.allows(event.account),
      });
      // The records before the cut were read and kept (counted in `events`, or in `repeats` when
      // received before); the cut is one error, so the sender knows to send the rest. Sending
      // the whole body again counts only the rest: the records before the cut are repeats then.
      if (truncated) {
        report.errors += 1;
        const read = report.events + report.repeats;
        const before =
          read === 0
            ? 'no event came before the cut'
            : read === 1
              ? 'the event before the cut was read'
              : `the ${read} events before the cut were read`;
        report.errorSamples.push(
          `http:${request.id}: the gzip body is cut short (unexpected end of file): ${before}, ` +
            'the rest is missing',
        );
      }
      const refused = report.outOfScope > 0 && report.events === 0 && report.repeats === 0;
      await auditRequest(request, {
        action: 'events.ingest',
        outcome: refused ? 'denied' : 'success',
        details: {
          reader: report.reader,
          events: report.events,
          errors: report.errors,
          outOfScope: report.outOfScope,
          repeats: report.repeats,
        },
      });
      if (refused) {
        throw new HttpError(
          403,
          'OUT_OF_SCOPE',
          `${report.outOfScope === 1 ? 'the event lies' : `all ${report.outOfScope} events lie`} outside your scopes (${scope.accounts.join(', ')}); ` +
            'send events of your own accounts, or events without an account with an unscoped token',
        );
      }
      // Open correlation windows stay in memory either way; the alerts formed so far are written.
      if (wait && !(await runtime.service.checkpoint())) {
        throw new HttpError(
          503,
          'NOT_STORED',
          'the events were read but their alerts could not be written to the store; send them again',
        );
      }
      return reply.code(202).send({ ...report, stored: wait === true });
    },
  );
};
