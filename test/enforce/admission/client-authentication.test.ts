import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCertificate } from '../../../src/enforce/admission/admission-certs.js';
import {
  AdmissionConfigError,
  loadAdmissionConfig,
} from '../../../src/enforce/admission/admission-config.js';
import {
  startAdmission,
  type AdmissionService,
} from '../../../src/enforce/admission/admission-service.js';
import { decisionsQuery } from '../../../src/store/admission-decision-repository.js';
import { makeCerts, POLICY_FIXTURE } from './admission-harness.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../../src/cli/main.ts');
const TSX = join(import.meta.dirname, '../../../node_modules/.bin/tsx');

let dir: string;

/** A logger whose JSON lines the test reads back. */
function capturingLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** The webhook from an admission.yaml in `dir` with these `tls` settings, on a loopback port. */
async function startFromFile(tls = 'cert: certs/tls.crt, key: certs/tls.key') {
  const file = join(dir, 'admission.yaml');
  writeFileSync(
    file,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      `tls: { ${tls} }`,
      `policy: [${POLICY_FIXTURE}]`,
      `store: ${join(mkdtempSync(join(dir, 'store-')), 'palisade.db')}`,
      '',
    ].join('\n'),
  );
  const { logger, lines } = capturingLogger();
  const service = await startAdmission(loadAdmissionConfig(file), { logger });
  return { service, lines };
}

/** An HTTPS client trusting the webhook's CA and presenting `client` (cert and key) if given. */
function agentFor(client?: { cert: string; key: string }) {
  return new Agent({
    connect: {
      ca: readFileSync(join(dir, 'certs', 'ca.crt')),
      ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
    },
  });
}

let uids = 0;

/** Posts a review of a privileged pod; returns the status, the body and the review's uid. */
async function postReview(service: AdmissionService, agent: Agent) {
  const uid = `client-auth-${++uids}`;
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      name: 'web',
      namespace: 'shop',
      operation: 'CREATE',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }],
        },
      },
    },
  });
  const res = await request(`${service.url}/validate`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.statusCode, body: (await res.body.json()) as any, uid };
}

async function storedCount(service: AdmissionService, uid: string): Promise<number> {
  await service.recorder.flush();
  const rows = await decisionsQuery(service.db).where('uid', '=', uid).execute();
  return rows.length;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-client-auth-'));
  const certs = join(dir, 'certs');
  const other = join(dir, 'other');
  await makeCerts(certs);
  await makeCerts(other);
  const ca = { caCert: join(certs, 'ca.crt'), caKey: join(certs, 'ca.key'), days: 1 };
  await createClientCertificate({ dir: certs, ...ca, commonName: 'kube-apiserver' });
  await createClientCertificate({ dir: certs, ...ca, commonName: 'intruder', name: 'intruder' });
  await createClientCertificate({
    dir: other,
    caCert: join(other, 'ca.crt'),
    caKey: join(other, 'ca.key'),
    commonName: 'kube-apiserver',
    days: 1,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admission webhook with tls.clientCA', () => {
  let service: AdmissionService;
  let lines: { level: number; msg: string; [key: string]: unknown }[];
  const agents: Agent[] = [];
  const agent = (client?: { cert: string; key: string }) => {
    const made = agentFor(client);
    agents.push(made);
    return made;
  };
  const client = (folder: string, name = 'client') => ({
    cert: join(dir, folder, `${name}.crt`),
    key: join(dir, folder, `${name}.key`),
  });

  beforeAll(async () => {
    ({ service, lines } = await startFromFile(
      'cert: certs/tls.crt, key: certs/tls.key, clientCA: certs/ca.crt, clientNames: [kube-apiserver]',
    ));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await service.close();
  });

  it('answers and records a caller whose certificate the client CA signed', async () => {
    const { status, body, uid } = await postReview(service, agent(client('certs')));
    expect(status).toBe(200);
    expect(body.response).toMatchObject({ uid, allowed: false });
    expect(body.response.status.message).toContain('kubernetes-pod-no-privileged-containers');
    expect(await storedCount(service, uid)).toBe(1);
  });

  it('refuses a caller without a certificate, and records nothing', async () => {
    const { status, body, uid } = await postReview(service, agent());
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: 'CLIENT_CERTIFICATE_REQUIRED' });
    expect(body.message).toMatch(/tls\.clientCA/);
    expect(await storedCount(service, uid)).toBe(0);
  });

  it('refuses a caller whose certificate another CA signed, and records nothing', async () => {
    const { status, body, uid } = await postReview(service, agent(client('other')));
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: 'CLIENT_CERTIFICATE_REFUSED' });
    expect(body.message).toMatch(/not trusted/);
    expect(await storedCount(service, uid)).toBe(0);
  });

  it('refuses a certificate the CA signed for a name not in tls.clientNames', async () => {
    const { status, body, uid } = await postReview(service, agent(client('certs', 'intruder')));
    expect(status).toBe(403);
    expect(body.message).toBe('the client certificate CN=intruder is not among tls.clientNames');
    expect(await storedCount(service, uid)).toBe(0);
    const refused = lines.filter((l) => l.msg === 'admission caller refused');
    expect(refused.map((l) => l.code)).toContain('CLIENT_CERTIFICATE_REFUSED');
  });

  it('lets probes without a certificate reach /healthz only', async () => {
    const probe = agent();
    const health = await request(`${service.url}/healthz`, { dispatcher: probe });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const other = await request(`${service.url}/anything`, { dispatcher: probe });
    expect(other.statusCode).toBe(401);
    await other.body.dump();
  });

  it('says nothing at start-up about unauthenticated callers', () => {
    expect(lines.some((l) => l.level === 40 && l.setting === 'tls.clientCA')).toBe(false);
  });
});

