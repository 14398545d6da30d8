/**
 * A source never reads the server's own files, found by a penetration test: with the store in
 * `.palisade/` under the working folder (the default root), a Terraform `file()` call copied the
 * server key and the first Owner password into a bucket's tags, which any Reader could read.
 * Now such a read is refused, the store's files cannot be named as a source, and the rest of the
 * source is still assessed.
 */

import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postureSettings } from '../../src/server/posture-settings.js';
import { startHarness, type Harness } from './harness.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-own-files-')));
const store = join(root, '.palisade', 'palisade.db');

describe("the server's own files", () => {
  let h: Harness;
  let call: (
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; json: any }>;
  beforeAll(async () => {
    mkdirSync(join(root, '.palisade'));
    mkdirSync(join(root, 'iac'));
    writeFileSync(
      join(root, 'iac', 'main.tf'),
      [
        'resource "aws_s3_bucket" "leak" {',
        '  bucket = "leak-bucket"',
        '  tags = {',
        '    key   = file("${path.module}/../.palisade/palisade.db.key")',
        '    owner = file("${path.module}/../.palisade/palisade.db.owner-password")',
        '    db    = file("${path.module}/../.palisade/palisade.db")',
        '  }',
        '}',
        'resource "aws_s3_bucket" "plain" {',
        '  bucket = "plain-bucket"',
        '}',
        '',
      ].join('\n'),
    );
    h = await startHarness({
      location: store,
      config: (c) => {
        c.store.location = store;
        c.posture = { allowedRoots: [root] };
      },
    });
    const admin = await h.token('security-admin');
    call = async (method, path, body) => {
      const res = await h.app.inject({
        method: method as 'GET',
        url: `/api/v1${path}`,
        headers: { authorization: `Bearer ${admin}` },
        ...(body ? { payload: body as object } : {}),
      });
      return { status: res.statusCode, json: res.json() };
    };
  });
  afterAll(async () => {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('are named from the store, its key and the Owner password file', () => {
    const own = postureSettings(h.config, {}, root).ownFiles;
    expect(own).toEqual(
      expect.arrayContaining([
        store,
        `${store}.key`,
        expect.stringMatching(/palisade\.db\.owner-password$/),
      ]),
    );
  });

  it('are not read by a Terraform file() call; the rest of the source is assessed', async () => {
    const key = readFileSync(`${store}.key`, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(`${store}.owner-password`, 'not-a-real-password-but-secret\n');

    expect(
      (await call('POST', '/sources', { name: 'iac', paths: [join(root, 'iac')] })).status,
    ).toBe(201);
    const ran = await call('POST', '/assessments', { source: 'iac', wait: true });
    expect(ran.status, JSON.stringify(ran.json)).toBe(201);

    const resources = await call('GET', '/resources?limit=500');
    const text = JSON.stringify(resources.json);
    expect(text).toContain('plain-bucket');
    expect(text).not.toContain(key);
    expect(text).not.toContain('not-a-real-password-but-secret');
    const detail = await call(
      'GET',
      `/resources/detail?id=${encodeURIComponent('arn:aws:s3:::leak-bucket')}`,
    );
    expect(JSON.stringify(detail.json)).not.toContain(key);
  });

  it('cannot be named as a source, directly or through the folder', async () => {
    for (const path of [
      `${store}.key`,
      store,
      `${store}.owner-password`,
      join(root, '.palisade', '..', '.palisade', 'palisade.db.key'),
    ]) {
      const res = await call('POST', '/sources', { name: 'grab', paths: [path] });
      expect(res.status, path).toBe(400);
      expect(res.json.message).toContain("server's own files");
    }
    // The folder holding them may be named; its walk leaves them out.
    expect(
      (await call('POST', '/sources', { name: 'store-folder', paths: [join(root, '.palisade')] }))
        .status,
    ).toBe(201);
    const ran = await call('POST', '/assessments', { source: 'store-folder', wait: true });
    expect(JSON.stringify(ran.json)).not.toContain(readFileSync(`${store}.key`, 'utf8').trim());
  });
});
