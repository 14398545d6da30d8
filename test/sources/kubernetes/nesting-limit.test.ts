/**
 * A manifest nested past the 500 levels Palisade reads is refused as the JSON readers refuse one:
 * the error names the file, the line where nesting passes the limit, and the limit, whether the
 * nesting is block or flow style and however deep it runs.
 */

import { describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import { kubernetesManifestReader as reader } from '../../../src/sources/kubernetes/index.js';
import { MAX_MANIFEST_DEPTH } from '../../../src/sources/kubernetes/manifest-documents.js';

const FILE = '/tmp/deep.yaml';
const HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n';

/**
 * A ConfigMap whose `data` holds maps `levels` deep in block style, one key a line: the manifest
 * is a map (level 1) and `data` opens level 2 on line 6, so level n opens on line n + 4.
 */
function blockNested(levels: number): string {
  const keys = Array.from({ length: levels - 1 }, (_, i) => `${'  '.repeat(i + 1)}k:`);
  return `${HEAD}${keys.join('\n')}\n${'  '.repeat(levels)}v\n`;
}

async function refusal(text: string): Promise<SourceReadError> {
  try {
    await reader.read({ path: FILE, text });
  } catch (err) {
    if (err instanceof SourceReadError) return err;
    throw err;
  }
  throw new Error('the manifest was read without error');
}

describe('Kubernetes manifests nested past the limit', () => {
  it('reads a manifest nested exactly as deep as the limit', async () => {
    expect(MAX_MANIFEST_DEPTH).toBe(500);
    const { resources } = await reader.read({ path: FILE, text: blockNested(500) });
    expect(resources).toHaveLength(1);
  });

  it('names the file, the line and the limit for block nesting one level too deep', async () => {
    const error = await refusal(blockNested(501));
    expect(error).toMatchObject({ code: 'TOO_LARGE', file: FILE, line: 505 });
    expect(error.message).toBe(
      `${FILE}:505: manifest nests maps and lists more than 500 levels deep, past the 500 levels Palisade reads; flatten the document`,
    );
  });

  it('names the line where nesting passes the limit when the parser gives out far deeper', async () => {
    const error = await refusal(blockNested(1_500));
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 505 });
    expect(error.message).toMatch(/more than 500 levels deep, past the 500 levels Palisade reads/);
  });

  it('names the line and the limit for compact sequences nested thousands deep', async () => {
    const error = await refusal(`${HEAD}  x:\n    ${'- '.repeat(5_000)}v\n`);
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 7 });
    expect(error.message).toMatch(/more than 500 levels deep, past the 500 levels Palisade reads/);
  });

  it('names the line and the limit for flow nesting, as a JSON manifest writes it', async () => {
    const error = await refusal(`${HEAD}  x: ${'['.repeat(600)}${']'.repeat(600)}\n`);
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 6 });
    expect(error.message).toMatch(/more than 500 levels deep, past the 500 levels Palisade reads/);
  });

  it('counts block and flow nesting together', async () => {
    const flow = `${'['.repeat(150)}${']'.repeat(150)}`;
    const error = await refusal(blockNested(400).replace(/v\n$/, `${flow}\n`));
    expect(error).toMatchObject({ code: 'TOO_LARGE', line: 405 });
  });
});
