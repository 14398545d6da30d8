import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  requestSecrets,
  retryAfterMs,
  SinkHttpClient,
  statusError,
} from '../../../src/export/sinks/http-client.js';
import { AddressGuard } from '../../../src/export/ssrf-guard.js';
import { SinkError } from '../../../src/model/export-record.js';

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

  it('blanks the credentials a receiver echoes back before they reach the error text', async () => {
    // A receiver that answers 400 with the request's Authorization header in its body.
    const server = createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad request', echoed: req.headers.authorization }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
    const guard = new AddressGuard({ allow: ['127.0.0.1/32'] });
    const http = new SinkHttpClient('Vendor', guard, { timeoutMs: 5_000 });
    const basic = Buffer.from('integration:s3cr3t-Passw0rd').toString('base64');
    try {
      for (const authorization of ['Splunk SPLUNKTOKEN-aaaa-1234', `Basic ${basic}`]) {
        const error = (await http
          .call({ method: 'POST', url, headers: { authorization }, body: {} })
          .catch((e: unknown) => e)) as SinkError;
        expect(error).toBeInstanceOf(SinkError);
        expect(error.message).toContain('Vendor answered 400');
        expect(error.message).toContain('********');
        expect(error.message).not.toContain('SPLUNKTOKEN-aaaa-1234');
        expect(error.message).not.toContain(basic);
      }
    } finally {
      await http.close();
      server.close();
    }
    expect(requestSecrets({ authorization: `Basic ${basic}` })).toContain('s3cr3t-Passw0rd');
    expect(requestSecrets({ 'x-api-key': 'k-123456', accept: 'application/json' })).toEqual([
      'k-123456',
    ]);
  });
});
