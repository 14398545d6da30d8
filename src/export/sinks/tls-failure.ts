/**
 * A TLS certificate the sink refuses is the configuration's to fix (a CA to add, a name to set):
 * retrying cannot help, so sinks fail such a delivery at once instead of retrying it.
 */

/** Node's certificate error codes (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`...). */
const CERT_CODES = /CERT|SIGNATURE|ISSUER|ALTNAME|SELF_SIGNED/;

/** `error` and the errors it was caused by, nearest first (at most five deep). */
export function* causeChain(error: unknown): Generator<Error> {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * The refused certificate an error carries (on itself or its causes), in words, or undefined
 * when the error is no certificate refusal.
 */
export function certificateRefusal(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CERT_CODES.test(code)) {
      return `the server's TLS certificate was refused: ${e.message}`;
    }
  }
  return undefined;
}
