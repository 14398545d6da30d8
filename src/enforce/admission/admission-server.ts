/**
 * The webhook's HTTPS endpoint (node:https, keep-alive): POST of an AdmissionReview on the
 * webhook path, GET /healthz for probes. Bodies are bounded and must be JSON; a malformed
 * review is answered 400 naming the field, which the API server treats per its failurePolicy.
 * With client authentication, every path but /healthz needs a trusted client certificate.
 */

import { createServer, type Server, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { TLS_POLICY } from '../../server/tls-policy.js';
import { AdmissionReviewError } from './admission-review.js';
import {
  callerRefusal,
  type CallerRefusal,
  type ClientAuthentication,
} from './client-authentication.js';

/** Largest review accepted: an object and its old version, each up to etcd's 1.5 MiB. */
export const MAX_REVIEW_BYTES = 4 * 1024 * 1024;

export interface AdmissionServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** Path the API server posts to (`/validate`). */
  path: string;
  /** Turns a parsed review into the answer (see `admissionWebhook`). */
  answer: (body: unknown) => Promise<unknown>;
  /** Set, only callers with a client certificate the CA signed are answered. */
  clientAuth?: ClientAuthentication;
  /** Reports a caller refused by client authentication (its address and why). */
  onRefused?: (refusal: CallerRefusal, remoteAddress: string | undefined) => void;
  /** Reports failures that are the server's own (500s). */
  onError?: (error: Error) => void;
  maxBodyBytes?: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function problem(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { statusCode: status, code, message });
}

/** The request body, or undefined after answering 413 when it is over `limit`. */
async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    problem(res, 413, 'TOO_LARGE', `review is larger than ${limit} bytes`);
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      problem(res, 413, 'TOO_LARGE', `review is larger than ${limit} bytes`);
      req.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function handle(
  options: AdmissionServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
    return send(res, 200, { status: 'ok' });
  }
  // Probes (the kubelet sends no client certificate) reach /healthz; nothing else does without
  // one, and a refused caller's body is never read.
  const refusal = options.clientAuth && callerRefusal(req.socket as TLSSocket, options.clientAuth);
  if (refusal) {
    options.onRefused?.(refusal, req.socket.remoteAddress);
    res.setHeader('connection', 'close');
    return problem(res, refusal.status, refusal.code, refusal.message);
  }
  if (path !== options.path) return problem(res, 404, 'NOT_FOUND', `no route ${path}`);
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return problem(res, 405, 'METHOD_NOT_ALLOWED', 'post an AdmissionReview');
  }
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) {
    return problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the review as application/json');
  }

  const body = await readBody(req, res, options.maxBodyBytes ?? MAX_REVIEW_BYTES);
  if (!body) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return problem(res, 400, 'BAD_JSON', `body is not JSON: ${(error as Error).message}`);
  }
  try {
    send(res, 200, await options.answer(parsed));
  } catch (error) {
    if (error instanceof AdmissionReviewError) {
      return problem(res, 400, 'BAD_REVIEW', error.message);
    }
    throw error;
  }
}

/**
 * An HTTPS server answering admission reviews; call `listen` on it.
 *
 * ```ts
 * const server = createAdmissionServer({ cert, key, path: '/validate', answer });
 * server.listen(8443, '0.0.0.0');
 * ```
 */
export function createAdmissionServer(options: AdmissionServerOptions): Server {
  const tls: ServerOptions = { cert: options.cert, key: options.key, ...TLS_POLICY };
  if (options.clientAuth) {
    // The certificate is asked for and verified against the CA during the handshake, but an
    // untrusted or missing one is refused per request rather than by failing the handshake, so
    // that probes can still reach /healthz and a refused caller is told why.
    Object.assign(tls, { requestCert: true, rejectUnauthorized: false, ca: options.clientAuth.ca });
  }
  const server = createServer(tls, (req, res) => {
    handle(options, req, res).catch((error: Error) => {
      options.onError?.(error);
      if (!res.headersSent) problem(res, 500, 'INTERNAL', 'the webhook failed; see its log');
      else res.destroy();
    });
  });
  // The API server keeps connections open between reviews; a stalled client is cut off.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
