/**
 * Secrets out of what Palisade keeps. Rules judge a resource's properties as read, credentials
 * included (that is how a rule finds an access key in a Lambda environment); what is stored and
 * shown afterwards keeps the shape and the key names but not the secret values: a Kubernetes
 * Secret's data, password-like fields, secret-looking environment variables, user data scripts.
 */

export const REDACTED = '(redacted)';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A field that holds a secret by its name: `administratorLoginPassword`, `ClientSecret`. */
const SECRET_FIELD =
  /(password|passwd|secret|token|api_?key|private_?key|access_?key|secret_?key|credentials?|connection_?string|sas_?url|user_?data|secret_?string|secret_?value)$/i;

/** An environment variable or setting whose name says it carries a secret: `DB_PASSWORD`. */
const SECRET_NAME =
  /pass(word|wd)?|pwd|secret|token|api_?key|private_?key|credential|conn(ection)?_?str/i;

/** Fields whose value maps variable names to values (Lambda, Terraform `environment`). */
const VARIABLE_MAPS = new Set(['variables', 'environment', 'environmentvariables', 'appsettings']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every value of a map replaced, its keys kept. */
function redactValues(values: unknown): unknown {
  return isRecord(values)
    ? Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]))
    : values;
}

/** Stands in for what lies deeper than MAX_DEPTH: neither judged for secrets nor stored. */
export const TOO_DEEP = '(nested too deep; not stored)';
const MAX_DEPTH = 64;

function redactValue(value: unknown, depth: number, inVariables: boolean): unknown {
  // Past the cap a value is cut, not kept unredacted: a secret could hide down there, and a value
  // nested thousands of levels deep would overflow JSON.stringify in the store.
  if (depth > MAX_DEPTH) return value !== null && typeof value === 'object' ? TOO_DEEP : value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, false));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  // `{ name: 'DB_PASSWORD', value: '...' }`: container env, ECS, App Service settings.
  const named =
    typeof value.name === 'string' &&
    typeof value.value === 'string' &&
    SECRET_NAME.test(value.name);
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string' && v !== '') {
      const secret =
        (named && key === 'value') ||
        (inVariables && SECRET_NAME.test(key)) ||
        SECRET_FIELD.test(key.replace(/[-\s]/g, '_'));
      out[key] = secret ? REDACTED : v;
    } else {
      out[key] = redactValue(v, depth + 1, VARIABLE_MAPS.has(key.toLowerCase().replace(/_/g, '')));
    }
  }
  return out;
}

/**
 * `properties` as Palisade may store and show them. A Kubernetes Secret (`kind` 'Secret' or a
 * type ending in `/Secret`) loses every value of `data` and `stringData`, and the copy of them
 * `kubectl apply` leaves in an annotation; any resource loses password-, token- and key-named
 * string fields and secret-named variables. Nothing else changes.
 *
 * ```ts
 * redactSecrets('v1/Secret', { data: { password: 'aHVudGVyMg==' } }); // data.password '(redacted)'
 * ```
 */
export function redactSecrets(type: string, properties: unknown): unknown {
  if (!isRecord(properties)) return properties;
  let object: Record<string, unknown> = properties;
  if (type === 'Secret' || type.endsWith('/Secret')) {
    object = { ...object };
    if ('data' in object) object.data = redactValues(object.data);
    if ('stringData' in object) object.stringData = redactValues(object.stringData);
    if (isRecord(object.metadata) && isRecord(object.metadata.annotations)) {
      const { [LAST_APPLIED]: _dropped, ...annotations } = object.metadata.annotations;
      object.metadata = { ...object.metadata, annotations };
    }
  }
  return redactValue(object, 0, false);
}
