/**
 * A count with its noun in the right number, for sentences people read: `1 file`, `2 files`,
 * `0 files`, `1 policy`, `3 policies`.
 *
 * ```ts
 * counted(1, 'file'); // '1 file'
 * counted(3, 'policy', 'policies'); // '3 policies'
 * ```
 */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
