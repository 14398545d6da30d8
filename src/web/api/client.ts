/**
 * The console's only way to the server: same-origin fetch to /api/v1 with the session cookie,
 * the CSRF header on unsafe methods, and errors that carry the API's status and message.
 */

const API = '/api/v1';
const CSRF_COOKIE = 'palisade_csrf';
const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An answer other than 2xx, with the API's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The route is not on this server: Fastify's own 404, which names the route. */
  get routeMissing(): boolean {
    return this.status === 404 && /^Route \w+:/.test(this.message);
  }
}

/** Called when any request answers 401: the session ended, show the login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Whether this browser may hold a session: the login sets the readable CSRF cookie beside the
 * HttpOnly session cookie, with the same lifetime, and the logout clears both. Without it there
 * is no session to ask about, so the console shows the login page without a request that could
 * only answer 401.
 */
export function mayHoldSession(): boolean {
  return csrfToken() !== undefined;
}

/** Query string from the defined, non-empty values of `params`. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Calls `method path` under /api/v1 and returns the parsed JSON (undefined for 204).
 *
 * ```ts
 * const score = await api<Score>('GET', '/score');
 * ```
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (UNSAFE.has(method) && csrf) headers[CSRF_HEADER] = csrf;

  const response = await fetch(`${API}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;

  const text = await response.text();
  const data = text ? safeJson(text) : undefined;
  if (response.ok) return data as T;

  const error = (data ?? {}) as { code?: string; message?: string };
  if (response.status === 401 && path !== '/auth/login') onUnauthorized();
  throw new ApiError(
    response.status,
    error.code ?? 'HTTP_' + response.status,
    error.message ?? response.statusText,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
