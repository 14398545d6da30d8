/**
 * Rule files read from a snapshot (their YAML read ahead of time into JSON) load into exactly the
 * rules, and the same unusable-rule entries with the same lines, as their YAML does; a file
 * edited since its snapshot is read as YAML; the built-in rules' snapshot is current.
 *
 * After editing a built-in rule, write its snapshot again with
 * `PALISADE_WRITE_RULE_SNAPSHOT=1 npx vitest run test/detect/sigma/rule-snapshot.test.ts`.
 */

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_RULES_DIR,
  BUILTIN_RULES_SNAPSHOT,
  loadDetectionRules,
} from '../../../src/detect/detect.js';
import { loadSigmaRules } from '../../../src/detect/sigma/rule-loader.js';
import {
  readRuleSnapshot,
  snapshotOfText,
  takeRuleSnapshot,
} from '../../../src/detect/sigma/rule-snapshot.js';
import { shared } from '../../support/paths.js';

const SIGMA = shared('sigma-rules/rules');

if (process.env.PALISADE_WRITE_RULE_SNAPSHOT === '1') {
  const taken = await takeRuleSnapshot(BUILTIN_RULES_DIR);
  writeFileSync(BUILTIN_RULES_SNAPSHOT, JSON.stringify(taken) + '\n');
}

/** A folder holding `files` (name -> text). */
function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-rule-snapshot-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('built-in rules snapshot', () => {
  it('is the snapshot of the built-in rules as they are now, every file in it', async () => {
    const taken = await takeRuleSnapshot(BUILTIN_RULES_DIR);
    const names = readdirSync(BUILTIN_RULES_DIR).filter((n) => /\.ya?ml$/.test(n));
    expect(Object.keys(taken).sort()).toEqual(names.sort());
    expect(readRuleSnapshot(BUILTIN_RULES_SNAPSHOT)).toEqual(taken);
  });

  it('loads the built-in rules as their YAML does, with and without placeholders', async () => {
    const snapshot = readRuleSnapshot(BUILTIN_RULES_SNAPSHOT);
    expect(snapshot).toBeDefined();
    const withAccounts: Record<string, string[]> = {
      BreakGlassAccounts: ['breakglass@example.com'],
    };
    for (const placeholders of [{}, withAccounts]) {
      const options = { placeholders, defaultLicense: 'Apache-2.0' };
      const fromYaml = await loadSigmaRules([BUILTIN_RULES_DIR], options);
      const fromSnapshot = await loadSigmaRules([BUILTIN_RULES_DIR], options, snapshot);
      expect(fromSnapshot).toEqual(fromYaml);
      expect(fromSnapshot.rules.length).toBeGreaterThan(5);
    }
    // detect's own loading goes through the snapshot and lists the waiting rule at its line.
    const loaded = await loadDetectionRules({});
    const yaml = await loadSigmaRules([BUILTIN_RULES_DIR], {
      placeholders: {},
      defaultLicense: 'Apache-2.0',
    });
    expect(loaded.rules).toEqual(yaml.rules);
    expect(loaded.unsupported).toEqual(yaml.unsupported);
  });
});

describe('rule snapshots', () => {
  it("load SigmaHQ's rules as their YAML does", async () => {
    const snapshot = await takeRuleSnapshot(SIGMA);
    // Nearly every real rule file is plain enough for a snapshot.
    expect(Object.keys(snapshot).length).toBeGreaterThan(300);
    const fromYaml = await loadSigmaRules([SIGMA], { defaultLicense: 'DRL-1.1' });
    const fromSnapshot = await loadSigmaRules([SIGMA], { defaultLicense: 'DRL-1.1' }, snapshot);
    expect(fromSnapshot).toEqual(fromYaml);
  });

  it('name unusable rules at the same lines as their YAML does', async () => {
    const dir = ruleDir({
      'broken.yml': `title: Unknown modifier deep down
id: 11111111-1111-4111-8111-111111111111
logsource:
  product: linux
detection:
  selection:
    - user: root
    - process:
        name|nosuchmodifier: x
  condition: selection
---
title: Condition naming nothing
id: 22222222-2222-4222-8222-222222222222
logsource:
  product: linux
detection:
  selection:
    user: root
  condition: selection and missing
---
title: Placeholder waiting
id: 33333333-3333-4333-8333-333333333333
logsource:
  product: linux
detection:
  selection:
    user|expand: '%Admins%'
  condition: selection
---
just: some other yaml
---
title: Correlation of an unknown rule
id: 44444444-4444-4444-8444-444444444444
correlation:
  type: event_count
  rules:
    - nothing_by_this_name
  group-by:
    - user
  timespan: 10m
  condition:
    gte: 5
`,
      'numbers.yml': `title: Numeric keys
id: 55555555-5555-4555-8555-555555555555
logsource:
  product: linux
detection:
  selection:
    EventID: 4625
    7: seven
  condition: selection
`,
    });
    const snapshot = await takeRuleSnapshot(dir);
    expect(Object.keys(snapshot).sort()).toEqual(['broken.yml', 'numbers.yml']);
    const fromYaml = await loadSigmaRules([dir], {});
    const fromSnapshot = await loadSigmaRules([dir], {}, snapshot);
    expect(fromSnapshot).toEqual(fromYaml);
    // The other YAML, the modifier deep in a list, the condition, the placeholder's field, the
    // correlation (checked once every file is read).
    expect(fromYaml.unsupported.map((u) => u.line)).toEqual([30, 9, 19, 27, 32]);
  });

  it('read a file edited since as YAML', async () => {
    const before =
      'title: Before\nlogsource:\n  product: linux\ndetection:\n  s:\n    a: 1\n  condition: s\n';
    const dir = ruleDir({ 'rule.yml': before });
    const snapshot = await takeRuleSnapshot(dir);
    writeFileSync(join(dir, 'rule.yml'), before.replace('Before', 'After'));
    const loaded = await loadSigmaRules([dir], {}, snapshot);
    expect(loaded.rules.map((r) => r.title)).toEqual(['After']);
  });

  it('leave out files that are not plain: anchors, collections, YAML errors', () => {
    const rule =
      'title: R\nlogsource:\n  product: linux\ndetection:\n  s:\n    a: 1\n  condition: s\n';
    expect(snapshotOfText(rule)).toBeDefined();
    expect(snapshotOfText(rule.replace('a: 1', 'a: &x 1\n    b: *x'))).toBeUndefined();
    expect(snapshotOfText(`action: global\n${rule}`)).toBeUndefined();
    expect(snapshotOfText(`${rule}title: again\n`)).toBeUndefined();
    expect(snapshotOfText(rule.replace('a: 1', 'a: [1'))).toBeUndefined();
    expect(snapshotOfText(rule.replace('a: 1', '? [a, b]\n    : 1'))).toBeUndefined();
    expect(snapshotOfText('- a list\n')).toBeUndefined();
  });
});
