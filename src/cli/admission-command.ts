/**
 * `palisade admission`: serves the Kubernetes validating admission webhook; `admission certs`
 * creates its CA and serving certificate; `admission manifest` prints the
 * ValidatingWebhookConfiguration that registers it.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  AdmissionConfigError,
  loadAdmissionConfig,
  type AdmissionConfig,
} from '../enforce/admission/admission-config.js';
import {
  CertificateError,
  createClientCertificate,
  createWebhookCertificates,
} from '../enforce/admission/admission-certs.js';
import { admissionRules } from '../enforce/admission/admission-policy.js';
import { startAdmission } from '../enforce/admission/admission-service.js';
import { webhookManifest } from '../enforce/admission/webhook-manifest.js';
import { AssignmentLoadError } from '../enforce/assignment-loader.js';
import { loadEnforcementRules } from '../enforce/enforcement-rules.js';
import { RuleLoadError } from '../posture/rule-loader.js';
import { REDACTED_PATHS } from '../server/logger.js';
import { StoreError } from '../store/database.js';
import { EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

export interface ServeOptions {
  config?: string;
  host?: string;
  port?: number;
  cert?: string;
  key?: string;
  db?: string;
  policy: string[];
  failurePolicy?: 'Fail' | 'Ignore';
  logLevel: string;
}

/** Errors a user can fix: printed as one line, exit 2. */
function isInputError(error: unknown): boolean {
  return (
    error instanceof AdmissionConfigError ||
    error instanceof AssignmentLoadError ||
    error instanceof RuleLoadError ||
    error instanceof StoreError ||
    error instanceof CertificateError
  );
}

function fail(command: string, error: unknown): number {
  if (!isInputError(error)) throw error;
  process.stderr.write(`palisade ${command}: ${(error as Error).message}\n`);
  return EXIT_INPUT_ERROR;
}

/** The configuration file with the command-line flags laid over it. */
function configFrom(options: Partial<ServeOptions>): AdmissionConfig {
  const overrides: Record<string, unknown> = {};
  if (options.host !== undefined || options.port !== undefined) {
    overrides.listen = {
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    };
  }
  if (options.cert !== undefined || options.key !== undefined) {
    overrides.tls = {
      ...(options.cert !== undefined ? { cert: options.cert } : {}),
      ...(options.key !== undefined ? { key: options.key } : {}),
    };
  }
  const db = options.db ?? process.env.PALISADE_DB;
  if (db !== undefined) overrides.store = db;
  if (options.policy && options.policy.length > 0) overrides.policy = options.policy;
  if (options.failurePolicy !== undefined) overrides.failurePolicy = options.failurePolicy;
  return loadAdmissionConfig(options.config, overrides);
}

/** Serves the webhook until SIGINT or SIGTERM. */
export async function runAdmissionServe(options: ServeOptions): Promise<number> {
  let config: AdmissionConfig;
  try {
    config = configFrom(options);
  } catch (error) {
    return fail('admission', error);
  }
  const logger = pino(
    {
      level: options.logLevel,
      base: { service: 'palisade-admission' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: 2, sync: true }),
  );
  let service;
  try {
    service = await startAdmission(config, { logger });
  } catch (error) {
    return fail('admission', error);
  }
  process.stdout.write(
    `Palisade admission webhook on ${service.url}${config.service.path} ` +
      `(failurePolicy ${config.failurePolicy}, exempt: ${config.exemptNamespaces.join(', ') || 'none'})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stderr.write(`palisade admission: ${signal}, storing queued decisions\n`);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      service.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT_OK;
}

export interface CertsOptions {
  out: string;
  service?: string;
  namespace?: string;
  config?: string;
  san: string[];
  days: number;
  force?: boolean;
  /** Sign a client certificate with this common name using the CA already in `out`. */
  client?: string;
}

/** Creates the CA and serving certificate, or with `client` the API server's client certificate. */
export async function runAdmissionCerts(options: CertsOptions): Promise<number> {
  if (options.client !== undefined) return runClientCertificate(options, options.client);
  try {
    const config = loadAdmissionConfig(options.config);
    const files = await createWebhookCertificates({
      dir: options.out,
      service: options.service ?? config.service.name,
      namespace: options.namespace ?? config.service.namespace,
      extraNames: options.san,
      days: options.days,
      force: options.force,
    });
    process.stdout.write(
      `CA:          ${files.caCert} (key ${files.caKey}, 0600)\n` +
        `Serving:     ${files.cert} (key ${files.key}, 0600)\n` +
        `Valid for:   ${files.names.join(', ')}\n` +
        `Next: palisade admission manifest --ca ${files.caCert} | kubectl apply -f -\n`,
    );
    return EXIT_OK;
  } catch (error) {
    return fail('admission certs', error);
  }
}

/** Signs the API server's client certificate with the CA `admission certs` wrote in `out`. */
async function runClientCertificate(options: CertsOptions, commonName: string): Promise<number> {
  try {
    const files = await createClientCertificate({
      dir: options.out,
      caCert: join(options.out, 'ca.crt'),
      caKey: join(options.out, 'ca.key'),
      commonName,
      days: options.days,
      force: options.force,
    });
    process.stdout.write(
      `Client:      ${files.cert} (key ${files.key}, 0600), CN=${commonName}\n` +
        `Next: set tls.clientCA: ${join(options.out, 'ca.crt')} and give the API server this ` +
        'certificate in its admission kubeconfig (docs/admission.md)\n',
    );
    return EXIT_OK;
  } catch (error) {
    return fail('admission certs', error);
  }
}

export interface ManifestOptions {
  config?: string;
  ca: string;
  service?: string;
  namespace?: string;
  failurePolicy?: 'Fail' | 'Ignore';
  rules: string[];
}

/** Prints the ValidatingWebhookConfiguration. */
export async function runAdmissionManifest(options: ManifestOptions): Promise<number> {
  try {
    const config = loadAdmissionConfig(options.config, {
      ...(options.failurePolicy ? { failurePolicy: options.failurePolicy } : {}),
      ...(options.rules.length > 0 ? { rules: options.rules } : {}),
    });
    if (options.service) config.service.name = options.service;
    if (options.namespace) config.service.namespace = options.namespace;
    let ca: string;
    try {
      ca = await readFile(options.ca, 'utf8');
    } catch (error) {
      throw new AdmissionConfigError({
        file: options.ca,
        key: '--ca',
        message: `cannot read: ${(error as Error).message}`,
      });
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new AdmissionConfigError({
        file: options.ca,
        key: '--ca',
        message: 'not a PEM certificate; pass the ca.crt `admission certs` wrote',
      });
    }
    const rules = admissionRules(await loadEnforcementRules(config.rules));
    process.stdout.write(webhookManifest(config, rules, ca));
    return EXIT_OK;
  } catch (error) {
    return fail('admission manifest', error);
  }
}
