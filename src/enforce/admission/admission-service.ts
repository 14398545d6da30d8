/**
 * The running webhook: store, policy, decision recorder and HTTPS server put together from the
 * configuration. `palisade admission` starts one; tests start one on a loopback port.
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { pruneDecisions } from '../../store/admission-decision-repository.js';
import { openStore } from '../../store/database.js';
import {
  ExemptionLoadError,
  loadExemptions,
  unmatchedRuleWarnings,
  type Exemption,
} from '../../posture/exemptions.js';
import { AdmissionConfigError, type AdmissionConfig } from './admission-config.js';
import { AdmissionPolicySource } from './admission-policy.js';
import { createAdmissionServer } from './admission-server.js';
import { admissionWebhook } from './admission-webhook.js';
import { readClientCA, type ClientAuthentication } from './client-authentication.js';
import { DecisionRecorder } from './decision-recorder.js';

/** Time kept back from the API server's timeout for the answer to travel. */
const ANSWER_MARGIN_MS = 500;

const HOUR_MS = 3_600_000;

export interface AdmissionService {
  server: Server;
  policy: AdmissionPolicySource;
  recorder: DecisionRecorder;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /** `https://host:port` the server listens on. */
  url: string;
  /** Stops listening, stores the queued decisions, closes the store it opened. */
  close(): Promise<void>;
}

function readTlsFile(config: AdmissionConfig, key: 'cert' | 'key'): Buffer {
  try {
    return readFileSync(config.tls[key]);
  } catch (error) {
    throw new AdmissionConfigError({
      file: config.tls[key],
      key: `tls.${key}`,
      message: `cannot read: ${(error as Error).message}; create it with \`palisade admission certs\``,
    });
  }
}

/** The exemptions file's entries; a file that cannot be used names itself and the key. */
async function readExemptions(file: string | undefined): Promise<Exemption[]> {
  if (!file) return [];
  try {
    return await loadExemptions(file);
  } catch (error) {
    if (!(error instanceof ExemptionLoadError)) throw error;
    // The loader's message already starts with the file and line; keep only what follows.
    const at = `${error.file}${error.line ? `:${error.line}` : ''}: `;
    const message = error.message.startsWith(at) ? error.message.slice(at.length) : error.message;
    throw new AdmissionConfigError({
      file: error.file,
      key: 'exemptions',
      line: error.line,
      message,
    });
  }
}

/**
 * Who may post reviews. Unset, anyone who reaches the port may, and the start-up log says so:
 * the webhook cannot tell the API server from any other caller in the cluster.
 */
function clientAuthentication(
  config: AdmissionConfig,
  logger: Logger,
): ClientAuthentication | undefined {
  if (!config.tls.clientCA) {
    logger.warn(
      { setting: 'tls.clientCA' },
      'admission webhook answers any caller that reaches it: set tls.clientCA so only the API server (by its client certificate) is answered',
    );
    return undefined;
  }
  return { ca: readClientCA(config.tls.clientCA), names: config.tls.clientNames };
}

/**
 * Starts the webhook described by `config`. Pass `db` to share an open store (its owner closes
 * it); otherwise `config.store` is opened and closed with the service.
 *
 * ```ts
 * const service = await startAdmission(loadAdmissionConfig('admission.yaml'), { logger });
 * ```
 */
export async function startAdmission(
  config: AdmissionConfig,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  deps: { logger: Logger; db?: Kysely<any> },
): Promise<AdmissionService> {
  const { logger } = deps;
  const cert = readTlsFile(config, 'cert');
  const key = readTlsFile(config, 'key');
  const clientAuth = clientAuthentication(config, logger);
  const exemptions = await readExemptions(config.exemptions);
  const db = deps.db ?? (await openStore(config.store));
  const ownsStore = deps.db === undefined;
  let policy: AdmissionPolicySource | undefined;
  try {
    policy = await AdmissionPolicySource.open({
      files: config.policy,
      ruleDirs: config.rules,
      exemptNamespaces: config.exemptNamespaces,
      exemptions,
      db,
      refreshMs: config.policyRefreshSeconds * 1000,
      onRefreshError: (err) => logger.error({ err }, 'admission policy refresh failed'),
    });
    for (const warning of policy.fileWarnings) logger.warn({ setting: 'policy' }, warning);
    // As check and scan do: an exemption whose rule pattern matches no rule waives nothing.
    for (const warning of unmatchedRuleWarnings(exemptions, [], policy.ruleIds)) {
      logger.warn({ file: config.exemptions }, warning);
    }
    const recorder = new DecisionRecorder({
      db,
      onError: (err, decisions) =>
        logger.error({ err, decisions }, 'admission decisions could not be stored'),
    });
    const source = policy;
    const answer = admissionWebhook({
      policy: () => source.current(),
      failurePolicy: config.failurePolicy,
      budgetMs: Math.max(100, config.timeoutSeconds * 1000 - ANSWER_MARGIN_MS),
      record: (d) => {
        recorder.record(d);
        logger.debug(
          { uid: d.uid, kind: d.kind, namespace: d.namespace, name: d.name, allowed: d.allowed },
          'admission decision',
        );
      },
      onError: (uid, err) => logger.warn({ uid, err }, 'admission request could not be judged'),
    });
    const server = createAdmissionServer({
      cert,
      key,
      path: config.service.path,
      answer,
      clientAuth,
      onRefused: (refusal, remote) =>
        logger.warn(
          { remote, code: refusal.code, reason: refusal.message },
          'admission caller refused',
        ),
      onError: (err) => logger.error({ err }, 'admission request failed'),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.listen.port, config.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Every request is stored; decisions past the retention are deleted at start and hourly.
    const prune = () =>
      pruneDecisions(db, new Date(Date.now() - config.retentionDays * 24 * HOUR_MS))
        .then((deleted) => {
          if (deleted > 0) logger.info({ deleted }, 'admission decisions pruned');
        })
        .catch((err: Error) => logger.error({ err }, 'admission decisions could not be pruned'));
    await prune();
    const pruning = setInterval(() => void prune(), HOUR_MS);
    pruning.unref();

    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      server,
      policy: source,
      recorder,
      db,
      url: `https://${host}:${address.port}`,
      async close() {
        clearInterval(pruning);
        source.close();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await recorder.close();
        if (ownsStore) await db.destroy();
      },
    };
  } catch (error) {
    policy?.close();
    if (ownsStore) await db.destroy();
    throw error;
  }
}
