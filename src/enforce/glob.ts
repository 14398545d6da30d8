/**
 * Globs for assignment scopes and rule sets: `*` matches within one path segment, `**` across
 * segments, `?` one character. Everything else is literal; matching is whole-string.
 *
 * Patterns come from users (API assignments, policy files) and are matched on the admission
 * webhook's path, so matching walks the pattern as a set of positions over the value (time
 * proportional to pattern length × value length) instead of a backtracking regex, which took
 * seconds on `*?*?*?...x` against a 30-character namespace.
 */

/** Longest glob a scope or initiative may hold. */
export const MAX_GLOB_LENGTH = 512;
/** Most wildcards (`*`, `**`, `?`) in one glob. */
export const MAX_GLOB_WILDCARDS = 12;

/** What one position of a compiled glob accepts. */
type CharTest = 'any' | 'segment' | string;

/**
 * One position of a compiled glob: characters it consumes while staying (`loop`), the character
 * it consumes to move to the next position (`step`), and positions reached without consuming.
 */
interface Position {
  loop?: CharTest;
  step?: CharTest;
  skipTo?: number[];
}

function accepts(test: CharTest | undefined, c: string): boolean {
  if (test === undefined) return false;
  if (test === 'any') return true;
  if (test === 'segment') return c !== '/';
  return test === c;
}

/** The positions of `pattern`; the one past the last means the value matched. */
function compile(pattern: string): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '/') {
        // `**/` also matches no folder at all, so `infra/**/x.tf` covers `infra/x.tf`: either
        // skip both positions, or any characters ending with a `/`.
        const at = out.length;
        out.push({ skipTo: [at + 1, at + 2] }, { loop: 'any', step: '/' });
        i += 2;
      } else {
        out.push({ loop: 'any', skipTo: [out.length + 1] });
        i += 1;
      }
    } else if (c === '*') out.push({ loop: 'segment', skipTo: [out.length + 1] });
    else if (c === '?') out.push({ step: 'segment' });
    else out.push({ step: c });
  }
  return out;
}

/** Adds the positions reachable without consuming (skips only go forward: one pass). */
function close(positions: Position[], active: Uint8Array): void {
  for (let i = 0; i < positions.length; i++) {
    if (active[i]) for (const j of positions[i].skipTo ?? []) active[j] = 1;
  }
}

function run(positions: Position[], value: string): boolean {
  let active = new Uint8Array(positions.length + 1);
  let next = new Uint8Array(positions.length + 1);
  active[0] = 1;
  close(positions, active);
  for (const c of value) {
    next.fill(0);
    for (let i = 0; i < positions.length; i++) {
      if (!active[i]) continue;
      const p = positions[i];
      if (accepts(p.loop, c)) next[i] = 1;
      if (accepts(p.step, c)) next[i + 1] = 1;
    }
    close(positions, next);
    [active, next] = [next, active];
    if (!active.includes(1)) return false;
  }
  return active[positions.length] === 1;
}

const MAX_CACHED = 1_000;
const cache = new Map<string, Position[]>();

/**
 * True when `value` matches `pattern`.
 *
 * ```ts
 * globMatch('infra/**\/*.tf', 'infra/prod/main.tf'); // true
 * globMatch('prod-*', 'prod-eu');                    // true
 * ```
 */
export function globMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1 && !pattern.includes('?')) return pattern === value;
  // `prod-*`, the common shape: a prefix and the rest of one segment.
  if (star === pattern.length - 1 && !pattern.includes('?')) {
    return value.startsWith(pattern.slice(0, -1)) && !value.includes('/', star);
  }
  let positions = cache.get(pattern);
  if (!positions) {
    positions = compile(pattern);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(pattern, positions);
  }
  return run(positions, value);
}

/** True when any pattern matches. */
export function anyGlobMatch(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatch(p, value));
}

/**
 * Why `pattern` cannot be stored as a scope or rule glob, or undefined when it can: longer than
 * {@link MAX_GLOB_LENGTH}, or more than {@link MAX_GLOB_WILDCARDS} wildcards (no real scope
 * needs that many; such a pattern only costs the webhook time).
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_GLOB_LENGTH) {
    return `is ${pattern.length} characters long; a glob may have at most ${MAX_GLOB_LENGTH}`;
  }
  const wildcards = pattern.match(/\*\*|\*|\?/g)?.length ?? 0;
  if (wildcards > MAX_GLOB_WILDCARDS) {
    return `has ${wildcards} wildcards (*, **, ?); a glob may have at most ${MAX_GLOB_WILDCARDS}`;
  }
  return undefined;
}
