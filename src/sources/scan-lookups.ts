/**
 * What one scan looks up on disk beside the files it reads (is there a kustomization in this
 * folder?), answered once for all its files. Made anew for each scan: a long-running server's
 * next scan looks again and sees what was edited in between.
 */

/** Answers shared by the files of one scan, by key. */
export interface ScanLookups {
  /**
   * The answer `key` got earlier in this scan, else the one `look` gives, kept for the rest of it.
   *
   * ```ts
   * const found = lookups.once(`kustomization:${dir}`, () => kustomizationIn(dir));
   * ```
   */
  once<T>(key: string, look: () => T): T;
}

/** Empty lookups for one scan (or for one file read on its own). */
export function scanLookups(): ScanLookups {
  const answers = new Map<string, unknown>();
  return {
    once<T>(key: string, look: () => T): T {
      if (answers.has(key)) return answers.get(key) as T;
      const answer = look();
      answers.set(key, answer);
      return answer;
    },
  };
}
