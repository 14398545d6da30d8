/**
 * The webhook's answer to one AdmissionReview body: judge the request within the time budget,
 * apply the failure policy when judging fails or runs late, and hand every decision to the
 * recorder. Transport-free, so tests and the benchmark drive the same code as the server.
 */

import { redactSecrets } from '../../model/redact-secrets.js';
import { randomUUID } from 'node:crypto';
import type { AdmissionDecisionRecord } from '../../store/admission-decision-repository.js';
import {
  admissionReviewResponse,
  apiVersionOf,
  parseAdmissionReview,
  type AdmissionRequest,
  type AdmissionResponse,
} from './admission-review.js';
import {
  judgeAdmission,
  requestNamespace,
  type AdmissionVerdict,
  type JudgePolicy,
} from './admission-judge.js';

/** `Fail` refuses what cannot be judged (fail-closed); `Ignore` lets it through (fail-open). */
export type FailurePolicy = 'Fail' | 'Ignore';

export interface AdmissionWebhookOptions {
  /** The rules, modes and exemptions in force; may refresh from the store. */
  policy: () => Promise<JudgePolicy>;
  failurePolicy: FailurePolicy;
  /** Milliseconds the webhook may take before the failure policy answers instead. */
  budgetMs: number;
  /** Receives every decision (the store writer). */
  record?: (decision: AdmissionDecisionRecord) => void;
  /** Reports requests that could not be judged (a logger). */
  onError?: (uid: string, error: Error) => void;
  now?: () => Date;
}

class BudgetExceeded extends Error {
  constructor(ms: number) {
    super(`judging took longer than the ${ms} ms budget`);
    this.name = 'BudgetExceeded';
  }
}

/**
 * Resolves `work`, or rejects with `BudgetExceeded` after `ms`.
 * Known gap: judging itself is synchronous, so the budget cuts off waits (loading the policy)
 * but not a judgement already running; CEL evaluation is bounded, so that is one object's rules.
 */
async function withinBudget<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceeded(ms)), ms);
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The answer when judging failed: the failure policy decides, the reason is said either way. */
function failureVerdict(policy: FailurePolicy, error: Error): AdmissionVerdict {
  const reason = `palisade could not judge the request: ${error.message}`;
  if (policy === 'Ignore') {
    return {
      allowed: true,
      mode: 'error',
      rules: [],
      warnings: [`${reason}; allowed (failurePolicy Ignore)`],
      note: error.message,
    };
  }
  return {
    allowed: false,
    mode: 'error',
    rules: [],
    warnings: [],
    status: {
      code: 500,
      reason: 'InternalError',
      message: `${reason}; refused (failurePolicy Fail)`,
    },
    note: error.message,
  };
}

function objectName(request: AdmissionRequest): string {
  if (request.name) return request.name;
  const object = request.object ?? request.oldObject;
  const metadata = (object as { metadata?: { name?: unknown; generateName?: unknown } } | undefined)
    ?.metadata;
  if (typeof metadata?.name === 'string') return metadata.name;
  if (typeof metadata?.generateName === 'string') return `${metadata.generateName}(generated)`;
  return '';
}

/**
 * The object as stored with its decision: a Secret keeps its keys but not its values (nor the
 * copy of them `kubectl apply` leaves in an annotation), and no object keeps a password-like
 * field or a secret-named environment variable, so the decision log holds no credential.
 */
export function storableObject(kind: string, object: unknown): unknown {
  return redactSecrets(kind, object);
}

/**
 * The stored message: the answer's status message and the verdict's note (what could not run,
 * which exemptions applied), each once: a failure's note is already in its status message.
 */
function decisionMessage(verdict: AdmissionVerdict): string | null {
  const status = verdict.status?.message;
  const note = verdict.note;
  if (status && note && !status.includes(note)) return `${status}; ${note}`;
  return status ?? note ?? null;
}

function decisionRecord(
  request: AdmissionRequest,
  verdict: AdmissionVerdict,
  time: Date,
): AdmissionDecisionRecord {
  return {
    id: randomUUID(),
    uid: request.uid,
    time,
    apiVersion: apiVersionOf(request.kind),
    kind: request.kind.kind,
    namespace: requestNamespace(request) ?? null,
    name: objectName(request),
    operation: request.operation,
    user: request.userInfo?.username ?? '',
    allowed: verdict.allowed,
    dryRun: request.dryRun === true,
    mode: verdict.mode,
    rules: verdict.rules,
    message: decisionMessage(verdict),
    object: storableObject(request.kind.kind, verdict.object),
  };
}

/**
 * A handler from AdmissionReview body (parsed JSON) to AdmissionReview answer. A body that is not
 * an admission.k8s.io/v1 review throws `AdmissionReviewError` (answer 400).
 *
 * ```ts
 * const answer = admissionWebhook({ policy, failurePolicy: 'Fail', budgetMs: 4_000 });
 * const review = await answer(JSON.parse(body));
 * ```
 */
export function admissionWebhook(options: AdmissionWebhookOptions) {
  const now = options.now ?? (() => new Date());
  return async (body: unknown) => {
    const request = parseAdmissionReview(body);
    let verdict: AdmissionVerdict;
    try {
      verdict = await withinBudget(
        async () => judgeAdmission(request, await options.policy(), now()),
        options.budgetMs,
      );
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      options.onError?.(request.uid, err);
      verdict = failureVerdict(options.failurePolicy, err);
    }
    options.record?.(decisionRecord(request, verdict, now()));

    const response: AdmissionResponse = { uid: request.uid, allowed: verdict.allowed };
    if (verdict.status) response.status = verdict.status;
    if (verdict.warnings.length > 0) response.warnings = verdict.warnings;
    return admissionReviewResponse(response);
  };
}
