/**
 * A real admission webhook for tests: certificates made by `palisade admission certs`, the HTTPS
 * server on a loopback port, a SQLite store in a temporary folder, and an HTTPS client that
 * trusts only the CA the command made.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { Agent, request } from 'undici';
import { runAdmissionCerts } from '../../../src/cli/admission-command.js';
import {
  loadAdmissionConfig,
  type AdmissionConfig,
} from '../../../src/enforce/admission/admission-config.js';
import {
  startAdmission,
  type AdmissionService,
} from '../../../src/enforce/admission/admission-service.js';

export const POLICY_FIXTURE = join(import.meta.dirname, '../../fixtures/admission/policy.yaml');

export interface AdmissionHarness {
  service: AdmissionService;
  config: AdmissionConfig;
  dir: string;
  caCert: string;
  /** Posts `body` (JSON) to `path` over TLS; returns status and parsed body. */
  post(body: unknown, path?: string): Promise<{ status: number; body: any }>;
  /** Any request over TLS, trusting the CA. */
  send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Makes certificates once per folder with the real command (quietly). */
export async function makeCerts(dir: string): Promise<void> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const code = await runAdmissionCerts({ out: dir, san: ['127.0.0.1'], days: 1 });
    if (code !== 0) throw new Error(`admission certs exited ${code}`);
  } finally {
    process.stdout.write = write;
  }
}

export async function startAdmissionHarness(
  overrides: Record<string, unknown> = {},
  deps: { db?: any; logger?: Logger } = {},
): Promise<AdmissionHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-admission-'));
  const certs = join(dir, 'certs');
  await makeCerts(certs);
  const config = loadAdmissionConfig(undefined, {
    listen: { host: '127.0.0.1', port: 0 },
    tls: { cert: join(certs, 'tls.crt'), key: join(certs, 'tls.key') },
    store: join(dir, 'palisade.db'),
    policy: [POLICY_FIXTURE],
    ...overrides,
  });
  const service = await startAdmission(config, { logger: pino({ level: 'silent' }), ...deps });
  const caCert = join(certs, 'ca.crt');
  const agent = new Agent({
    connect: { ca: readFileSync(caCert), servername: undefined },
    keepAliveTimeout: 10_000,
  });
  const send: AdmissionHarness['send'] = async (method, path, body, headers = {}) => {
    const res = await request(`${service.url}${path}`, {
      method,
      dispatcher: agent,
      headers,
      body,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the caller sees the text.
    }
    return { status: res.statusCode, body: parsed };
  };
  return {
    service,
    config,
    dir,
    caCert,
    send,
    post(body, path = config.service.path) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      return send('POST', path, text, { 'content-type': 'application/json' });
    },
    async close() {
      await agent.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
