/**
 * The API server and the admission webhook speak TLS 1.2 only with forward-secret AEAD suites
 * (and TLS 1.3): a client offering only CBC suites with SHA-1 MACs or static RSA key exchange
 * (AES128-SHA, ECDHE-RSA-AES128-SHA) is refused at the handshake, as a TLS scan of the endpoint
 * expects; a new-user trial found Node's default list accepting them.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCerts, startAdmissionHarness } from '../enforce/admission/admission-harness.js';
import { startHarness } from './harness.js';

const certs = mkdtempSync(join(tmpdir(), 'palisade-tls-suites-'));
await makeCerts(certs);
afterAll(() => rmSync(certs, { recursive: true, force: true }));

/** The suite and version a handshake with `options` agreed on, or the error it ended with. */
function handshake(port: number, ca: string, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: readFileSync(ca),
      servername: undefined,
      ...options,
    });
    socket.once('secureConnect', () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(`refused ${error.code}`));
  });
}

async function expectPolicy(port: number, ca: string): Promise<void> {
  // The key may be RSA or ECDSA: each refused kind is offered for both.
  for (const ciphers of [
    'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA',
    'ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384',
    'AES128-GCM-SHA256:AES128-SHA',
  ]) {
    expect(await handshake(port, ca, { maxVersion: 'TLSv1.2', ciphers })).toMatch(/^refused /);
  }
  expect(await handshake(port, ca, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).toMatch(
    /^refused /,
  );
  // The key may be RSA or ECDSA: either forward-secret AEAD suite of its kind is agreed.
  expect(
    await handshake(port, ca, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    }),
  ).toMatch(/^TLSv1\.2 ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256$/);
  expect(await handshake(port, ca, {})).toMatch(/^TLSv1\.3 TLS_/);
}

describe('TLS suites', () => {
  it('of the admission webhook: forward-secret AEAD under TLS 1.2, and TLS 1.3', async () => {
    const h = await startAdmissionHarness();
    try {
      await expectPolicy(Number(new URL(h.service.url).port), h.caCert);
    } finally {
      await h.close();
    }
  });

  it('of the API server: the same', async () => {
    const h = await startHarness({
      config: (c) => {
        c.server.tls = { cert: join(certs, 'tls.crt'), key: join(certs, 'tls.key') };
      },
    });
    try {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const address = h.app.server.address();
      await expectPolicy(
        typeof address === 'object' && address ? address.port : 0,
        join(certs, 'ca.crt'),
      );
    } finally {
      await h.close();
    }
  });
});
