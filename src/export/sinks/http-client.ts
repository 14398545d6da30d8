/**
 * The one way sinks talk HTTP: every request goes through the SSRF-guarded dispatcher, has a
 * timeout, and turns the answer into success or a `SinkError` (401/403 and other 4xx are final,
 * 408, 429 and 5xx are retried, honouring Retry-After; network failures are retried). The
 * exporter schedules the retry: the Retry-After read here is carried on the `SinkError`.
 */

import { request, type Dispatcher } from 'undici';
import { SinkError } from '../../model/export-record.js';
import { MAX_RETRY_AFTER_MS } from '../outbox/backoff.js';
import { AddressGuard, createGuardedDispatcher, SsrfError } from '../ssrf-guard.js';

/** One HTTP call a sink makes. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** Objects are sent as JSON (`content-type: application/json`); strings as they are. */
  body?: unknown;
  signal?: AbortSignal;
}

/** A successful answer. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Longest answer body a sink reads; vendors answer in a few KiB. */
const MAX_BODY = 1024 * 1024;

/** Retry-After in milliseconds (seconds or an HTTP date), capped at `MAX_RETRY_AFTER_MS`. */
export function retryAfterMs(
  header: string | string[] | undefined,
  now = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** Headers whose values are credentials (besides `authorization`). */
const SECRET_HEADER = /token|key|secret|password|auth/i;

/**
 * The credential values a request carries, in every form an answer could echo them: a header's
 * whole value, the part after its scheme (`Splunk <token>`, `Bearer <token>`), and for Basic the
 * decoded `user:password` and the password alone.
 */
export function requestSecrets(headers: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'authorization' && !SECRET_HEADER.test(name)) continue;
    out.add(value);
    const [scheme, credential] = value.split(/\s+/, 2);
    if (!credential) continue;
    out.add(credential);
    if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      out.add(decoded);
      const colon = decoded.indexOf(':');
      if (colon >= 0) out.add(decoded.slice(colon + 1));
    }
  }
  // Short values would blank out ordinary words of the answer.
  return [...out].filter((secret) => secret.length >= 6).sort((a, b) => b.length - a.length);
}

/** `text` and, when it differs, its percent-decoded form (a receiver may echo either). */
function bothForms(text: string): string[] {
  try {
    const decoded = decodeURIComponent(text.replace(/\+/g, ' '));
    return decoded === text ? [text] : [text, decoded];
  } catch {
    return [text];
  }
}

/**
 * The parts of a request URL that grant access, in every form an answer could echo them: the
 * query string and each of its values always (a receiver URL may carry a key there), and with
 * `pathIsCredential` (a Slack or Teams webhook URL, where the path is the credential) the path
 * with its query, the path, and each path segment but plain lowercase route words.
 *
 * ```ts
 * urlSecrets('https://hooks.slack.com/services/T1/B1/XXXXXXXX', true);
 * // ['/services/T1/B1/XXXXXXXX', 'XXXXXXXX']
 * ```
 */
export function urlSecrets(url: string, pathIsCredential = false): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const parts: string[] = [];
  const query = parsed.search.slice(1);
  if (query) {
    parts.push(query);
    for (const pair of query.split('&')) parts.push(pair.slice(pair.indexOf('=') + 1));
  }
  if (pathIsCredential) {
    parts.push(`${parsed.pathname}${parsed.search}`, parsed.pathname);
    // Route words (`services`, `workflows`, `invoke`) stay readable; ids and tokens do not.
    parts.push(...parsed.pathname.split('/').filter((segment) => !/^[a-z]+$/.test(segment)));
  }
  const out = new Set(parts.flatMap(bothForms));
  // Short values would blank out ordinary words of the answer (and `/` every slash).
  return [...out].filter((secret) => secret.length >= 6).sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of the secrets written as `********`. */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('********');
  return out;
}

/**
 * A vendor's answer as a `SinkError`, or undefined when it is a success. The answer's text goes
 * into the message (listings and dead letters show it to readers), so any of the request's own
 * `secrets` a receiver echoes back are blanked first.
 */
export function statusError(
  service: string,
  status: number,
  text: string,
  headers: Record<string, string | string[] | undefined>,
  secrets: readonly string[] = [],
): SinkError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const detail = withoutSecrets(text, secrets).replace(/\s+/g, ' ').slice(0, 300);
  const message = `${service} answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 401 || status === 403) {
    return new SinkError('unauthorized', `${message} (check the sink's credentials)`, false);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new SinkError(`http_${status}`, message, true, retryAfterMs(headers['retry-after']));
  }
  return new SinkError(`http_${status}`, message, false);
}

/** How a sink's HTTP client behaves. */
export interface SinkHttpOptions {
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  /**
   * The URL's path is the credential (Slack and Teams incoming webhooks): an answer or a network
   * error that echoes it has it blanked, as it does the headers' credentials and the query.
   */
  pathIsCredential?: boolean;
}

/**
 * An HTTP client for one sink.
 *
 * ```ts
 * const http = new SinkHttpClient('Splunk HEC', guard, { timeoutMs: 10_000 });
 * await http.call({ method: 'POST', url, headers: { authorization: `Splunk ${token}` }, body });
 * ```
 */
export class SinkHttpClient {
  readonly #service: string;
  readonly #dispatcher: Dispatcher;
  readonly #timeoutMs: number;
  readonly #pathIsCredential: boolean;

  constructor(service: string, guard: AddressGuard, options: SinkHttpOptions = {}) {
    this.#service = service;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#pathIsCredential = options.pathIsCredential ?? false;
    this.#dispatcher = createGuardedDispatcher(guard, { ca: options.ca });
  }

  /** Sends `call`; resolves with a 2xx answer, rejects with a `SinkError` otherwise. */
  async call(call: HttpCall): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...call.headers };
    let body: string | undefined;
    if (typeof call.body === 'string') body = call.body;
    else if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] ??= 'application/json';
    }
    const secrets = [
      ...requestSecrets(headers),
      ...urlSecrets(call.url, this.#pathIsCredential),
    ].sort((a, b) => b.length - a.length);
    const signals = [AbortSignal.timeout(this.#timeoutMs), ...(call.signal ? [call.signal] : [])];
    let response: Dispatcher.ResponseData;
    try {
      response = await request(call.url, {
        method: call.method,
        headers,
        body,
        dispatcher: this.#dispatcher,
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      throw this.#networkError(error, secrets);
    }
    const text = await this.#read(response);
    const failure = statusError(
      this.#service,
      response.statusCode,
      text,
      response.headers,
      secrets,
    );
    if (failure) throw failure;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #read(response: Dispatcher.ResponseData): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        response.body.destroy();
        break;
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** A transport failure as a `SinkError`, its text without the request's `secrets`. */
  #networkError(error: unknown, secrets: readonly string[]): SinkError {
    if (error instanceof SinkError) return error;
    if (error instanceof SsrfError) {
      const message = withoutSecrets(error.message, secrets);
      return new SinkError(error.code, message, error.code === 'dns_unresolved');
    }
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof SsrfError) return this.#networkError(cause, secrets);
    const err = error as NodeJS.ErrnoException;
    const code = err.name === 'TimeoutError' ? 'timeout' : (err.code ?? 'network');
    const message = withoutSecrets(`${this.#service}: ${err.message}`, secrets);
    return new SinkError(code, message, true);
  }
}
