/**
 * TypeScript checks, for the few rules whose logic a CEL expression cannot carry. A rule names
 * one in `check_function`; the function judges one resource and may quote the offending value.
 */

import type { Resource } from '../../model/resource.js';

export interface CheckResult {
  pass: boolean;
  /** The offending value, quoted in the failure sentence. */
  value?: unknown;
}

/** Judges one resource; `related` are the resources linked to it by relationships. */
export type CheckFunction = (resource: Resource, related: Resource[]) => CheckResult;

/** Every TypeScript check, by the name rules use in `check_function`. */
export const checkFunctions: Record<string, CheckFunction> = {};
