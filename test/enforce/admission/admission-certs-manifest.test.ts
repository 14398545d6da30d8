import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AdmissionConfigError,
  loadAdmissionConfig,
} from '../../../src/enforce/admission/admission-config.js';
import { runAdmissionCerts } from '../../../src/cli/admission-command.js';
import { AdmissionPolicySource } from '../../../src/enforce/admission/admission-policy.js';
import { makeCerts } from './admission-harness.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../../src/cli/main.ts');
const TSX = join(import.meta.dirname, '../../../node_modules/.bin/tsx');

async function palisade(args: string[]) {
  try {
    const { stdout, stderr } = await run(TSX, [MAIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-certs-'));
  await makeCerts(join(dir, 'certs'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admission certs', () => {
  it('writes keys readable by the owner only', () => {
    for (const key of ['ca.key', 'tls.key']) {
      expect(statSync(join(dir, 'certs', key)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, 'certs', 'tls.crt')).mode & 0o777).toBe(0o644);
  });

  it('signs a serving certificate for the service DNS names with its own CA', () => {
    const ca = new X509Certificate(readFileSync(join(dir, 'certs', 'ca.crt')));
    const cert = new X509Certificate(readFileSync(join(dir, 'certs', 'tls.crt')));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    for (const name of [
      'palisade-admission.palisade.svc',
      'palisade-admission.palisade.svc.cluster.local',
    ]) {
      expect(cert.checkHost(name)).toBe(name);
    }
    expect(cert.checkHost('other.palisade.svc')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });

  it('refuses to overwrite files without --force, and names bad service names (exit 2)', async () => {
    const again = await palisade(['admission', 'certs', '-o', join(dir, 'certs')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/ca\.key exists; pass --force/);
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => {
      errors.push(text);
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await runAdmissionCerts({
        out: join(dir, 'x'),
        service: 'Bad_Name',
        san: [],
        days: 1,
      });
      expect(code).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errors.join('')).toMatch(/service "Bad_Name" is not a DNS label/);
  });
});

describe('admission certs --client', () => {
  it("signs the API server's client certificate with the folder's CA", async () => {
    const code = await quietly(() =>
      runAdmissionCerts({ out: join(dir, 'certs'), san: [], days: 1, client: 'kube-apiserver' }),
    );
    expect(code.code).toBe(0);
    expect(code.stdout).toMatch(/client\.crt .*CN=kube-apiserver/);
    const ca = new X509Certificate(readFileSync(join(dir, 'certs', 'ca.crt')));
    const cert = new X509Certificate(readFileSync(join(dir, 'certs', 'client.crt')));
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=kube-apiserver');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(statSync(join(dir, 'certs', 'client.key')).mode & 0o777).toBe(0o600);
  });

  it('names the CA file it cannot read (exit 2)', async () => {
    const run = await quietly(() =>
      runAdmissionCerts({ out: join(dir, 'no-ca'), san: [], days: 1, client: 'kube-apiserver' }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no-ca\/ca\.crt: cannot read: .*create the CA first/);
  });
});

/** Runs `work` with stdout and stderr captured. */
async function quietly(work: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((t: string) => out.push(t) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(t) > 0) as typeof process.stderr.write;
  try {
    return { code: await work(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('admission manifest', () => {
  it('prints a ValidatingWebhookConfiguration built from the configuration', async () => {
    const config = join(dir, 'admission.yaml');
    writeFileSync(
      config,
      [
        'failurePolicy: Ignore',
        'timeoutSeconds: 3',
        'exemptNamespaces: [kube-system, monitoring, team-*-sandbox]',
        'service: { name: gate, namespace: security }',
      ].join('\n'),
    );
    const out = await palisade([
      'admission',
      'manifest',
      '--ca',
      join(dir, 'certs', 'ca.crt'),
      '--config',
      config,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const doc = parse(out.stdout);
    expect(doc.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(doc.kind).toBe('ValidatingWebhookConfiguration');
    const [hook] = doc.webhooks;
    expect(hook).toMatchObject({
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      timeoutSeconds: 3,
      clientConfig: { service: { name: 'gate', namespace: 'security', path: '/validate' } },
    });
    expect(Buffer.from(hook.clientConfig.caBundle, 'base64').toString()).toBe(
      readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8'),
    );
    // Exact names go to the selector (globs cannot), and the webhook's own namespace always.
    expect(hook.namespaceSelector.matchExpressions).toEqual([
      {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['kube-system', 'monitoring', 'security'],
      },
    ]);
    const core = hook.rules.find((r: { apiGroups: string[] }) => r.apiGroups[0] === '');
    expect(core.resources).toEqual(expect.arrayContaining(['pods', 'services']));
    expect(core.operations).toEqual(['CREATE', 'UPDATE']);
    const apps = hook.rules.find((r: { apiGroups: string[] }) => r.apiGroups[0] === 'apps');
    expect(apps.resources).toEqual(['daemonsets', 'deployments', 'replicasets', 'statefulsets']);
    const rbac = hook.rules.find(
      (r: { apiGroups: string[] }) => r.apiGroups[0] === 'rbac.authorization.k8s.io',
    );
    expect(rbac.resources).toContain('clusterrolebindings');
  });

  it('names a CA file that is missing or not a certificate (exit 2)', async () => {
    const missing = await palisade(['admission', 'manifest', '--ca', join(dir, 'nope.crt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.crt: --ca: cannot read/);
    const key = await palisade(['admission', 'manifest', '--ca', join(dir, 'certs', 'ca.key')]);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/not a PEM certificate/);
  });
});

describe('admission configuration', () => {
  it('names the file, line and key of a bad value', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'listen:\n  port: 8443\nfailurePolicy: Sometimes\n');
    expect(() => loadAdmissionConfig(file)).toThrow(AdmissionConfigError);
    expect(() => loadAdmissionConfig(file)).toThrow(/bad\.yaml:3: failurePolicy:/);
    writeFileSync(file, 'timeoutSeconds: 31\n');
    expect(() => loadAdmissionConfig(file)).toThrow(/bad\.yaml:1: timeoutSeconds:/);
    writeFileSync(file, 'listen: [\n');
    expect(() => loadAdmissionConfig(file)).toThrow(/bad\.yaml:\d+: \(yaml\)/);
    writeFileSync(file, 'unknownKey: 1\n');
    expect(() => loadAdmissionConfig(file)).toThrow(/bad\.yaml/);
  });

  it("reads the file's relative paths from the file's folder, as policy files do", () => {
    const deploy = join(dir, 'deploy');
    mkdirSync(deploy, { recursive: true });
    const file = join(deploy, 'admission.yaml');
    writeFileSync(
      file,
      [
        'tls: { cert: certs/tls.crt, key: /etc/palisade/tls.key }',
        'policy: [policy/org.yaml, ../shared/policy.yaml]',
        'rules: [rules]',
        'store: data/palisade.db',
        '',
      ].join('\n'),
    );
    const config = loadAdmissionConfig(file, { rules: ['cli-rules'] });
    expect(config.tls).toEqual({
      cert: join(deploy, 'certs/tls.crt'),
      key: '/etc/palisade/tls.key',
    });
    expect(config.policy).toEqual([
      join(deploy, 'policy/org.yaml'),
      join(dir, 'shared/policy.yaml'),
    ]);
    expect(config.store).toBe(join(deploy, 'data/palisade.db'));
    // Command-line flags stay relative to the working folder.
    expect(config.rules).toEqual(['cli-rules']);

    writeFileSync(file, 'store: postgres://palisade@db.internal/palisade\n');
    const url = loadAdmissionConfig(file);
    expect(url.store).toBe('postgres://palisade@db.internal/palisade');
    // Defaults are not the file's: they stay where the webhook starts.
    expect(url.tls.cert).toBe('certs/tls.crt');
  });

  it('names the values a choice allows', () => {
    const file = join(dir, 'choice.yaml');
    writeFileSync(file, 'failurePolicy: fail\n');
    expect(() => loadAdmissionConfig(file)).toThrow(
      'choice.yaml:1: failurePolicy: expected Fail or Ignore, got "fail" (write Fail)',
    );
    writeFileSync(file, 'failurePolicy: open\n');
    expect(() => loadAdmissionConfig(file)).toThrow(
      /choice\.yaml:1: failurePolicy: expected Fail or Ignore, got "open"$/,
    );
  });

  it('reads a policy path that is neither file nor folder (/dev/null) as an empty file', async () => {
    const policy = await AdmissionPolicySource.open({
      files: ['/dev/null'],
      ruleDirs: [],
      exemptNamespaces: [],
      refreshMs: 10_000,
    });
    // No assignment: every rule audited, as with an empty policy file.
    const { assignments } = await policy.current();
    expect(assignments.map((a) => a.assignment.mode)).toEqual(['audit']);
  });
});
