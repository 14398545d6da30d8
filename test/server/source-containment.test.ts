import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const pod = (name: string) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  containers:',
    '    - name: app',
    '      image: nginx:1.25',
    '      securityContext:',
    '        privileged: true',
    '',
  ].join('\n');

// Temp folders, resolved: on some systems the temp folder itself is reached through a link.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-contain-root-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-contain-outside-')));
let h: Harness | undefined;
let call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

beforeAll(() => {
  writeFileSync(join(outside, 'outside-pod.yaml'), pod('outside-pod'));
  writeFileSync(join(outside, 'secret-pod.yaml'), pod('secret-pod'));
  mkdirSync(join(root, 'common'));
  writeFileSync(join(root, 'common', 'common-pod.yaml'), pod('common-pod'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A real server on loopback whose sources may read only `allowedRoot`. */
async function serve(allowedRoot = root): Promise<void> {
  h = await startHarness({ config: (c) => (c.posture = { allowedRoots: [allowedRoot] }) });
  const admin = await h.token('security-admin');
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  call = async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: await res.json() };
  };
}

async function resourceNames(): Promise<string> {
  const res = await call('GET', '/resources?limit=200');
  expect(res.status).toBe(200);
  return JSON.stringify(res.json.items);
}

async function sourceNamed(name: string) {
  const res = await call('GET', '/sources');
  return res.json.items.find((s: { name: string }) => s.name === name);
}

describe('source containment at assessment time', () => {
  it('skips a folder and a file linked from inside a source to outside, and lists them', async () => {
    const dir = join(root, 'tt2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inside-pod.yaml'), pod('inside-pod'));
    symlinkSync(outside, join(dir, 'outside'));
    symlinkSync(join(outside, 'secret-pod.yaml'), join(dir, 'secret.yaml'));
    await serve();

    const created = await call('POST', '/sources', { name: 'inner-link', paths: [dir] });
    expect(created.status).toBe(201);
    const ran = await call('POST', '/assessments', { source: 'inner-link', wait: true });
    expect(ran.status).toBe(201);

    const names = await resourceNames();
    expect(names).toContain('inside-pod');
    expect(names).not.toContain('outside-pod');
    expect(names).not.toContain('secret-pod');
    expect(ran.json.resources).toBe(1);
    const skipped = ran.json.warnings.filter((w: string) => /outside the folders/.test(w));
    expect(skipped).toHaveLength(2);
    expect(skipped.join('\n')).toMatch(/tt2\/outside: resolves outside the folders/);
    expect(skipped.join('\n')).toMatch(/tt2\/secret\.yaml: resolves outside the folders/);
    // The skip is named on the source too, without naming where the links lead.
    const source = await sourceNamed('inner-link');
    expect(source.lastError).toMatch(/^2 path\(s\) skipped as outside the allowed folders/);
    expect(source.lastError).not.toContain(outside);
  }, 60_000);

  it('fails the run of a source whose folder was swapped for a link to outside', async () => {
    const dir = join(root, 'tt');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inside-pod.yaml'), pod('toctou-pod'));
    await serve();

    expect((await call('POST', '/sources', { name: 'toctou', paths: [dir] })).status).toBe(201);
    rmSync(dir, { recursive: true, force: true });
    symlinkSync(outside, dir);
    const ran = await call('POST', '/assessments', { source: 'toctou', wait: true });

    expect(ran.status).toBe(422);
    expect(ran.json.message).toMatch(/tt is outside the folders sources may read/);
    expect(ran.json.message).toMatch(/was not assessed/);
    expect(await resourceNames()).not.toContain('outside-pod');
    expect((await sourceNamed('toctou')).lastError).toMatch(/outside the folders/);
  }, 60_000);

  it('reads links that stay inside the roots, and a link loop once', async () => {
    const dir = join(root, 'linked');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inside-pod.yaml'), pod('linked-pod'));
    symlinkSync(join(root, 'common'), join(dir, 'common'));
    symlinkSync(join(root, 'common', 'common-pod.yaml'), join(dir, 'again.yaml'));
    symlinkSync(dir, join(dir, 'loop'));
    symlinkSync(join(dir, 'knot-b'), join(dir, 'knot-a'));
    symlinkSync(join(dir, 'knot-a'), join(dir, 'knot-b'));
    await serve();

    expect((await call('POST', '/sources', { name: 'linked', paths: [dir] })).status).toBe(201);
    const ran = await call('POST', '/assessments', { source: 'linked', wait: true });

    expect(ran.status).toBe(201);
    const names = await resourceNames();
    expect(names).toContain('linked-pod');
    expect(names).toContain('common-pod');
    expect(ran.json.warnings.filter((w: string) => /outside the folders/.test(w))).toEqual([]);
    // The folder that links to itself is read once, quietly; the two links that lead only to
    // each other name nothing, and the source says so (fc696eb).
    const lastError = (await sourceNamed('linked')).lastError as string;
    expect(lastError).toMatch(/^2 files could not be read/);
    expect(lastError).toMatch(/linked\/knot-a: is a symbolic link loop \(ELOOP\)/);
    expect(lastError).toMatch(/linked\/knot-b: is a symbolic link loop \(ELOOP\)/);
    expect(lastError).not.toMatch(/linked\/loop\b/);
  }, 60_000);

  it('does not let Terraform modules or file() read outside the roots', async () => {
    // The source is the allowed root itself, so `..` leaves it while staying in the temp folder.
    const tfRoot = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-contain-tf-')));
    const away = `../${basename(outside)}`;
    try {
      mkdirSync(join(outside, 'tfmod'));
      writeFileSync(
        join(outside, 'tfmod', 'main.tf'),
        'resource "aws_s3_bucket" "module_outside" {\n  bucket = "module-outside"\n}\n',
      );
      writeFileSync(join(outside, 'bucket-name.txt'), 'read-from-outside');
      symlinkSync(join(outside, 'tfmod'), join(tfRoot, 'linked'));
      writeFileSync(
        join(tfRoot, 'main.tf'),
        [
          `module "sibling" {\n  source = "${away}/tfmod"\n}`,
          'module "linked" {\n  source = "./linked"\n}',
          'resource "aws_s3_bucket" "inside_bucket" {',
          `  bucket = file("${away}/bucket-name.txt")`,
          '}',
          '',
        ].join('\n'),
      );
      await serve(tfRoot);

      expect((await call('POST', '/sources', { name: 'tf', paths: [tfRoot] })).status).toBe(201);
      const ran = await call('POST', '/assessments', { source: 'tf', wait: true });

      expect(ran.status).toBe(201);
      const names = await resourceNames();
      expect(names).toContain('inside_bucket');
      expect(names).not.toContain('module_outside');
      const skipped = ran.json.warnings.filter((w: string) => /outside the folders/.test(w));
      expect(skipped.join('\n')).toMatch(/tfmod: resolves outside the folders/);
      expect(skipped.join('\n')).toMatch(/linked: resolves outside the folders/);
    } finally {
      rmSync(tfRoot, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('source containment at creation', () => {
  it('answers a path outside the roots the same whether or not it exists', async () => {
    mkdirSync(join(root, 'probe'));
    symlinkSync(outside, join(root, 'probe', 'away'));
    await serve();
    const up = join(root, '..', '..', '..', '..');
    const answer = async (path: string) => {
      const res = await call('POST', '/sources', { name: 'probe', paths: [path] });
      expect(res.status, path).toBe(400);
      return (res.json.message as string).replace(path, '<path>');
    };

    const outsideAnswers = [
      await answer(join(up, 'etc', 'passwd')),
      await answer(join(up, 'etc', 'no-such-file')),
      await answer(join(root, '..', basename(outside), 'outside-pod.yaml')),
      await answer(join(root, '..', basename(outside), 'no-such-pod.yaml')),
      await answer(join(root, 'probe', 'away', 'secret-pod.yaml')),
      await answer(join(root, 'probe', 'away', 'no-such-pod.yaml')),
      await answer(join(root, 'probe', 'away', 'no', 'such', 'folder')),
    ];
    expect(new Set(outsideAnswers).size, outsideAnswers.join('\n')).toBe(1);
    expect(outsideAnswers[0]).toMatch(/^<path> is outside the folders sources may read/);

    // Inside the roots, a missing path is still named as missing.
    expect(await answer(join(root, 'probe', 'no-such-pod.yaml'))).toBe(
      '<path> does not exist on the server',
    );
  });
});
