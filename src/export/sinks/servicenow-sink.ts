/**
 * ServiceNow incident sink through the Table API: POST /api/now/table/incident opens an incident
 * (correlation_id = the alert's subject key, so it can be found again), PATCH
 * /api/now/table/incident/{sys_id} moves its state with a work note; resolving sets the close
 * code and notes the Resolved state requires.
 */

import type { Kysely } from 'kysely';
import type { Alert, AlertStatus } from '../../model/alert.js';
import { SinkError, type AlertExportData, type Sink } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import type { Database } from '../../store/schema.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { SinkHttpClient } from './http-client.js';
import type { ServiceNowSinkConfig } from './sink-config.js';
import { answerList, describeAnswer, describeJson } from './vendor-answer.js';
import {
  alertLink,
  basicAuthHeaders,
  statusNote,
  ticketSummary,
  TicketSink,
  type Ticket,
  type TicketVendor,
} from './ticket-sink.js';

/** Incident `state` values: 1 New, 2 In Progress, 6 Resolved. */
const STATE: Record<AlertStatus, number> = { active: 1, in_progress: 2, resolved: 6, dismissed: 6 };

/** Urgency and impact (1 High, 2 Medium, 3 Low) for each severity. */
const PRIORITY: Record<Severity, [number, number]> = {
  critical: [1, 1],
  high: [1, 2],
  medium: [2, 2],
  low: [3, 2],
  informational: [3, 3],
};

/** Close codes of the default incident form; an instance with its own sets `closeCodes`. */
const CLOSE_CODE: Record<'resolved' | 'dismissed', string> = {
  resolved: 'Solution provided',
  dismissed: 'No resolution provided',
};

interface IncidentResult {
  sys_id?: unknown;
  number?: unknown;
}

/** The incident an answer names; `came` says what the answer was when it names none. */
function ticketOf(result: IncidentResult | undefined, what: string, came: string): Ticket {
  if (typeof result?.sys_id !== 'string' || typeof result.number !== 'string') {
    throw new SinkError(
      'servicenow_answer',
      `ServiceNow ${what}: expected an incident with sys_id and number, but ${came}`,
      true,
    );
  }
  return { id: result.sys_id, ref: result.number };
}

class ServiceNowVendor implements TicketVendor {
  readonly sinkKey: string;
  readonly #config: ServiceNowSinkConfig;
  readonly #http: SinkHttpClient;
  readonly #headers: Record<string, string>;

  constructor(config: ServiceNowSinkConfig, guard: AddressGuard, ca?: string) {
    this.#config = config;
    this.sinkKey = `servicenow:${config.instanceUrl}`;
    this.#http = new SinkHttpClient('ServiceNow', guard, { timeoutMs: config.timeoutMs, ca });
    this.#headers = basicAuthHeaders(config.username, config.password);
  }

  async find(subject: string, signal?: AbortSignal): Promise<Ticket | undefined> {
    const query = new URLSearchParams({
      sysparm_query: `correlation_id=${subject}`,
      sysparm_fields: 'sys_id,number,state',
      sysparm_limit: '1',
    });
    const answer = await this.#http.call({
      method: 'GET',
      url: `${this.#config.instanceUrl}/api/now/table/incident?${query}`,
      headers: this.#headers,
      signal,
    });
    const [first] = answerList(answer, 'result', 'incidents', {
      what: 'ServiceNow search',
      code: 'servicenow_answer',
    }) as (IncidentResult | undefined)[];
    return first ? ticketOf(first, 'search', `"result" held ${describeJson(first)}`) : undefined;
  }

  async create(subject: string, alert: Alert, signal?: AbortSignal): Promise<Ticket> {
    const [urgency, impact] = PRIORITY[alert.severity];
    const link = alertLink(this.#config.consoleUrl, alert);
    const entities = alert.entities.map((e) => `- ${e.kind}: ${e.value}`).join('\n');
    const answer = await this.#http.call({
      method: 'POST',
      url: `${this.#config.instanceUrl}/api/now/table/incident`,
      headers: this.#headers,
      body: {
        short_description: ticketSummary(alert, 160),
        description:
          `${alert.description.trim()}\n\nSeverity: ${alert.severity}\nRule: ${alert.rule.title}\n` +
          `Entities:\n${entities}\n\nRemediation:\n${alert.remediation.join('\n')}\n\nOpen in Palisade: ${link}`,
        urgency: `${urgency}`,
        impact: `${impact}`,
        correlation_id: subject,
        correlation_display: 'Palisade',
        ...(this.#config.category ? { category: this.#config.category } : {}),
        ...(this.#config.assignmentGroup ? { assignment_group: this.#config.assignmentGroup } : {}),
      },
      signal,
    });
    const result = (answer.json as { result?: IncidentResult } | undefined)?.result;
    const came =
      result === undefined
        ? `the answer was ${describeAnswer(answer)}`
        : `"result" was ${describeJson(result)}`;
    return ticketOf(result, 'create', came);
  }

  async update(
    ticket: Ticket,
    status: AlertStatus,
    data: AlertExportData,
    signal?: AbortSignal,
  ): Promise<void> {
    const note = statusNote(status, data);
    const closing = status === 'resolved' || status === 'dismissed';
    await this.#http.call({
      method: 'PATCH',
      url: `${this.#config.instanceUrl}/api/now/table/incident/${encodeURIComponent(ticket.id)}`,
      headers: this.#headers,
      body: {
        state: `${STATE[status]}`,
        work_notes: note,
        ...(closing
          ? {
              close_code: this.#config.closeCodes?.[status] ?? CLOSE_CODE[status],
              close_notes: note,
            }
          : {}),
      },
      signal,
    });
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** A ServiceNow incident sink keeping its links in `db`. */
export function createServiceNowSink(
  config: ServiceNowSinkConfig,
  guard: AddressGuard,
  db: Kysely<Database>,
  ca?: string,
): Sink {
  return new TicketSink('servicenow', new ServiceNowVendor(config, guard, ca), db, config.per);
}
