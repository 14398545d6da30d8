/**
 * Many literal strings searched at once: one trie over their UTF-16 code units, walked once per
 * text whatever the number of literals (Aho–Corasick for `contains`, a plain walk for the ends).
 * Comparison is by code unit, as `String.prototype.includes` compares.
 */

/** A test of one text against a whole list of literals. */
export type LiteralListTest = (text: string) => boolean;

/**
 * True when `text` contains any of `needles`: one pass over the text through the Aho–Corasick
 * automaton of the needles, so the time per text does not grow with their number.
 *
 * ```ts
 * const test = containsAny(['mimikatz', 'rubeus']);
 * test('c:\\tools\\rubeus.exe'); // true
 * ```
 */
export function containsAny(needles: Iterable<string>): LiteralListTest {
  const trie = buildTrie(needles);
  if (trie.terminal[ROOT]) return () => true;
  const { fail, hit } = failureLinks(trie);
  return (text) => {
    let state = ROOT;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      for (;;) {
        const next = child(trie, state, code);
        if (next > 0) {
          state = next;
          break;
        }
        if (state === ROOT) break;
        state = fail[state];
      }
      if (hit[state]) return true;
    }
    return false;
  };
}

/** True when `text` starts with any of `needles` (one walk down the trie, at most its depth). */
export function startsWithAny(needles: Iterable<string>): LiteralListTest {
  const trie = buildTrie(needles);
  return (text) => {
    let state = ROOT;
    for (let i = 0; ; i++) {
      if (trie.terminal[state]) return true;
      if (i === text.length) return false;
      state = child(trie, state, text.charCodeAt(i));
      if (state < 0) return false;
    }
  };
}

/** True when `text` ends with any of `needles`: the walk of `startsWithAny`, from the end. */
export function endsWithAny(needles: Iterable<string>): LiteralListTest {
  const reversed = [...needles].map(reverseUnits);
  const trie = buildTrie(reversed);
  return (text) => {
    let state = ROOT;
    for (let i = text.length - 1; ; i--) {
      if (trie.terminal[state]) return true;
      if (i < 0) return false;
      state = child(trie, state, text.charCodeAt(i));
      if (state < 0) return false;
    }
  };
}

/** Code units in reverse order (not code points: the walk reads units from the end). */
function reverseUnits(text: string): string {
  let out = '';
  for (let i = text.length - 1; i >= 0; i--) out += text[i];
  return out;
}

const ROOT = 0;
const ROOT_TABLE = 0x100;

/**
 * A trie in flat arrays: the children of state `s` are `codes`/`targets` from `first[s]` to
 * `first[s + 1]`, sorted by code; `rootNext` maps a Latin-1 code unit to the root's child (0:
 * none), since a search falls back to the root at most characters of a text.
 */
interface Trie {
  first: Int32Array;
  codes: Uint16Array;
  targets: Int32Array;
  terminal: Uint8Array;
  rootNext: Int32Array;
  size: number;
}

/** The child of `state` along `code`, or -1. */
function child(trie: Trie, state: number, code: number): number {
  if (state === ROOT && code < ROOT_TABLE) return trie.rootNext[code] || -1;
  let lo = trie.first[state];
  let hi = trie.first[state + 1] - 1;
  const { codes } = trie;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = codes[mid];
    if (c === code) return trie.targets[mid];
    if (c < code) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Builds the trie from the needles sorted by code unit (the order `Array.prototype.sort` gives
 * strings): each needle shares its prefix with the one before, so states are made in depth-first
 * order with every state's children in ascending code order, and no map is needed.
 */
function buildTrie(needles: Iterable<string>): Trie {
  const sorted = [...new Set(needles)].sort();
  let size = 1;
  for (let i = 0; i < sorted.length; i++) {
    size += sorted[i].length - (i > 0 ? commonPrefix(sorted[i - 1], sorted[i]) : 0);
  }

  const parent = new Int32Array(size);
  const code = new Uint16Array(size);
  const terminal = new Uint8Array(size);
  const childCount = new Int32Array(size + 1);
  const path: number[] = [ROOT];
  let made = 1;
  for (let i = 0; i < sorted.length; i++) {
    const needle = sorted[i];
    const shared = i > 0 ? commonPrefix(sorted[i - 1], needle) : 0;
    path.length = shared + 1;
    for (let d = shared; d < needle.length; d++) {
      const up = path[d];
      parent[made] = up;
      code[made] = needle.charCodeAt(d);
      childCount[up] += 1;
      path.push(made);
      made += 1;
    }
    terminal[path[needle.length]] = 1;
  }

  // States in creation order list each parent's children in ascending code order.
  const first = new Int32Array(size + 1);
  for (let s = 0; s < size; s++) first[s + 1] = first[s] + childCount[s];
  const codes = new Uint16Array(Math.max(size - 1, 0));
  const targets = new Int32Array(Math.max(size - 1, 0));
  const filled = first.slice(0, size);
  const rootNext = new Int32Array(ROOT_TABLE);
  for (let s = 1; s < size; s++) {
    const at = filled[parent[s]]++;
    codes[at] = code[s];
    targets[at] = s;
    if (parent[s] === ROOT && code[s] < ROOT_TABLE) rootNext[code[s]] = s;
  }
  return { first, codes, targets, terminal, rootNext, size };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Aho–Corasick failure links, breadth first: `fail[s]` is the state of the longest proper suffix
 * of `s`'s text that is also a trie path; `hit[s]` is set when that text ends with a needle.
 */
function failureLinks(trie: Trie): { fail: Int32Array; hit: Uint8Array } {
  const { first, codes, targets, terminal, size } = trie;
  const fail = new Int32Array(size);
  const hit = new Uint8Array(size);
  const queue = new Int32Array(size);
  let head = 0;
  let tail = 0;
  for (let e = first[ROOT]; e < first[ROOT + 1]; e++) {
    const s = targets[e];
    fail[s] = ROOT;
    hit[s] = terminal[s];
    queue[tail++] = s;
  }
  while (head < tail) {
    const s = queue[head++];
    for (let e = first[s]; e < first[s + 1]; e++) {
      const next = targets[e];
      const c = codes[e];
      let f = fail[s];
      let to = child(trie, f, c);
      while (to < 0 && f !== ROOT) {
        f = fail[f];
        to = child(trie, f, c);
      }
      fail[next] = to < 0 ? ROOT : to;
      hit[next] = terminal[next] | hit[fail[next]];
      queue[tail++] = next;
    }
  }
  return { fail, hit };
}
