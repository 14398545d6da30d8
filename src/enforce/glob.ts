/**
 * Globs for assignment scopes and rule sets: `*` matches within one path segment, `**` across
 * segments, `?` one character. Everything else is literal; matching is whole-string.
 */

const cache = new Map<string, RegExp>();

/**
 * True when `value` matches `pattern`.
 *
 * ```ts
 * globMatch('infra/**\/*.tf', 'infra/prod/main.tf'); // true
 * globMatch('prod-*', 'prod-eu');                    // true
 * ```
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = globToRegExp(pattern);
    cache.set(pattern, re);
  }
  return re.test(value);
}

/** True when any pattern matches. */
export function anyGlobMatch(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatch(p, value));
}

function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` also matches no folder at all, so `infra/**/x.tf` covers `infra/x.tf`.
      const slash = pattern[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
