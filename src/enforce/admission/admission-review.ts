/**
 * AdmissionReview (admission.k8s.io/v1): the request the Kubernetes API server sends a
 * validating webhook, the response it expects, and a parser that refuses anything else.
 */

/** The group/version every review must carry. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** Operations the API server asks about. */
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The part of an AdmissionRequest the webhook reads. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  /** The object after the change (CREATE, UPDATE); the options object for CONNECT. */
  object?: unknown;
  /** The object before the change (UPDATE, DELETE). */
  oldObject?: unknown;
  dryRun?: boolean;
}

/** The status a denial carries (a metav1.Status subset). */
export interface AdmissionStatus {
  code: number;
  message: string;
  reason?: string;
  details?: {
    name?: string;
    kind?: string;
    causes: { reason: string; message: string; field?: string }[];
  };
}

/** The answer to one review. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
}

/** A malformed review: the webhook answers 400, and the API server applies its failurePolicy. */
export class AdmissionReviewError extends Error {
  /** Dotted path of the field at fault (`request.uid`), or `body`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'AdmissionReviewError';
    this.field = field;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(record: Record<string, unknown>, key: string, path: string) {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AdmissionReviewError(`${path}.${key}`, 'not a string');
  return value;
}

/**
 * The request of an AdmissionReview body (already JSON-parsed); throws `AdmissionReviewError`
 * naming the field when the body is not an admission.k8s.io/v1 review.
 */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw new AdmissionReviewError('body', 'not a JSON object');
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== 'AdmissionReview') {
    throw new AdmissionReviewError(
      'apiVersion',
      `expected an ${ADMISSION_API_VERSION} AdmissionReview; set admissionReviewVersions: [v1]`,
    );
  }
  const request = body.request;
  if (!isRecord(request)) throw new AdmissionReviewError('request', 'missing');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '' || uid.length > 256) {
    throw new AdmissionReviewError('request.uid', 'missing or not a string of 1-256 characters');
  }
  const operation = request.operation;
  if (!OPERATIONS.includes(operation as Operation)) {
    throw new AdmissionReviewError('request.operation', `expected one of ${OPERATIONS.join(', ')}`);
  }
  const kind = request.kind;
  if (!isRecord(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string') {
    throw new AdmissionReviewError('request.kind', 'expected { group, version, kind }');
  }
  const userInfo = isRecord(request.userInfo) ? request.userInfo : undefined;
  const resource = isRecord(request.resource) ? request.resource : undefined;
  if (
    request.dryRun !== undefined &&
    request.dryRun !== null &&
    typeof request.dryRun !== 'boolean'
  ) {
    throw new AdmissionReviewError('request.dryRun', 'not a boolean');
  }
  return {
    uid,
    kind: {
      group: typeof kind.group === 'string' ? kind.group : '',
      version: kind.version,
      kind: kind.kind,
    },
    resource: resource && {
      group: String(resource.group ?? ''),
      version: String(resource.version ?? ''),
      resource: String(resource.resource ?? ''),
    },
    subResource: optionalString(request, 'subResource', 'request'),
    name: optionalString(request, 'name', 'request'),
    namespace: optionalString(request, 'namespace', 'request'),
    operation: operation as Operation,
    userInfo: userInfo && {
      username: optionalString(userInfo, 'username', 'request.userInfo'),
      groups: Array.isArray(userInfo.groups)
        ? userInfo.groups.filter((g): g is string => typeof g === 'string')
        : undefined,
    },
    object: request.object ?? undefined,
    oldObject: request.oldObject ?? undefined,
    dryRun: request.dryRun === true,
  };
}

/** The review to send back for `response`. */
export function admissionReviewResponse(response: AdmissionResponse) {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/** `apps/v1` for a request kind; `v1` for the core group. */
export function apiVersionOf(kind: AdmissionRequest['kind']): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}