describe('admission webhook without tls.clientCA', () => {
  it('answers any caller, and warns so at start-up', async () => {
    const { service, lines } = await startFromFile();
    const anyone = agentFor();
    try {
      const { status, uid } = await postReview(service, anyone);
      expect(status).toBe(200);
      expect(await storedCount(service, uid)).toBe(1);
    } finally {
      await anyone.close();
      await service.close();
    }
    const warning = lines.find((l) => l.setting === 'tls.clientCA');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/answers any caller .*set tls\.clientCA/);
  });
});

describe('a bad tls.clientCA', () => {
  it('stops start-up naming the file and the key', async () => {
    const cases: [string, RegExp][] = [
      ['certs/missing.crt', /missing\.crt: tls\.clientCA: cannot read/],
      ['certs/ca.key', /ca\.key: tls\.clientCA: holds no PEM certificate/],
      ['certs/tls.crt', /tls\.crt: tls\.clientCA: certificate 1 \(CN=.*\) is not a CA/],
    ];
    for (const [path, message] of cases) {
      const start = startFromFile(`cert: certs/tls.crt, key: certs/tls.key, clientCA: ${path}`);
      await expect(start).rejects.toThrow(AdmissionConfigError);
      await expect(start).rejects.toThrow(message);
    }
  });

  it('makes `palisade admission` exit 2 with one line naming it', async () => {
    const file = join(dir, 'bad-ca.yaml');
    writeFileSync(
      file,
      'listen: { host: 127.0.0.1, port: 0 }\ntls: { cert: certs/tls.crt, key: certs/tls.key, clientCA: certs/nope.crt }\n',
    );
    const error = await run(TSX, [MAIN, 'admission', '--config', file]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/^palisade admission: .*nope\.crt: tls\.clientCA: cannot read/);
  });

  it('refuses tls.clientNames without tls.clientCA, naming the line', () => {
    const file = join(dir, 'names-only.yaml');
    writeFileSync(file, 'tls:\n  clientNames: [kube-apiserver]\n');
    expect(() => loadAdmissionConfig(file)).toThrow(
      /names-only\.yaml:2: tls\.clientNames: needs tls\.clientCA/,
    );
  });
});
