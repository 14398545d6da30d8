/** Names of the console's cookies and the CSRF header, shared by the login route and the hook. */

/** HttpOnly cookie carrying the session secret. */
export const SESSION_COOKIE = 'palisade_session';
/** Readable cookie carrying the CSRF token the console echoes in `CSRF_HEADER`. */
export const CSRF_COOKIE = 'palisade_csrf';
/** Header an unsafe cookie-authenticated request must carry, equal to the CSRF cookie. */
export const CSRF_HEADER = 'x-csrf-token';
