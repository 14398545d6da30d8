/**
 * Judges one admission request: reads the object through the Kubernetes reader, runs the
 * posture engine over it, and turns the failing rules' enforcement modes into an answer:
 * deny-mode failures refuse it, audit-mode failures come back as warnings, and failures an
 * exemption covers (as `palisade check` reads the same file) do neither.
 */

import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../../model/resource.js';
import type { CompiledRule } from '../../posture/engine.js';
import { applyExemptions, type Exemption } from '../../posture/exemptions.js';
import { isClusterScoped } from '../../sources/kubernetes/resource-scope.js';
import { toKubernetesResource } from '../../sources/kubernetes/to-resource.js';
import type { DecisionMode, DecisionRule } from '../../store/admission-decision-repository.js';
import { decide, type Decision } from '../decide.js';
import { evaluateForAssignments } from '../evaluate-assignments.js';
import { anyGlobMatch } from '../glob.js';
import type { ResolvedAssignment } from '../resolve-assignments.js';
import { apiVersionOf, type AdmissionRequest, type AdmissionStatus } from './admission-review.js';

/**
 * What judging needs: compiled rules, the assignments in force, the exempt namespaces and the
 * exemptions (rule and resource patterns) of the exemptions file and the store.
 */
export interface JudgePolicy {
  compiled: CompiledRule[];
  assignments: ResolvedAssignment[];
  exemptNamespaces: readonly string[];
  exemptions: Exemption[];
}

/** The verdict on one request, before the failure policy or the store sees it. */
export interface AdmissionVerdict {
  allowed: boolean;
  mode: DecisionMode;
  /**
   * Failing rules in deny or audit mode (disabled ones are left out); an exempt one carries its
   * exemption and neither denies nor warns.
   */
  rules: DecisionRule[];
  warnings: string[];
  status?: AdmissionStatus;
  /** Why nothing was judged, or what could not be judged (mode `skip`, `exempt`, `error`). */
  note?: string;
  /** The object judged, as the reader saw it. */
  object?: unknown;
}

/** A request the webhook could not judge; the failure policy decides the answer. */
export class AdmissionJudgeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionJudgeError';
  }
}

/** Subresources whose object is the whole parent object, so the parent's rules apply. */
const WHOLE_OBJECT_SUBRESOURCES = new Set(['ephemeralcontainers']);

/** The API server truncates longer warnings; see the warning-header limits. */
const MAX_WARNING_CHARS = 256;
const MAX_WARNINGS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The namespace a request acts in: `request.namespace`, which the API server takes from the
 * request's path and holds the object to, never the object's own `metadata.namespace`, which the
 * requester writes. Cluster-scoped kinds (a Namespace included) have none, so no exempt namespace
 * or namespace scope ever covers them.
 */
export function requestNamespace(request: AdmissionRequest): string | undefined {
  if (isClusterScoped(request.kind.kind)) return undefined;
  return request.namespace || undefined;
}

function isBeingDeleted(object: unknown): boolean {
  const metadata = isRecord(object) ? object.metadata : undefined;
  return isRecord(metadata) && Boolean(metadata.deletionTimestamp);
}

/**
 * Metadata an update of a terminating object may change without being judged: the finalizers a
 * controller removes once its clean-up is done, and what the API server itself writes on deletion
 * and on every write (deletion time and grace period, generation, resource version, managed
 * fields).
 */
const FINALIZING_FIELDS = [
  'finalizers',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'resourceVersion',
  'managedFields',
];

/** The object without the fields `FINALIZING_FIELDS` names. */
function withoutFinalizing(object: unknown): unknown {
  if (!isRecord(object) || !isRecord(object.metadata)) return object;
  const metadata = { ...object.metadata };
  for (const field of FINALIZING_FIELDS) delete metadata[field];
  return { ...object, metadata };
}

/** True when `after` differs from `before` in nothing but its finalizers (see above). */
function onlyFinalizersChanged(before: unknown, after: unknown): boolean {
  return isDeepStrictEqual(withoutFinalizing(before), withoutFinalizing(after));
}

