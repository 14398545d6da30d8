/**
 * Builds the sink a configuration describes. Every sink connects through one `AddressGuard`, so
 * no destination (HTTP, syslog, NATS, SMTP) is reached without the SSRF check.
 *
 * ```ts
 * const sink = createSink({ kind: 'syslog', transport: 'tcp', host: 'siem.example.com' }, {
 *   network: { allow: ['10.20.0.0/16'] },
 * });
 * await sink.send(records);
 * ```
 */

import type { Kysely } from 'kysely';
import type { Sink } from '../../model/export-record.js';
import type { Database } from '../../store/schema.js';
import {
  AddressGuard,
  allowListFromEnv,
  EXPORT_ALLOW_ENV,
  type HostLookup,
  type NetworkPolicy,
} from '../ssrf-guard.js';
import { parseSinkConfig, sinkDestinations, type SinkConfig } from './sink-config.js';
import { SinkConfigError } from './sink-config-error.js';
import { cleartextRefusal } from './cleartext-credentials.js';
import { createEmailSink } from './email-sink.js';
import { createJiraSink } from './jira-sink.js';
import { createNatsSink } from './nats-sink.js';
import { createServiceNowSink } from './servicenow-sink.js';
import { createSlackSink } from './slack-sink.js';
import { createSplunkHecSink } from './splunk-hec-sink.js';
import { createTeamsSink } from './teams-sink.js';
import { createSyslogSink } from './syslog-sink.js';
import { createWebhookSink } from './webhook-sink.js';

export { parseSinkConfig, SINK_KINDS } from './sink-config.js';
export type * from './sink-config.js';
export { SinkConfigError } from './sink-config-error.js';

/** What a refused destination needs from the allow setting before export may reach it. */
function allowHint(standing: boolean): string {
  return standing
    ? `export reaches it only when ${EXPORT_ALLOW_ENV} names it specifically`
    : `export reaches it only when ${EXPORT_ALLOW_ENV} (comma-separated CIDRs or host names, ` +
        'where the server or exporter runs) admits it';
}

/**
 * `parseSinkConfig` for a sink being configured: also refuses a destination the SSRF guard
 * would refuse on every send, so such a sink is refused when it is made, not first when it
 * sends. That is a cloud metadata name or a literal link-local address unless `network` names it
 * specifically, and a literal loopback, private or otherwise refused address unless `network`
 * admits it; a name that needs DNS is checked when the sink connects. Also refused: a plain
 * `http://` URL off loopback for a sink that sends credentials, unless `requireTls: false`.
 */
export function parseNewSinkConfig(
  input: unknown,
  network: NetworkPolicy = { allow: allowListFromEnv() },
): SinkConfig {
  const config = parseSinkConfig(input);
  const guard = new AddressGuard(network);
  for (const { field, host } of sinkDestinations(config)) {
    const standing = guard.standingRefusal(host);
    const why = standing ?? guard.literalRefusal(host);
    if (why) {
      throw new SinkConfigError(
        config.kind,
        field,
        `names ${host} (${why}); ${allowHint(standing !== undefined)}`,
      );
    }
  }
  const cleartext = cleartextRefusal(config);
  if (cleartext) throw new SinkConfigError(config.kind, cleartext.field, cleartext.why);
  return config;
}

/** What sinks need from their surroundings. */
export interface SinkDeps {
  /** Destinations allowed although in a refused range (loopback, private). */
  network?: NetworkPolicy;
  /** Host name resolution; the system resolver when absent. */
  lookup?: HostLookup;
  /** The store, for the ticket sinks' alert → ticket links. */
  db?: Kysely<Database>;
  /** Extra trusted CA certificates (PEM) for HTTPS destinations. */
  ca?: string;
}

/** The store, which ticket sinks need for their links. */
function needDb(deps: SinkDeps, kind: string): Kysely<Database> {
  if (deps.db) return deps.db;
  throw new SinkConfigError(
    kind,
    'db',
    'is needed: ticket sinks keep alert → ticket links in the store',
  );
}

/**
 * A sink for `config` (checked first: a bad field, or credentials that would go over plain
 * http:// off loopback, throws `SinkConfigError` naming the field).
 * Ticket sinks (`servicenow`, `jira`) need `deps.db`.
 */
export function createSink(config: SinkConfig | unknown, deps: SinkDeps = {}): Sink {
  const checked = parseSinkConfig(config);
  // Checked again at send time: a sink stored before this check existed (or written into the
  // store directly) must not send its credentials in clear either.
  const cleartext = cleartextRefusal(checked);
  if (cleartext) throw new SinkConfigError(checked.kind, cleartext.field, cleartext.why);
  const guard = new AddressGuard(deps.network, deps.lookup);
  switch (checked.kind) {
    case 'syslog':
      return createSyslogSink(checked, guard);
    case 'splunk-hec':
      return createSplunkHecSink(checked, guard, deps.ca);
    case 'webhook':
      return createWebhookSink(checked, guard, deps.ca);
    case 'nats':
      return createNatsSink(checked, guard);
    case 'email':
      return createEmailSink(checked, guard);
    case 'slack':
      return createSlackSink(checked, guard, deps.ca);
    case 'teams':
      return createTeamsSink(checked, guard, deps.ca);
    case 'servicenow':
      return createServiceNowSink(checked, guard, needDb(deps, checked.kind), deps.ca);
    case 'jira':
      return createJiraSink(checked, guard, needDb(deps, checked.kind), deps.ca);
  }
}
