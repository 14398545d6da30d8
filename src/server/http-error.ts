/** Errors a route throws to answer with a status and a stable code, e.g. 409 `USERNAME_TAKEN`. */

/** An error Fastify turns into `{ statusCode, code, error, message }`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 401: no valid credentials. */
export const unauthorized = (message = 'authentication required') =>
  new HttpError(401, 'UNAUTHENTICATED', message);

/** 403: authenticated, but not allowed. */
export const forbidden = (message: string) => new HttpError(403, 'FORBIDDEN', message);
