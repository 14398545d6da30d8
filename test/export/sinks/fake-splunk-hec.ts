/**
 * A fake Splunk HTTP Event Collector, following Splunk's HEC REST reference: POST
 * /services/collector/event with `Authorization: Splunk <token>` and a body of JSON event
 * objects back to back, each with an `event` and optional time/host/source/sourcetype/index/
 * fields; `X-Splunk-Request-Channel` required when acknowledgement is on; POST
 * /services/collector/ack with `{"acks":[...]}`. Errors as HEC writes them (`{text, code}`).
 */

import { randomUUID } from 'node:crypto';
import { startFake, type FakeVendor, type Received } from './fake-vendor.js';

export interface FakeHec extends FakeVendor {
  events: Record<string, any>[];
  /** Acks answered `false` this many polls before turning true. */
  ackDelayPolls: number;
}

const ENVELOPE_KEYS = new Set(['time', 'host', 'source', 'sourcetype', 'index', 'fields', 'event']);

/** Splits back-to-back JSON objects, as HEC reads a batch. */
function splitEvents(body: string): unknown[] {
  const events: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}') {
      depth -= 1;
      if (depth === 0) events.push(JSON.parse(body.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) throw new Error(`stray "${c}" between events`);
  }
  if (depth !== 0) throw new Error('unterminated event');
  return events;
}

export async function startFakeHec(
  token: string,
  options: { ack?: boolean } = {},
): Promise<FakeHec> {
  const acks = new Map<number, number>();
  let nextAck = 0;
  const hec = (await startFake((req: Received, fake) => {
    const self = fake as FakeHec;
    if (req.method !== 'POST') {
      return { status: 405, body: { text: 'Method not allowed', code: 0 } };
    }
    const auth = req.headers.authorization;
    if (!auth) return { status: 401, body: { text: 'Token is required', code: 2 } };
    if (auth !== `Splunk ${token}`)
      return { status: 403, body: { text: 'Invalid token', code: 4 } };
    const channel = req.headers['x-splunk-request-channel'];
    if (options.ack && !channel) {
      return { status: 400, body: { text: 'Data channel is missing', code: 10 } };
    }
    if (req.path === '/services/collector/ack') {
      const ids = (JSON.parse(req.body) as { acks?: number[] }).acks;
      if (!Array.isArray(ids))
        return { status: 400, body: { text: 'Invalid data format', code: 6 } };
      const answer: Record<string, boolean> = {};
      for (const id of ids) {
        const polls = acks.get(id) ?? 0;
        answer[`${id}`] = polls >= self.ackDelayPolls && acks.has(id);
        acks.set(id, polls + 1);
      }
      return { status: 200, body: { acks: answer } };
    }
    if (req.path !== '/services/collector/event') {
      return {
        status: 404,
        body: { text: 'The requested URL was not found on this server.', code: 404 },
      };
    }
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) {
      fake.violation(`content-type ${req.headers['content-type']}`);
    }
    let events: unknown[];
    try {
      events = splitEvents(req.body);
    } catch {
      return {
        status: 400,
        body: { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 },
      };
    }
    if (events.length === 0) return { status: 400, body: { text: 'No data', code: 5 } };
    for (const [n, event] of events.entries()) {
      const e = event as Record<string, unknown>;
      if (e.event === undefined || e.event === '') {
        return {
          status: 400,
          body: { text: 'Event field is required', code: 12, 'invalid-event-number': n },
        };
      }
      for (const key of Object.keys(e)) {
        if (!ENVELOPE_KEYS.has(key)) fake.violation(`event ${n}: unknown envelope key ${key}`);
      }
      if (e.time !== undefined && typeof e.time !== 'number')
        fake.violation(`event ${n}: time not a number`);
      if (e.fields !== undefined) {
        for (const v of Object.values(e.fields as object)) {
          if (typeof v === 'object') fake.violation(`event ${n}: fields values must be flat`);
        }
      }
    }
    self.events.push(...(events as Record<string, any>[]));
    if (!options.ack) return { status: 200, body: { text: 'Success', code: 0 } };
    const ackId = nextAck++;
    acks.set(ackId, 0);
    return { status: 200, body: { text: 'Success', code: 0, ackId } };
  })) as FakeHec;
  hec.events = [];
  hec.ackDelayPolls = 0;
  return hec;
}

export const CHANNEL = randomUUID();
