/**
 * A key named `constructor` is data like any other. cel-js typed a value by its `constructor`
 * property, so `constructor: {}` beside `privileged: true` in a manifest made the object an
 * unsupported type, the rules' optional reads absent, and 17 rules of a privileged pod pass.
 * Here every object of real inputs gets such a key, and every verdict must stay as it was.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { AssessmentResult } from '../../src/model/assessment.js';
import { assess } from '../../src/posture/assess.js';
import { compileExpression } from '../../src/posture/rule-environment.js';
import { loadRules } from '../../src/posture/rule-loader.js';

const SHARED = resolve(fileURLToPath(new URL('../../../shared/data/', import.meta.url)));
const rules = await loadRules();
const work = mkdtempSync(join(tmpdir(), 'palisade-constructor-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of `value` with `constructor` set to `marker` in every object, arrays' included. */
function withConstructorKeys(value: unknown, marker: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => withConstructorKeys(v, marker));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withConstructorKeys(v, marker);
  Object.defineProperty(out, 'constructor', {
    value: marker,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return out;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Copies `files` (relative to `root`) into a fresh folder with every object keyed `constructor`. */
function mirror(root: string, files: string[], marker: unknown): string {
  const out = mkdtempSync(join(work, 'mirror-'));
  for (const file of files) {
    const target = join(out, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.json')) {
      writeFileSync(target, JSON.stringify(withConstructorKeys(JSON.parse(text), marker), null, 2));
    } else {
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
      writeFileSync(
        target,
        docs.map((d) => stringify(withConstructorKeys(d, marker))).join('---\n'),
      );
    }
  }
  return out;
}

const verdicts = (a: AssessmentResult) =>
  a.findings.map((f) => `${f.status} ${f.ruleId} ${f.resourceType} ${f.resourceName}`).sort();

const INPUTS = [
  { name: 'Kubernetes Goat manifests', dir: 'iac/kubernetes-goat/scenarios', files: /\.ya?ml$/ },
  {
    name: 'Azure ARM bodies',
    dir: 'cloud-inventory/azure/azure-rest-api-specs-examples',
    files: /\.json$/,
  },
  {
    name: 'AWS Config items',
    dir: 'cloud-inventory/aws/cloud-custodian-config-items',
    files: /\.json$/,
  },
  {
    name: 'GCP asset inventory',
    dir: 'cloud-inventory/gcp/policy-library-cai-assets',
    files: /\.json$/,
  },
];

describe('a key named constructor in every object of real inputs', () => {
  it.each(INPUTS)('leaves every verdict on $name as it was', async ({ dir, files }) => {
    const root = join(SHARED, dir);
    // Helm templates are not manifests until rendered: left out, as the scan errors on them.
    const chosen = filesUnder(root, files).filter((f) => !f.includes('/templates/'));
    const plain = await assess({ paths: [mirror(root, chosen, undefined)], rules });
    const failing = plain.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    for (const marker of [{}, 1, 'x', [true]]) {
      const keyed = await assess({ paths: [mirror(root, chosen, marker)], rules });
      expect(keyed.resources.length).toBe(plain.resources.length);
      expect(verdicts(keyed)).toEqual(verdicts(plain));
    }
  });

  it('is an attribute like any other in Terraform', async () => {
    const dir = mkdtempSync(join(work, 'terraform-'));
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "aws_security_group" "open" {
  name        = "open"
  description = "ssh from anywhere"
  constructor = "y"
  ingress {
    constructor = {}
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    );
    const a = await assess({ paths: [dir], rules });
    expect(a.files.filter((f) => f.error)).toEqual([]);
    expect(a.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId)).toContain(
      'aws-ec2-sg-no-public-ssh',
    );
  });

  it('is read by a rule like any other field, compiled, with fast paths or interpreted', () => {
    const source = "r.constructor == 'x' && r.?spec.?constructor.orValue(0) == 1 && r.spec.on";
    const r = { constructor: 'x', spec: { constructor: 1, on: true } };
    for (const options of [{}, { compiled: false }, { fastPaths: false }]) {
      expect(compileExpression(source, options)({ r })).toBe(true);
    }
  });
});
