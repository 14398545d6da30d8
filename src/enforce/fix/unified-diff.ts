/**
 * Unified diffs (the format `git apply` and `patch -p1` read) of a file before and after a fix,
 * from a Myers line diff: fixes touch a few lines, so the edit distance stays small.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Shortest edit script between two line lists (Myers, O((N+M)·D)). */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[max + k - 1] < v[max + k + 1]);
      let x = down ? v[max + k + 1] : v[max + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && vd[max + k - 1] < vd[max + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[max + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[x - 1] });
      x -= 1;
      y -= 1;
    }
    if (d === 0) break;
    if (down) ops.push({ kind: '+', line: b[y - 1] });
    else ops.push({ kind: '-', line: a[x - 1] });
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[x - 1] });
    x -= 1;
    y -= 1;
  }
  return ops.reverse();
}

/** Lines of a text; a last line without a newline is marked, so it never equals one with. */
function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  else if (lines.length > 0) lines[lines.length - 1] += NO_NEWLINE;
  return lines;
}

const NO_NEWLINE = '\u0000';

/**
 * The unified diff turning `before` into `after` for the file at `path` (shown as `a/path` and
 * `b/path`), with three lines of context; empty when nothing changed.
 *
 * ```ts
 * process.stdout.write(unifiedDiff('main.tf', text, fixed));
 * ```
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  while (i < ops.length) {
    if (ops[i].kind === ' ') {
      i += 1;
      oldLine += 1;
      newLine += 1;
      continue;
    }
    // A hunk: context before, then on until more than 2 × context unchanged lines in a row.
    const lead = Math.min(context, i);
    let end = i;
    let lastChange = i;
    while (end < ops.length) {
      if (ops[end].kind !== ' ') lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end += 1;
    }
    end = Math.min(ops.length, lastChange + 1 + context);
    const hunk = ops.slice(i - lead, end);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    const oldStart = oldLine - lead;
    const newStart = newLine - lead;
    out.push(
      `@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} ` +
        `+${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`,
    );
    for (const op of hunk) {
      const bare = op.line.endsWith(NO_NEWLINE);
      out.push(`${op.kind}${bare ? op.line.slice(0, -1) : op.line}`);
      if (bare) out.push('\\ No newline at end of file');
    }
    for (const op of ops.slice(i, end)) {
      if (op.kind !== '+') oldLine += 1;
      if (op.kind !== '-') newLine += 1;
    }
    i = end;
  }
  return out.join('\n') + '\n';
}
