/** What a command-line scan's target set is: the same repository anywhere, two repositories apart. */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findingFingerprint } from '../../src/report/sarif-fingerprint.js';
import { repositoryPath, scanTargetIdentities, targetSetKey } from '../../src/store/target-set.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-targets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A git work tree at `dir` with `origin` at `url` (no network: `git remote add` only). */
function repo(dir: string, url?: string): string {
  mkdirSync(join(dir, 'infra'), { recursive: true });
  writeFileSync(join(dir, 'infra', 'main.tf'), '');
  execFileSync('git', ['init', '-q', dir]);
  if (url) execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', url]);
  return dir;
}

describe('scan target identities', () => {
  const shopA = repo(
    join(root, 'ci', 'build-1', 'shop'),
    'https://ci:s3cret@github.com/acme/shop.git',
  );
  const shopB = repo(join(root, 'laptop', 'src', 'shop'), 'git@github.com:acme/shop.git');
  const billing = repo(join(root, 'ci', 'build-2', 'billing'), 'https://github.com/acme/billing');

  it('are the same for one repository checked out in two places, with any remote spelling', () => {
    const a = scanTargetIdentities(['.'], shopA);
    expect(a).toEqual(['git:github.com/acme/shop:.']);
    expect(scanTargetIdentities(['.'], shopB)).toEqual(a);
    expect(scanTargetIdentities(['infra'], shopA)).toEqual(
      scanTargetIdentities(['shop/infra'], join(shopB, '..')),
    );
    // Credentials in the remote never reach the key.
    expect(a.join()).not.toContain('s3cret');
  });

  it('differ for two repositories scanned as `.`, so their target sets do', () => {
    const shop = targetSetKey(scanTargetIdentities(['.'], shopA));
    const other = targetSetKey(scanTargetIdentities(['.'], billing));
    expect(shop).not.toBe(other);
    // Typed paths alone could not tell them apart.
    expect(targetSetKey(['.'])).toBe(targetSetKey(['.']));
  });

  it('are absolute paths outside a repository, and the folder name without a remote', () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    expect(scanTargetIdentities(['.'], plain)).toEqual([plain]);
    const local = repo(join(root, 'local-only'));
    expect(scanTargetIdentities(['infra/main.tf'], local)).toEqual([
      'git:local-only:infra/main.tf',
    ]);
  });

  it('name a file from its repository root whichever folder the command ran in', () => {
    const file = join(shopA, 'infra', 'main.tf');
    expect(repositoryPath('infra/main.tf', shopA)).toBe('infra/main.tf');
    expect(repositoryPath('main.tf', join(shopA, 'infra'))).toBe('infra/main.tf');
    expect(repositoryPath(file, '/')).toBe('infra/main.tf');
    // A baseline written in one folder matches a check run from another: the fingerprint names
    // the file from its repository root however the path was given.
    const finding = { ruleId: 'r', resourceType: 'AWS::S3::Bucket', resourceId: 'arn:aws:s3:::b' };
    const fromAbsolute = findingFingerprint({ ...finding, file });
    expect(fromAbsolute).toBe(
      findingFingerprint({ ...finding, file: join(shopB, 'infra/main.tf') }),
    );
    expect(fromAbsolute).not.toBe(findingFingerprint({ ...finding, file: join(shopA, 'main.tf') }));
    // Outside a repository the path stays as given.
    expect(repositoryPath('plain/x.tf', root)).toBe('plain/x.tf');
  });
});
