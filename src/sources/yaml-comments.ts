/**
 * The comments of a YAML text, line by line, as the YAML lexer finds them: a `#` inside a quoted
 * string or a block scalar is text, not a comment, so a suppression written in a value
 * suppresses nothing.
 */

import { Lexer } from 'yaml';

/** Lexer tokens that stand for structure, not source text (document start, scalar, ...). */
function isControl(token: string): boolean {
  return token.length === 1 && token.charCodeAt(0) < 0x20 && token !== '\n' && token !== '\t';
}

/**
 * For each line of `text` (0-based, as `text.split(/\r?\n/)` numbers them), the comment on it
 * (from its `#`), or undefined.
 *
 * ```ts
 * yamlComments('a: "# no"  # yes\n')[0]; // '# yes'
 * ```
 */
export function yamlComments(text: string): (string | undefined)[] {
  const comments: (string | undefined)[] = [];
  let line = 0;
  for (const token of new Lexer().lex(text)) {
    if (isControl(token)) continue;
    if (token.startsWith('#')) comments[line] = token;
    for (let i = token.indexOf('\n'); i >= 0; i = token.indexOf('\n', i + 1)) line++;
  }
  comments.length = Math.max(comments.length, line + 1);
  return comments;
}
