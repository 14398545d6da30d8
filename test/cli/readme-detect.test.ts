/** The README's account of `palisade detect` matches the command: its options, store and times. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The README's detect section: from its usage line to the next heading. */
function detectSection(): string {
  const start = readme.indexOf('`palisade detect PATH...|-`');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n#', start);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README on palisade detect', () => {
  it('lists every option detect --help shows in its options table', () => {
    const help = runPalisade(['detect', '--help']);
    expect(help.code).toBe(0);
    const flags = [...help.stdout.matchAll(/^\s+(?:(-\w), )?(--[\w-]+)/gm)]
      .map((m) => [m[1], m[2]] as const)
      .filter(([, long]) => long !== '--help');
    expect(flags.length).toBeGreaterThan(15);
    const table = detectSection()
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ')[0])
      .join('\n');
    for (const [short, long] of flags) {
      expect(table, long).toMatch(new RegExp(`(\`|, )${long}\\b`));
      if (short) expect(table, short).toMatch(new RegExp(`\`${short}, ${long}\\b`));
    }
  });

  it('says detect stores by default in ./.palisade/palisade.db, making that folder', () => {
    const section = detectSection();
    expect(section).toMatch(/by default in `\.\/\.palisade\/palisade\.db`/);
    expect(section).toMatch(/creating the `\.palisade` folder/);
  });

  it('reads a date alone in --since/--until in --timezone everywhere it explains them', () => {
    const paragraphs = detectSection()
      .split(/\n\s*\n|\n(?=\| )/)
      .filter((p) => /date\s+alone/.test(p));
    expect(paragraphs.length).toBeGreaterThan(1);
    for (const p of paragraphs) expect(p).toContain('`--timezone`');
  });
});
