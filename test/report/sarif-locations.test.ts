/** SARIF names a file so code scanning can map it, from whichever folder the scan ran. */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderSarif } from '../../src/report/sarif-report.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-sarif-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n';

async function locations(dir: string) {
  const rules = await loadRules();
  const log = JSON.parse(renderSarif(await assess({ paths: [dir], rules }), rules)) as {
    runs: {
      results: {
        locations: {
          physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } };
        }[];
      }[];
    }[];
  };
  return new Set(
    log.runs[0].results.map((r) =>
      JSON.stringify(r.locations[0].physicalLocation.artifactLocation),
    ),
  );
}

describe('SARIF artifact locations', () => {
  it('are relative to the repository root for a file in a git work tree', async () => {
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'infra'), { recursive: true });
    writeFileSync(join(repo, 'infra', 'main.tf'), BUCKET);
    execFileSync('git', ['init', '-q', repo]);
    expect([...(await locations(join(repo, 'infra')))]).toEqual([
      JSON.stringify({ uri: 'infra/main.tf', uriBaseId: '%SRCROOT%' }),
    ]);
  });

  it('are absolute file URLs outside any repository and the working folder', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'main.tf'), BUCKET);
    expect([...(await locations(plain))]).toEqual([
      JSON.stringify({ uri: `file://${join(plain, 'main.tf')}` }),
    ]);
  });
});
