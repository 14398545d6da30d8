/**
 * Controls of a standard that no Palisade rule checks: "not assessed" for them means "assess by
 * hand", not "nothing in your input", and reports show them apart.
 */

import type { StandardCompliance } from '../model/assessment.js';

/** How many of the standard's controls have no rule mapped to them. */
export function manualControls(standard: Pick<StandardCompliance, 'controls'>): number {
  return standard.controls.filter((c) => c.rules.length === 0).length;
}
