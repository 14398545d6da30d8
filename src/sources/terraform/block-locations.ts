/**
 * Finds where blocks are written in `.tf` text (hcl2json gives no positions) and the inline
 * suppressions next to them: `# palisade:ignore <rule-id> <reason>` (or `//`, or `/* ... *\/`
 * on one line or over several, one suppression a line).
 */

export interface BlockLocation {
  /** `resource`, `data` or `module`. */
  keyword: string;
  /** `aws_s3_bucket.logs`, `data.aws_iam_policy_document.x` or `module.net`. */
  address: string;
  /** 1-based line of the block header. */
  line: number;
  /** 1-based line of the closing brace (best effort). */
  endLine: number;
  suppressions: { ruleId: string; reason: string }[];
}

const HEADER =
  /^[ \t]*(resource|data|module)[ \t]+"?([A-Za-z0-9_-]+)"?(?:[ \t]+"?([A-Za-z0-9_-]+)"?)?[ \t]*\{/;
// Any word is taken as the rule id, so a mistyped one (`*`, `aws_s3*`) is warned about, not lost.
const SUPPRESSION = /(#|\/\/|\/\*)\s*palisade:ignore\s+(\S+)(?:\s+(.*))?$/;

/**
 * The lines of `.tf` text as HCL reads them: a UTF-8 byte order mark and CRLF line endings (files
 * saved on Windows) change neither where a block starts nor what a comment says.
 */
function hclLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** A suppression line inside a `/* ... *\/` comment opened on an earlier line (` * ` or not). */
const COMMENT_BODY_SUPPRESSION = /^\s*\*?\s*palisade:ignore\s+(\S+)(?:\s+(.*))?$/;

/**
 * The suppression a line carries; in a `/* ... *\/` comment, what comes before its close.
 * `inComment` says the line begins inside a comment opened on an earlier line.
 */
function suppressionOn(
  line: string,
  inComment = false,
): { ruleId: string; reason: string } | undefined {
  if (inComment) {
    const close = line.indexOf('*/');
    const body = COMMENT_BODY_SUPPRESSION.exec(close >= 0 ? line.slice(0, close) : line);
    if (body) return { ruleId: body[1], reason: (body[2] ?? '').trim() };
    if (close < 0) return undefined;
    return suppressionOn(line.slice(close + 2));
  }
  const m = SUPPRESSION.exec(line);
  if (!m) return undefined;
  const [, opener, word, rest = ''] = m;
  if (opener !== '/*') return { ruleId: word, reason: rest.trim() };

  const text = `${word} ${rest}`;
  const close = text.indexOf('*/');
  const [ruleId, ...reason] = (close >= 0 ? text.slice(0, close) : text).trim().split(/\s+/);
  return { ruleId, reason: reason.join(' ') };
}

/** Every resource, data and module block header in `text`, with its suppressions. */
export function findBlockLocations(text: string): BlockLocation[] {
  const lines = hclLines(text);
  const scanned = scanLines(lines);
  const out: BlockLocation[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A header inside a comment or a heredoc is text (a block commented out), not a block.
    if (scanned[i].inComment || scanned[i].inHeredoc) continue;
    const m = HEADER.exec(lines[i]);
    if (!m) continue;
    const keyword = m[1];
    if (keyword !== 'module' && !m[3]) continue;
    const address =
      keyword === 'module'
        ? `module.${m[2]}`
        : keyword === 'data'
          ? `data.${m[2]}.${m[3]}`
          : `${m[2]}.${m[3]}`;
    const endLine = findBlockEnd(scanned, i);
    const suppressions = collectSuppressions(scanned, i, endLine);
    out.push({ keyword, address, line: i + 1, endLine: endLine + 1, suppressions });
    i = Math.max(i, endLine);
  }
  return out;
}

/** A `locals` block header; one written on a single line (`locals { a = 1 }`) names no lines. */
const LOCALS_HEADER = /^[ \t]*locals[ \t]*\{[ \t]*(?:#.*|\/\/.*)?$/;
/** An attribute written at the start of a line: `name =` (not `name ==`). */
const ATTRIBUTE = /^[ \t]*([A-Za-z_][A-Za-z0-9_-]*)[ \t]*=(?!=)/;

/**
 * The 1-based line each local value is defined on in `text` (`locals { a = 1 }` spread over
 * lines), for a warning about one: hcl2json gives no positions.
 *
 * ```ts
 * findLocalLines('locals {\n  a = 1\n}\n').get('a'); // 2
 * ```
 */
export function findLocalLines(text: string): Map<string, number> {
  const lines = hclLines(text);
  const scanned = scanLines(lines);
  const out = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    if (scanned[i].inComment || scanned[i].inHeredoc || !LOCALS_HEADER.test(lines[i])) continue;
    const end = findBlockEnd(scanned, i);
    // Depth inside the block at each line's start: only attributes at depth 1 are locals.
    let depth = 0;
    for (let j = i; j <= end && j < lines.length; j++) {
      const m = depth === 1 && !scanned[j].inComment && !scanned[j].inHeredoc;
      const name = m ? ATTRIBUTE.exec(lines[j])?.[1] : undefined;
      if (name && !out.has(name)) out.set(name, j + 1);
      for (const brace of scanned[j].braces) depth += brace === '{' ? 1 : -1;
    }
    i = Math.max(i, end);
  }
  return out;
}

/**
 * The suppressions of the block on lines `start` to `end`: on the line above its header, inside
 * it, and in a `/* ... *\/` comment that closes on the line above the header.
 */
function collectSuppressions(
  comments: ScannedLine[],
  start: number,
  end: number,
): BlockLocation['suppressions'] {
  const found: BlockLocation['suppressions'] = [];
  let first = Math.max(0, start - 1);
  // A comment above the header: back to the line that opened it.
  while (first > 0 && comments[first].inComment) first--;
  for (let i = first; i <= end && i < comments.length; i++) {
    const { comment, inComment } = comments[i];
    const suppression = comment === undefined ? undefined : suppressionOn(comment, inComment);
    if (suppression) found.push(suppression);
  }
  return found;
}

/** A line as HCL reads it, from the file's start. */
interface ScannedLine {
  /** The line begins inside a `/* ... *\/` comment opened on an earlier line. */
  inComment: boolean;
  /** The line is part of a heredoc's text. */
  inHeredoc: boolean;
  /**
   * From the first comment opener outside a string to the line's end (the whole line when it
   * begins inside a comment); undefined when the line has no comment.
   */
  comment?: string;
  /** The braces outside strings, comments and heredocs, in order (`{{}`). */
  braces: string;
}

/**
 * Each line of `lines` as HCL reads it: what is comment, and which braces open and close
 * blocks. Strings and heredocs are passed over, so a `palisade:ignore` or a brace in them is
 * neither a suppression nor a block boundary.
 */
function scanLines(lines: string[]): ScannedLine[] {
  const out: ScannedLine[] = [];
  let inComment = false;
  let heredoc: string | undefined;
  for (const line of lines) {
    const scanned: ScannedLine = { inComment, inHeredoc: heredoc !== undefined, braces: '' };
    out.push(scanned);
    if (inComment) scanned.comment = line;
    if (heredoc) {
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    let inString = false;
    for (let j = 0; j < line.length; j++) {
      const c = line[j];
      if (inComment) {
        if (c === '*' && line[j + 1] === '/') {
          inComment = false;
          j++;
        }
      } else if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '#' || (c === '/' && line[j + 1] === '/')) {
        scanned.comment ??= line.slice(j);
        break;
      } else if (c === '/' && line[j + 1] === '*') {
        scanned.comment ??= line.slice(j);
        inComment = true;
        j++;
      } else if (c === '<' && line[j + 1] === '<') {
        const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(line.slice(j));
        if (m) {
          heredoc = m[1];
          break;
        }
      } else if (c === '{' || c === '}') scanned.braces += c;
    }
  }
  return out;
}

/** Index of the line holding the brace that closes the block opened on line `start`. */
function findBlockEnd(scanned: ScannedLine[], start: number): number {
  let depth = 0;
  for (let i = start; i < scanned.length; i++) {
    for (const brace of scanned[i].braces) {
      if (brace === '{') depth++;
      else if (--depth === 0) return i;
    }
  }
  return scanned.length - 1;
}
