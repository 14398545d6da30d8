/**
 * One side of the admission benchmark, in its own process: the real webhook (`webhook`) or a
 * no-op webhook on the same TLS server stack that allows everything (`noop`). Prints its port
 * once listening; answers `cpu` on stdin with its CPU time so far (microseconds).
 *
 *   node --import tsx bench/admission-server.ts webhook|noop CERT_DIR POLICY_FILE STORE
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { loadAdmissionConfig } from '../src/enforce/admission/admission-config.js';
import {
  parseAdmissionReview,
  admissionReviewResponse,
} from '../src/enforce/admission/admission-review.js';
import { createAdmissionServer } from '../src/enforce/admission/admission-server.js';
import { startAdmission } from '../src/enforce/admission/admission-service.js';

const [mode, certs, policy, store] = process.argv.slice(2);

async function listen(): Promise<{ port: number; close: () => Promise<void> }> {
  if (mode === 'noop') {
    const server = createAdmissionServer({
      cert: readFileSync(join(certs, 'tls.crt')),
      key: readFileSync(join(certs, 'tls.key')),
      path: '/validate',
      // Parses the review like the webhook, then allows it: only the judging is missing.
      answer: async (body) =>
        admissionReviewResponse({ uid: parseAdmissionReview(body).uid, allowed: true }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }
  const config = loadAdmissionConfig(undefined, {
    listen: { host: '127.0.0.1', port: 0 },
    tls: { cert: join(certs, 'tls.crt'), key: join(certs, 'tls.key') },
    policy: [policy],
    store,
  });
  const service = await startAdmission(config, { logger: pino({ level: 'warn' }) });
  return { port: Number(new URL(service.url).port), close: () => service.close() };
}

const server = await listen();
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu: user + system })}\n`);
  }
  if (line === 'stop') break;
}
await server.close();
process.exit(0);
