// A file that held resources and then no reader recognises (an inventory export job that wrote
// its error message where the inventory was) resolves nothing: its resources were not read, they
// did not leave. A file that never was an input does not hold anything else back: a resource
// of a deleted file is still `gone`.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { findingChanges } from '../../src/store/finding-lifecycle.js';
import { failingOn, lifecycleScanners, statesOf, type Scan } from './lifecycle-scans.js';
import { STORE_TARGETS } from './store-targets.js';

const rules = await loadRules();

const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
spec:
  containers:
    - name: ${name}
      image: nginx:latest
      securityContext:
        privileged: true
`;
const WEB = 'shop/Pod/web';
const DB = 'shop/Pod/db';

const root = mkdtempSync(join(tmpdir(), 'palisade-unrecognised-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (file: string, text: string) => writeFileSync(join(root, file), text);

const scanners = lifecycleScanners(root, rules);

async function story(scan: Scan) {
  write('a.yaml', pod('web'));
  write('b.yaml', pod('db'));
  // Never an input: read as unrecognised in every scan.
  write('notes.json', '{"owner": "platform team"}\n');
  const clean = await scan();
  // The export of a.yaml failed and wrote its error; b.yaml was really deleted.
  write('a.yaml', 'error: AccessDenied\nmessage: the export job could not list pods\n');
  rmSync(join(root, 'b.yaml'));
  const failedExport = await scan();
  write('a.yaml', pod('web'));
  const restored = await scan();
  rmSync(join(root, 'a.yaml'));
  const deleted = await scan();
  return { clean, failedExport, restored, deleted };
}

const stories = new Map<string, Awaited<ReturnType<typeof story>>>();
for (const s of scanners) stories.set(s.name, await story(s.scan));

const states = statesOf;

describe('the story scans read what the test expects', () => {
  it.each(scanners)('$name: a.yaml unrecognised once, notes.json always', ({ name }) => {
    const { clean, failedExport, restored, deleted } = stories.get(name)!;
    expect(failingOn(clean, WEB).length).toBeGreaterThan(1);
    expect(failingOn(clean, DB)).toEqual(failingOn(clean, WEB));
    const unrecognised = (a: AssessmentResult) =>
      a.files
        .filter((f) => f.kind === 'unrecognised')
        .map((f) => f.file.split(/[\\/]/).pop())
        .sort();
    expect(unrecognised(clean)).toEqual(['notes.json']);
    expect(unrecognised(failedExport)).toEqual(['a.yaml', 'notes.json']);
    expect(failedExport.resources).toEqual([]);
    expect(failingOn(restored, WEB)).toEqual(failingOn(clean, WEB));
    expect(deleted.resources).toEqual([]);
    for (const a of [clean, failedExport, restored, deleted])
      expect(a.files.some((f) => f.error)).toBe(false);
  });
});

describe.each(STORE_TARGETS)('findings of a file no reader recognises ($name)', (target) => {
  it.skipIf(target.skip).each(scanners)(
    '$name: stay open while the file is unrecognised, and leave with the file',
    ({ name, save }) =>
      target.with(async ({ db }) => {
        const { clean, failedExport, restored, deleted } = stories.get(name)!;
        await save(db, clean);
        const before = await states(db, WEB);
        expect(before.map((s) => s.rule_id)).toEqual(failingOn(clean, WEB));

        // web is held exactly as it was; db, whose file was deleted, is gone all the same.
        await save(db, failedExport);
        const changes = await findingChanges(db, failedExport.id);
        expect(changes?.new).toEqual([]);
        expect(changes?.resolved.map((c) => [c.resourceId, c.ruleId, c.reason]).sort()).toEqual(
          failingOn(clean, DB).map((r) => [DB, r, 'gone']),
        );
        expect(await states(db, WEB)).toEqual(before);

        // Read again: still open, nothing reopened or new.
        await save(db, restored);
        const again = await findingChanges(db, restored.id);
        expect(again?.new).toEqual([]);
        expect(again?.reopened).toEqual([]);
        expect(again?.resolved).toEqual([]);
        expect((await states(db, WEB)).every((s) => s.status === 'open')).toBe(true);

        // a.yaml deleted, every remaining file read as before: web has left.
        await save(db, deleted);
        const gone = await findingChanges(db, deleted.id);
        expect(gone?.resolved.map((c) => [c.resourceId, c.ruleId, c.reason]).sort()).toEqual(
          failingOn(clean, WEB).map((r) => [WEB, r, 'gone']),
        );
      }),
  );
});
