/**
 * A local HTTP server standing in for a SaaS API in sink tests. Each fake gives a handler that
 * checks the request against the vendor's published API and answers as the vendor does; every
 * request and every violation is recorded so a test can assert none happened.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What a handler answers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: Received, fake: FakeVendor) => Answer | Promise<Answer>;

/** A started fake. `violations` lists every way a request broke the vendor's API. */
export interface FakeVendor {
  url: string;
  requests: Received[];
  violations: string[];
  /** Answers queued ahead of the handler (to simulate 429, 5xx, 401). */
  queue: Answer[];
  violation(message: string): void;
  close(): Promise<void>;
}

/** Starts a fake on 127.0.0.1 with `handler`. */
export async function startFake(handler: Handler): Promise<FakeVendor> {
  const fake: FakeVendor = {
    url: '',
    requests: [],
    violations: [],
    queue: [],
    violation(message) {
      fake.violations.push(message);
    },
    close: async () => undefined,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const received: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      fake.requests.push(received);
      const queued = fake.queue.shift();
      Promise.resolve(queued ?? handler(received, fake)).then(
        (answer) => reply(res, answer),
        (error: Error) => reply(res, { status: 500, body: { error: error.message } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function reply(res: ServerResponse, answer: Answer): void {
  const text =
    answer.body === undefined
      ? ''
      : typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body);
  const type = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(answer.status, { 'content-type': type, ...answer.headers });
  res.end(text);
}

/** Parses JSON or records a violation. */
export function jsonBody(request: Received, fake: FakeVendor): any {
  try {
    return JSON.parse(request.body);
  } catch {
    fake.violation(`${request.method} ${request.path}: body is not JSON`);
    return undefined;
  }
}

/** Records a violation unless the content type is JSON. */
export function expectJsonContent(request: Received, fake: FakeVendor): void {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/.test(type)) {
    fake.violation(
      `${request.method} ${request.path}: content-type is "${type}", not application/json`,
    );
  }
}
