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
  const comments = commentsOf(lines);
  const out: BlockLocation[] = [];
  for (let i = 0; i < lines.length; i++) {
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
    const endLine = findBlockEnd(lines, i);
    const suppressions = collectSuppressions(comments, i, endLine);
    out.push({ keyword, address, line: i + 1, endLine: endLine + 1, suppressions });
    i = Math.max(i, endLine);
  }
  return out;
}

/**
 * The suppressions of the block on lines `start` to `end`: on the line above its header, inside
 * it, and in a `/* ... *\/` comment that closes on the line above the header.
 */
function collectSuppressions(
  comments: LineComment[],
  start: number,
  end: number,
): BlockLocation['suppressions'] {
  const found: BlockLocation['suppressions'] = [];
  let first = Math.max(0, start - 1);
  // A comment above the header: back to the line that opened it.
  while (first > 0 && comments[first].inComment) first--;
  for (let i = first; i <= end && i < comments.length; i++) {
    const { text, inComment } = comments[i];
    const suppression = text === undefined ? undefined : suppressionOn(text, inComment);
    if (suppression) found.push(suppression);
  }
  return found;
}

/** A line's comment text, and whether the line begins inside a `/* ... *\/` opened earlier. */
interface LineComment {
  /**
   * From the first comment opener outside a string to the line's end (the whole line when it
   * begins inside a comment); undefined when the line has no comment.
   */
  text?: string;
  inComment: boolean;
}

/**
 * The comments of each line as HCL reads them: strings and heredocs are passed over, so a
 * `palisade:ignore` in a string suppresses nothing.
 */
function commentsOf(lines: string[]): LineComment[] {
  const out: LineComment[] = [];
  let inComment = false;
  let heredoc: string | undefined;
  for (const line of lines) {
    const comment: LineComment = { inComment };
    out.push(comment);
    if (inComment) comment.text = line;
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
        comment.text ??= line.slice(j);
        break;
      } else if (c === '/' && line[j + 1] === '*') {
        comment.text ??= line.slice(j);
        inComment = true;
        j++;
      } else if (c === '<' && line[j + 1] === '<') {
        const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(line.slice(j));
        if (m) {
          heredoc = m[1];
          break;
        }
      }
    }
  }
  return out;
}

/** Index of the line holding the brace that closes the block opened on line `start`. */
function findBlockEnd(lines: string[], start: number): number {
  let depth = 0;
  let heredoc: string | undefined;
  let inComment = false;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
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
        continue;
      }
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '#' || (c === '/' && line[j + 1] === '/')) break;
      else if (c === '/' && line[j + 1] === '*') inComment = true;
      else if (c === '<' && line[j + 1] === '<') {
        const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\s*$/.exec(line.slice(j));
        if (m) {
          heredoc = m[1];
          break;
        }
      } else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return i;
    }
  }
  return lines.length - 1;
}
