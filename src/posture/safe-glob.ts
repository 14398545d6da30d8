/**
 * Globs users store (exemption rule and resource patterns, automation rule conditions) run
 * through minimatch, whose `{a,b}` alternatives multiply: 38 groups are 2^38 patterns, which
 * minimatch refuses at every match ("pattern is too long"), and 11 groups are 2,048 patterns
 * compiled again at every match (seconds per assessment). A stored glob is checked here first
 * and compiled once.
 */

import { braceExpand, Minimatch, type MinimatchOptions } from 'minimatch';

/** Most patterns a glob's `{...}` alternatives may expand to. */
export const MAX_GLOB_ALTERNATIVES = 64;
/** Longest glob a user may store. */
export const MAX_STORED_GLOB_LENGTH = 2_000;

/** A glob that cannot be used, with why. */
export class GlobPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly problem: string,
  ) {
    super(`${JSON.stringify(shortened(pattern))} ${problem}`);
    this.name = 'GlobPatternError';
  }
}

function shortened(pattern: string): string {
  return pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
}

/** The options the callers match with: case-insensitive, `dot` where asked. */
export type GlobOptions = Pick<MinimatchOptions, 'nocase' | 'dot'>;

/**
 * Why `pattern` cannot be stored, or undefined when it can: too long, more than
 * {@link MAX_GLOB_ALTERNATIVES} alternatives, or a glob minimatch cannot compile.
 *
 * ```ts
 * globPatternProblem('aws-{s3,ec2}-*'); // undefined
 * globPatternProblem('{a,b}'.repeat(38)); // 'expands to more than 64 patterns ...'
 * ```
 */
export function globPatternProblem(pattern: string, options: GlobOptions = {}): string | undefined {
  if (pattern.length > MAX_STORED_GLOB_LENGTH) {
    return `is ${pattern.length} characters long; a glob may have at most ${MAX_STORED_GLOB_LENGTH}`;
  }
  // Expansion stops one past the cap, so this costs little whatever the pattern.
  const expanded = braceExpand(pattern, { braceExpandMax: MAX_GLOB_ALTERNATIVES + 1 });
  if (expanded.length > MAX_GLOB_ALTERNATIVES) {
    return (
      `expands to more than ${MAX_GLOB_ALTERNATIVES} patterns ({...} alternatives multiply); ` +
      'use fewer {...} groups or a wildcard'
    );
  }
  try {
    new Minimatch(pattern, options);
  } catch (error) {
    return `is not a usable glob: ${(error as Error).message}`;
  }
  return undefined;
}

const MAX_CACHED = 1_000;
const cache = new Map<string, ((value: string) => boolean) | GlobPatternError>();

/**
 * The matcher of a stored glob, compiled once. Throws `GlobPatternError` for a glob
 * {@link globPatternProblem} refuses (one stored before the check existed), every time.
 *
 * ```ts
 * const matches = compileGlob('aws-s3-*', { nocase: true });
 * matches('AWS-S3-versioning'); // true
 * ```
 */
export function compileGlob(
  pattern: string,
  options: GlobOptions = {},
): (value: string) => boolean {
  const key = `${options.nocase ? 'i' : ''}${options.dot ? 'd' : ''}|${pattern}`;
  let compiled = cache.get(key);
  if (!compiled) {
    const problem = globPatternProblem(pattern, options);
    if (problem) compiled = new GlobPatternError(pattern, problem);
    else {
      const mm = new Minimatch(pattern, options);
      compiled = (value) => value === pattern || mm.match(value);
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, compiled);
  }
  if (compiled instanceof GlobPatternError) throw compiled;
  return compiled;
}
