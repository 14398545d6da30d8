/**
 * `palisade fix --write` writes only inside the paths it was given: never through a symbolic link
 * that leads out of them, and a shared module outside them only when the user allows it.
 */

import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceFile, ReplaceRefused } from '../../src/enforce/fix/replace-file.js';
import { runPalisade } from '../support/cli.js';

const VOLUME = (name: string) =>
  `resource "aws_ebs_volume" "${name}" {\n  availability_zone = "us-east-1a"\n  size              = 10\n}\n`;

const POD = (name: string) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  containers:',
    '    - name: app',
    '      image: nginx:1.27',
    '',
  ].join('\n');

function write(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A repository whose `infra/link.tf` and `k8s/linked/` are links to files outside it. */
function repositoryWithLinksOut() {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-fix-links-')));
  const repo = join(top, 'repo');
  const secret = write(join(top, 'outside/secret.tf'), VOLUME('secret'));
  const manifest = write(join(top, 'outside/manifests/pod.yaml'), POD('outpod'));
  const inside = write(join(repo, 'infra/main.tf'), VOLUME('inside'));
  symlinkSync('../../outside/secret.tf', join(repo, 'infra/link.tf'));
  mkdirSync(join(repo, 'k8s'));
  symlinkSync('../../outside/manifests', join(repo, 'k8s/linked'));
  return { repo, secret, manifest, inside };
}

describe('palisade fix --write and symbolic links', () => {
  it('writes nothing through a link that leads outside the given paths, and says so', () => {
    const { repo, secret, manifest, inside } = repositoryWithLinksOut();
    const run = runPalisade(['fix', join(repo, 'infra'), join(repo, 'k8s'), '--write']);

    expect(run.code, run.stderr).toBe(2);
    expect(readFileSync(secret, 'utf8')).toBe(VOLUME('secret'));
    expect(readFileSync(manifest, 'utf8')).toBe(POD('outpod'));
    expect(lstatSync(join(repo, 'infra/link.tf')).isSymbolicLink()).toBe(true);
    expect(run.stderr).toContain(`infra/link.tf is a symbolic link to ../../outside/secret.tf`);
    expect(run.stderr).toContain(`k8s/linked is a symbolic link to ../../outside/manifests`);
    expect(run.stderr).toContain(secret);
    // The file inside the given paths is still fixed.
    expect(readFileSync(inside, 'utf8')).toContain('encrypted = true');
  });

  it('leaves a link out of the dry-run patch too, and exits non-zero', () => {
    const { repo, secret, manifest } = repositoryWithLinksOut();
    const run = runPalisade(['fix', join(repo, 'infra'), join(repo, 'k8s')]);
    expect(run.code, run.stderr).toBe(2);
    // Judging the fixed module again (from a scratch copy) must not write through the link either.
    expect(readFileSync(secret, 'utf8')).toBe(VOLUME('secret'));
    expect(readFileSync(manifest, 'utf8')).toBe(POD('outpod'));
    expect(run.stdout).toContain('+++ b/infra/main.tf');
    expect(run.stdout).not.toContain('link.tf');
    expect(run.stdout).not.toContain('pod.yaml');
  });

  it('writes through a link inside the given paths to its target, keeping the link', () => {
    const top = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-fix-links-')));
    const target = write(join(top, 'k8s/v2/pod.yaml'), POD('web'));
    symlinkSync('v2', join(top, 'k8s/current'));

    // The patch names the target, not the path through the link, which `git apply` refuses.
    const dry = runPalisade(['fix', join(top, 'k8s')]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+++ b/v2/pod.yaml');
    writeFileSync(join(top, 'fix.patch'), dry.stdout);
    execFileSync('git', ['init', '-q', join(top, 'k8s')]);
    execFileSync('git', ['-C', join(top, 'k8s'), 'apply', '--check', join(top, 'fix.patch')]);

    const run = runPalisade(['fix', join(top, 'k8s'), '--write']);

    expect(run.code, run.stderr).toBe(0);
    expect(readlinkSync(join(top, 'k8s/current'))).toBe('v2');
    expect(readFileSync(target, 'utf8')).toContain('allowPrivilegeEscalation: false');
  });
});

describe('replaceFile', () => {
  it('refuses a file swapped for a link since it was read, and writes nothing through it', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-replace-')));
    const elsewhere = write(join(dir, 'elsewhere.tf'), 'kept\n');
    const file = join(dir, 'main.tf');
    symlinkSync(elsewhere, file);

    await expect(replaceFile(file, 'kept\n', 'changed\n')).rejects.toBeInstanceOf(ReplaceRefused);
    expect(readFileSync(elsewhere, 'utf8')).toBe('kept\n');
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
  });

  it('refuses a file changed since it was read, and replaces one that was not', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-replace-')));
    const file = write(join(dir, 'main.tf'), 'edited by hand\n');
    await expect(replaceFile(file, 'as read\n', 'fixed\n')).rejects.toThrow(/changed since/);
    expect(readFileSync(file, 'utf8')).toBe('edited by hand\n');

    await replaceFile(file, 'edited by hand\n', 'fixed\n');
    expect(readFileSync(file, 'utf8')).toBe('fixed\n');
    rmSync(dir, { recursive: true });
  });
});

describe('palisade fix and a shared module outside the given paths', () => {
  /** `envs/prod` calls `modules/vol`, which holds an unencrypted volume. */
  function repository() {
    const repo = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-fix-module-')));
    write(join(repo, 'envs/prod/main.tf'), 'module "vol" {\n  source = "../../modules/vol"\n}\n');
    const shared = write(join(repo, 'modules/vol/main.tf'), VOLUME('v'));
    // Local modules outside the folder scanned are read inside the git repository holding it.
    execFileSync('git', ['init', '-q', repo]);
    return { repo, shared };
  }

  it('refuses to write it without --allow-outside, naming the file and why', () => {
    const { repo, shared } = repository();
    const run = runPalisade(['fix', join(repo, 'envs/prod'), '--write']);
    expect(run.code, run.stderr).toBe(2);
    expect(readFileSync(shared, 'utf8')).toBe(VOLUME('v'));
    expect(run.stderr).toContain(`refused ${shared} lies outside the paths given`);
    expect(run.stderr).toContain('module.vol.aws_ebs_volume.v is read through a module call');
    expect(run.stderr).toContain('--allow-outside');
  });

  it('shows it in the dry-run patch with a notice', () => {
    const { repo } = repository();
    const run = runPalisade(['fix', join(repo, 'envs/prod')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('+++ b/modules/vol/main.tf');
    expect(run.stderr).toMatch(/modules\/vol\/main\.tf lies outside the paths given/);
  });

  it('writes it with --allow-outside', () => {
    const { repo, shared } = repository();
    const run = runPalisade(['fix', join(repo, 'envs/prod'), '--write', '--allow-outside']);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(shared, 'utf8')).toContain('encrypted = true');
  });
});
