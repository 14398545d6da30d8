import { describe, expect, it } from 'vitest';
import { retryAfterMs, statusError } from '../../../src/export/sinks/http-client.js';

describe('sink HTTP answers', () => {
  it('classifies vendor answers: auth and other 4xx final, 408/429/5xx retried', () => {
    expect(statusError('X', 204, '', {})).toBeUndefined();
    const cases: [number, string, boolean][] = [
      [400, 'http_400', false],
      [401, 'unauthorized', false],
      [403, 'unauthorized', false],
      [404, 'http_404', false],
      [408, 'http_408', true],
      [413, 'http_413', false],
      [429, 'http_429', true],
      [500, 'http_500', true],
      [503, 'http_503', true],
    ];
    for (const [status, code, retryable] of cases) {
      const error = statusError('Vendor', status, 'detail\\nline', {})!;
      expect([error.code, error.retryable], `${status}`).toEqual([code, retryable]);
      expect(error.message).toContain(`Vendor answered ${status}`);
    }
  });

  it('reads Retry-After as seconds or an HTTP date, capped at ten minutes', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('12', now)).toBe(12_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('86400', now)).toBe(600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(statusError('V', 429, '', { 'retry-after': '3' })?.retryAfterMs).toBe(3000);
  });
});
