/**
 * A file saved as UTF-16 (Windows editors, PowerShell's Out-File) is named as such, once, instead
 * of a line of "invalid character" errors; a UTF-8 file with a BOM reads as before.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';
import { assertUtf8Text } from '../../src/sources/text-encoding.js';

const BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "reports"\n}\n';
const POD =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: a, image: nginx}]}\n';

/** `text` as UTF-16LE with its byte order mark, as Windows tools write it. */
function utf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

describe('text encoding of IaC files', () => {
  it('names a UTF-16 Terraform folder and Kubernetes manifest, and reads the UTF-8 ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-utf16-'));
    const tf = join(dir, 'tf');
    mkdirSync(tf);
    writeFileSync(join(tf, 'main.tf'), utf16(BUCKET));
    writeFileSync(join(dir, 'pod.yaml'), utf16(POD));
    writeFileSync(join(dir, 'pod-utf8.yaml'), `\ufeff${POD}`);
    const read = await readPaths([tf, join(dir, 'pod.yaml'), join(dir, 'pod-utf8.yaml')]);
    const errors = read.files.filter((f) => f.error).map((f) => f.error!.message);
    expect(errors).toHaveLength(2);
    for (const message of errors) expect(message).toMatch(/UTF-16 encoded; .*re-save it as UTF-8/);
    expect(read.resources.map((r) => r.name)).toEqual(['web']);
  });

  it('calls binary .tf and .json files binary, not UTF-16, even when they open with bytes that are not UTF-8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-binary-'));
    const tf = join(dir, 'tf');
    mkdirSync(tf);
    // Deterministic noise: invalid UTF-8 lead bytes first (they decode as the two replacement
    // characters a UTF-16 byte order mark gives), then every byte value, NUL included.
    const noise = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 151 + 7) % 256));
    writeFileSync(join(tf, 'main.tf'), Buffer.concat([Buffer.from([0x80, 0x81]), noise]));
    writeFileSync(join(dir, 'blob.json'), Buffer.concat([Buffer.from([0xfe, 0xff]), noise]));
    const read = await readPaths([tf, join(dir, 'blob.json')]);
    const errors = read.files.filter((f) => f.error).map((f) => f.error!.message);
    expect(errors).toHaveLength(2);
    for (const message of errors) {
      expect(message).toMatch(/binary, not a text file/);
      expect(message).not.toMatch(/UTF-16/);
    }
  });

  it('names big-endian UTF-16, with or without a byte order mark', () => {
    const be = Buffer.from(BUCKET, 'utf16le').swap16();
    for (const bytes of [Buffer.concat([Buffer.from([0xfe, 0xff]), be]), be]) {
      expect(() => assertUtf8Text('main.tf', bytes.toString('utf8'))).toThrow(/UTF-16 encoded/);
    }
  });

  it('calls a NUL-laden file not text, and leaves ordinary text alone', () => {
    expect(() => assertUtf8Text('blob.json', '{"a":\u0000\u0001\u0002}')).toThrow(
      /not a text file/,
    );
    expect(() => assertUtf8Text('ok.tf', BUCKET)).not.toThrow();
  });
});