/** Why a request has nothing to judge, or undefined when it has. */
function skipReason(request: AdmissionRequest): string | undefined {
  if (request.operation === 'DELETE') return 'DELETE removes an object; nothing new to judge';
  if (request.operation === 'CONNECT') return 'CONNECT opens a stream; no object to judge';
  if (request.subResource && !WHOLE_OBJECT_SUBRESOURCES.has(request.subResource)) {
    return `subresource ${request.subResource} is not judged`;
  }
  // Removing finalizers from an object being deleted is an UPDATE; refusing it would leave the
  // object stuck terminating. Only the stored object (oldObject) says it is being deleted: the
  // new object is the requester's to write. A terminating object still takes effect until its
  // finalizers are gone, so any other change to it is judged.
  const finalizing =
    request.operation === 'UPDATE' &&
    isBeingDeleted(request.oldObject) &&
    onlyFinalizersChanged(request.oldObject, request.object);
  if (finalizing) return 'object is being deleted; finalizer updates are not judged';
  return undefined;
}

/**
 * The object as the reader takes it: the request's own apiVersion and kind when the object
 * omits them, and the request's namespace (see `requestNamespace`) in place of whatever the
 * object names, so exemptions and assignment scopes read the same namespace.
 */
function objectOf(request: AdmissionRequest, namespace: string | undefined): unknown {
  const object = request.object;
  if (!isRecord(object)) {
    throw new AdmissionJudgeError(`${request.operation} request carries no object to judge`);
  }
  const { namespace: _written, ...metadata } = isRecord(object.metadata) ? object.metadata : {};
  const name = metadata.name ?? (request.name || undefined);
  return {
    ...object,
    apiVersion: object.apiVersion ?? apiVersionOf(request.kind),
    kind: object.kind ?? request.kind.kind,
    metadata: {
      ...metadata,
      ...(name !== undefined ? { name } : {}),
      ...(namespace ? { namespace } : {}),
    },
  };
}

/** The canonical resource for the request's object, through the Kubernetes manifest reader. */
export function admissionResource(request: AdmissionRequest): Resource {
  const value = objectOf(request, requestNamespace(request));
  const file = `admission:${request.uid}`;
  let resource: Resource | undefined;
  try {
    resource = toKubernetesResource(file, { value, line: 1, document: 0, source: '' });
  } catch (error) {
    throw new AdmissionJudgeError(`the object cannot be read: ${(error as Error).message}`);
  }
  if (!resource) throw new AdmissionJudgeError('the object is not a Kubernetes object');
  // The requester writes the object, so an ignore annotation in it must not lift a deny:
  // only namespace exemptions and assignments, which an administrator sets, do.
  delete resource.suppressions;
  return resource;
}

/** `applyExemptions` options: a requester's own ignore annotations never lift a deny here. */
const NO_INLINE = { inline: false };

/** A failing rule an exemption covers, as the decision log keeps it. */
function exemptRule(decision: Decision): DecisionRule {
  const exemption = decision.finding.exemption!;
  return {
    id: decision.finding.ruleId,
    mode: decision.mode,
    reason: decision.finding.message,
    exemption: {
      category: exemption.category,
      justification: exemption.justification,
      source: exemption.source,
      ...(exemption.expires ? { expires: exemption.expires } : {}),
    },
  };
}

