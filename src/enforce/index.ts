/**
 * The enforcement model for every place Palisade enforces (CI gate, Kubernetes admission):
 * policy files, assignments resolved against the rules, and the deny/audit decision.
 */

export type { Assignment, AssignmentScope, EnforcementPolicy, Initiative } from './assignment.js';
export { WHOLE_BENCHMARK } from './assignment.js';
export {
  AssignmentLoadError,
  loadPolicy,
  loadPolicyFile,
  validateAssignment,
  validateInitiativeObject,
  validatePolicy,
} from './assignment-loader.js';
export { ENFORCEMENT_MODES, strictest, type EnforcementMode } from './enforcement-mode.js';
export {
  defaultPolicy,
  resolveAssignments,
  type ResolvedAssignment,
} from './resolve-assignments.js';
export { decide, assignedTo, type Decision, type DecideResult } from './decide.js';
export { evaluateForAssignments } from './evaluate-assignments.js';
export { inScope, excluded, scopeSubject, type ScopeSubject } from './scope-match.js';
export {
  ENFORCEMENT_RULES_DIR,
  isEnforcementPackRule,
  loadEnforcementRules,
} from './enforcement-rules.js';
