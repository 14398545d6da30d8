import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/report/terminal-text.js';
import { REPO_ROOT } from '../support/paths.js';

const ESC = '\u001b';
const BEL = '\u0007';

function palisade(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('text shown in a terminal', () => {
  it('writes control and bidi characters as escapes and leaves other text alone', () => {
    expect(printable(`root${ESC}]0;pwned${BEL}${ESC}[2J`)).toBe('root\\x1b]0;pwned\\x07\\x1b[2J');
    expect(printable('evil\u202etxt.exe')).toBe('evil\\u202etxt.exe');
    expect(printable('a\nb\u0085c\u007f')).toBe('a\\x0ab\\x85c\\x7f');
    expect(printable('ünïcödé → 日本 ✓')).toBe('ünïcödé → 日本 ✓');
  });

  it('detect prints an attacker-chosen SSH user name without its escape sequences', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-tty-'));
    const user = `x${ESC}]0;pwned${BEL}${ESC}[2Jevil`;
    const lines = Array.from(
      { length: 10 },
      (_, i) =>
        `Dec  4 10:00:${String(i).padStart(2, '0')} bastion sshd[1]: Failed password for invalid user ${user} from 198.51.100.7 port ${4000 + i} ssh2`,
    );
    writeFileSync(join(dir, 'auth.log'), lines.join('\n') + '\n');
    const run = palisade(
      'detect',
      join(dir, 'auth.log'),
      '--no-store',
      '--no-color',
      '--year',
      '2026',
    );
    expect(run.stdout).toContain('198.51.100.7');
    expect(run.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2Jevil');
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout).not.toContain(BEL);
  });

  it('scan prints a resource name with escape sequences as inert text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-tty-'));
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "aws_security_group" "open" {
  name = "\\u001b[31mRED\\u001b[0m"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    );
    const run = palisade('scan', dir, '--no-store', '--no-color');
    expect(run.stdout).toContain('\\x1b[31mRED\\x1b[0m');
    expect(run.stdout).not.toContain(ESC);
    // CSV goes to the terminal as often as to a file: its cells are inert text too.
    const csv = palisade('scan', dir, '--no-store', '--format', 'csv');
    expect(csv.stdout).toContain('\\x1b[31mRED\\x1b[0m');
    expect(csv.stdout).not.toContain(ESC);
  });
});