/** One line of the decision's note for an exempt rule: which exemption, and why. */
function exemptionNote(rule: DecisionRule): string {
  const e = rule.exemption!;
  const until = e.expires ? `, until ${e.expires}` : '';
  return `${rule.id} (${rule.mode}) exempt by ${e.source} (${e.category}${until}): ${e.justification}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The refusal status: every deny-mode rule with its reason. */
function denialStatus(resource: Resource, kind: string, denied: DecisionRule[]): AdmissionStatus {
  const list = denied.map((r) => `${r.id} (${r.reason})`).join('; ');
  return {
    code: 403,
    reason: 'Forbidden',
    message: `palisade denied ${kind} ${resource.name}: ${denied.length} rule(s) in deny mode failed: ${list}`,
    details: {
      name: resource.name,
      kind,
      causes: denied.map((r) => ({ reason: r.id, message: r.reason })),
    },
  };
}

/**
 * The verdict on `request` under `policy`. Throws `AdmissionJudgeError` when the object cannot be
 * judged (the caller applies the failure policy).
 *
 * ```ts
 * const verdict = judgeAdmission(parseAdmissionReview(body), policy);
 * ```
 */
export function judgeAdmission(
  request: AdmissionRequest,
  policy: JudgePolicy,
  now = new Date(),
): AdmissionVerdict {
  const skip = skipReason(request);
  if (skip) return { allowed: true, mode: 'skip', rules: [], warnings: [], note: skip };

  const namespace = requestNamespace(request);
  if (namespace !== undefined && anyGlobMatch(policy.exemptNamespaces, namespace)) {
    return {
      allowed: true,
      mode: 'exempt',
      rules: [],
      warnings: [],
      note: `namespace ${namespace} is exempt`,
    };
  }

  const resource = admissionResource(request);
  const findings = evaluateForAssignments(policy.compiled, [resource], policy.assignments);
  // Exemptions mark the findings they cover before the modes are weighed, as the CI gate does;
  // inline suppressions are gone from the resource (see admissionResource).
  const expired = applyExemptions(findings, [resource], policy.exemptions, now, NO_INLINE);
  const decided = decide(findings, policy.assignments);
  // Rules some assignment enforces in deny mode here that could not run: they cannot vouch for
  // the object (scope, exclusions and per-assignment parameters as for failures).
  const broken = decided.errors.filter((e) => e.mode === 'deny').map((e) => e.finding);
  const brokenText = broken.map((f) => `${f.ruleId}: ${f.message}`).join('; ');
  // A deny-mode rule that could not run leaves the answer to the failure policy, unless another
  // deny-mode rule refuses the object anyway: fail-open must never let a refused object in.
  if (broken.length > 0 && decided.deny.length === 0) {
    throw new AdmissionJudgeError(`rule(s) in deny mode could not run: ${brokenText}`);
  }

  const rules: DecisionRule[] = [...decided.deny, ...decided.audit].map((d) => ({
    id: d.finding.ruleId,
    mode: d.mode,
    reason: d.finding.message,
  }));
  const exempted = decided.exempted.map(exemptRule);
  const denied = rules.filter((r) => r.mode === 'deny');
  // Audit-mode rules that could not run let the object in, but the requester is told, as
  // `palisade check` lists them.
  const unrun = decided.errors.filter((e) => e.mode === 'audit').map((e) => e.finding);
  // They come first: only so many warnings are sent.
  const warnings = [
    ...unrun.map((f) => `palisade audit: ${f.ruleId} could not run: ${f.message}`),
    ...rules.filter((r) => r.mode === 'audit').map((r) => `palisade audit: ${r.id}: ${r.reason}`),
  ].map((w) => truncate(w, MAX_WARNING_CHARS));
  const shown = warnings.slice(0, MAX_WARNINGS);
  if (warnings.length > MAX_WARNINGS) {
    shown.push(`palisade audit: ${warnings.length - MAX_WARNINGS} more audit-mode warnings`);
  }
  const object = resource.properties;
  const notes = [...expired, ...exempted.map(exemptionNote)];
  if (denied.length > 0) {
    const status = denialStatus(resource, request.kind.kind, denied);
    const verdict: AdmissionVerdict = {
      allowed: false,
      mode: 'deny',
      rules: [...rules, ...exempted],
      warnings: shown,
      status,
      object,
    };
    if (broken.length > 0) notes.unshift(`also could not run: ${brokenText}`);
    if (notes.length > 0) verdict.note = notes.join('; ');
    return verdict;
  }
  const mode = rules.length > 0 ? 'audit' : 'pass';
  const verdict: AdmissionVerdict = {
    allowed: true,
    mode,
    rules: [...rules, ...exempted],
    warnings: shown,
    object,
  };
  if (unrun.length > 0) {
    const text = unrun.map((f) => `${f.ruleId}: ${f.message}`).join('; ');
    notes.unshift(`audit-mode rule(s) could not run: ${text}`);
  }
  if (notes.length > 0) verdict.note = notes.join('; ');
  return verdict;
}
