/**
 * Lines from byte chunks: split wherever the chunks fall (inside a line, a CRLF or a multi-byte
 * character), each decoded as its own string, overlong lines reported by size.
 */

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineBatches, OverlongLine, type Line } from '../../src/logs/line-input.js';

async function lines(chunks: (Buffer | string)[], max?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of lineBatches(Readable.from(chunks), max)) out.push(...batch);
  return out;
}

/** Every way of cutting `bytes` in two. */
function cuts(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

describe('lineBatches', () => {
  const text = '\uFEFFJan  1 00:00:01 h sshd[1]: é ü 𝄞\r\nsecond line\n\nlast without break';
  const expected = ['Jan  1 00:00:01 h sshd[1]: é ü 𝄞', 'second line', '', 'last without break'];

  it('gives the same lines however the bytes are cut', async () => {
    for (const parts of cuts(Buffer.from(text))) {
      expect(await lines(parts.filter((p) => p.length > 0))).toEqual(expected);
    }
  });

  it('reads string chunks as their UTF-8 bytes', async () => {
    expect(await lines([text.slice(0, 20), text.slice(20)])).toEqual(expected);
  });

  it('reports a line over the cap by its size and goes on', async () => {
    const long = 'x'.repeat(50);
    const out = await lines([`ok\n${long.slice(0, 30)}`, `${long.slice(30)}\nafter\n`], 40);
    expect(out[0]).toBe('ok');
    expect(out[1]).toBeInstanceOf(OverlongLine);
    expect((out[1] as OverlongLine).length).toBe(50);
    expect(out[2]).toBe('after');
    expect(out).toHaveLength(3);
  });

  it('turns a broken UTF-8 sequence into U+FFFD within its own line only', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('\nb\n'),
    ]);
    expect(await lines([bytes])).toEqual(['a\uFFFD', 'b']);
  });
});
