/**
 * Symbolic links that name nothing readable, as `scan` and `check` walk them: a link loop (ELOOP)
 * is said to be one, naming the link, whether named or found in a folder; a link to nothing
 * named, or found in a folder under an input's name, is said to point at nothing, not called
 * missing.
 */

import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';
import { runCiCheck } from '../../src/enforce/ci-check.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-link-loops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder with a pod manifest and two links naming each other (`ln -s loop2 loop1`, ...). */
function folderWithLoop(): string {
  const dir = mkdtempSync(join(work, 'dir-'));
  writeFileSync(
    join(dir, 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n',
  );
  symlinkSync('loop2', join(dir, 'loop1'));
  symlinkSync('loop1', join(dir, 'loop2'));
  return dir;
}

const LOOP = /: is a symbolic link loop \(ELOOP\)/;

describe('symbolic link loops', () => {
  it('names a loop given as the path itself as a link loop, not as missing', async () => {
    const dir = folderWithLoop();
    const read = await readPaths([join(dir, 'loop1')]);
    expect(read.files).toHaveLength(1);
    const error = read.files[0].error!;
    expect(error.code).toBe('IO_ERROR');
    expect(error.file).toMatch(/loop1$/);
    expect(error.message).toMatch(LOOP);
    expect(error.message).not.toMatch(/no such file/);
  });

  it('names each loop found in a folder, and still reads the rest of it', async () => {
    const dir = folderWithLoop();
    const read = await readPaths([dir]);
    const errors = read.files.filter((f) => f.error).map((f) => f.error!);
    expect(errors.map((e) => e.file.replace(/^.*\//, ''))).toEqual(['loop1', 'loop2']);
    for (const e of errors) expect(e.message).toMatch(LOOP);
    expect(read.resources.map((r) => r.name)).toEqual(['web']);
  });

  it('fails the gate on a folder holding a loop, naming it', async () => {
    const dir = folderWithLoop();
    const result = await runCiCheck({ paths: [dir], rules: [], assignments: [] });
    expect(result.inputErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/loop1: is a symbolic link loop \(ELOOP\)/),
      expect.stringMatching(/loop2: is a symbolic link loop \(ELOOP\)/),
    ]);
  });

  it('names a link to nothing found in a folder when it is named as an input would be', async () => {
    const dir = mkdtempSync(join(work, 'dangling-in-folder-'));
    writeFileSync(
      join(dir, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n',
    );
    symlinkSync('../moved/deploy.yaml', join(dir, 'deploy.yaml'));
    symlinkSync('release-41', join(dir, 'current'));
    const read = await readPaths([dir]);
    const errors = read.files.filter((f) => f.error).map((f) => f.error!);
    expect(errors.map((e) => e.file.replace(/^.*\//, ''))).toEqual(['deploy.yaml']);
    expect(errors[0].message).toMatch(
      /deploy\.yaml: is a symbolic link to \.\.\/moved\/deploy\.yaml, which does not exist$/,
    );
    expect(read.resources.map((r) => r.name)).toEqual(['web']);
  });

  it('says a named link to nothing points at nothing, and a missing path is missing', async () => {
    const dir = mkdtempSync(join(work, 'dangling-'));
    symlinkSync('gone.yaml', join(dir, 'link.yaml'));
    const read = await readPaths([join(dir, 'link.yaml'), join(dir, 'nothing.yaml')]);
    expect(read.files.map((f) => f.error?.message.replace(/^.*\//, ''))).toEqual([
      'link.yaml: is a symbolic link to gone.yaml, which does not exist',
      'nothing.yaml: no such file or folder',
    ]);
  });
});
