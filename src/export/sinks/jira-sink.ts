/**
 * Jira issue sink through REST API v3: POST /rest/api/3/issue opens an issue with an Atlassian
 * Document Format description and a label derived from the alert (so the search endpoint finds
 * it again), and a status change applies the configured workflow transition with a comment.
 */

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Alert, AlertStatus } from '../../model/alert.js';
import { SinkError, type AlertExportData, type Sink } from '../../model/export-record.js';
import type { Database } from '../../store/schema.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { SinkHttpClient } from './http-client.js';
import type { JiraSinkConfig } from './sink-config.js';
import { answerList, describeAnswer } from './vendor-answer.js';
import {
  alertLink,
  basicAuthHeaders,
  statusNote,
  ticketSummary,
  TicketSink,
  type Ticket,
  type TicketVendor,
} from './ticket-sink.js';

/** Transition names of Jira's default workflows. */
const DEFAULT_TRANSITIONS: Record<AlertStatus, string> = {
  active: 'To Do',
  in_progress: 'In Progress',
  resolved: 'Done',
  dismissed: 'Done',
};

type AdfNode = Record<string, unknown>;

const text = (value: string, marks?: AdfNode[]): AdfNode => ({
  type: 'text',
  text: value,
  ...(marks ? { marks } : {}),
});
const paragraph = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const bullets = (items: string[]): AdfNode => ({
  type: 'bulletList',
  content: items.map((item) => ({ type: 'listItem', content: [paragraph(text(item))] })),
});

/** The issue description as an ADF document. */
export function alertDocument(alert: Alert, link: string): AdfNode {
  const content: AdfNode[] = [];
  const description = alert.description.trim();
  if (description) content.push(paragraph(text(description)));
  content.push(
    paragraph(text('Severity: ', [{ type: 'strong' }]), text(alert.severity)),
    paragraph(text('Rule: ', [{ type: 'strong' }]), text(alert.rule.title)),
  );
  if (alert.entities.length > 0)
    content.push(bullets(alert.entities.map((e) => `${e.kind}: ${e.value}`)));
  const steps = alert.remediation.filter((s) => s.trim() !== '');
  if (steps.length > 0) {
    content.push(paragraph(text('Remediation', [{ type: 'strong' }])), bullets(steps));
  }
  content.push(paragraph(text('Open in Palisade', [{ type: 'link', attrs: { href: link } }])));
  return { type: 'doc', version: 1, content };
}

/** The label that marks an issue as filed for `subject` (labels cannot hold spaces or colons). */
export function subjectLabel(subject: string): string {
  return `palisade-${createHash('sha256').update(subject).digest('hex').slice(0, 20)}`;
}

interface Transition {
  id: string;
  name: string;
  to?: { name?: string };
}

class JiraVendor implements TicketVendor {
  readonly sinkKey: string;
  readonly #config: JiraSinkConfig;
  readonly #http: SinkHttpClient;
  readonly #headers: Record<string, string>;

  constructor(config: JiraSinkConfig, guard: AddressGuard, ca?: string) {
    this.#config = config;
    this.sinkKey = `jira:${config.baseUrl}/${config.projectKey}`;
    this.#http = new SinkHttpClient('Jira', guard, { timeoutMs: config.timeoutMs, ca });
    this.#headers = basicAuthHeaders(config.email, config.apiToken);
  }

  async find(subject: string, signal?: AbortSignal): Promise<Ticket | undefined> {
    const jql = `project = "${this.#config.projectKey}" AND labels = "${subjectLabel(subject)}"`;
    const query = new URLSearchParams({ jql, fields: 'status', maxResults: '1' });
    const answer = await this.#http.call({
      method: 'GET',
      url: `${this.#config.baseUrl}/rest/api/3/search/jql?${query}`,
      headers: this.#headers,
      signal,
    });
    const [issue] = answerList(answer, 'issues', 'issues', {
      what: 'Jira search',
      code: 'jira_answer',
    }) as ({ id?: string; key?: string } | undefined)[];
    return issue?.id && issue.key ? { id: issue.id, ref: issue.key } : undefined;
  }

  async create(subject: string, alert: Alert, signal?: AbortSignal): Promise<Ticket> {
    const link = alertLink(this.#config.consoleUrl, alert);
    const answer = await this.#http.call({
      method: 'POST',
      url: `${this.#config.baseUrl}/rest/api/3/issue`,
      headers: this.#headers,
      body: {
        fields: {
          project: { key: this.#config.projectKey },
          issuetype: { name: this.#config.issueType ?? 'Task' },
          summary: ticketSummary(alert, 255),
          description: alertDocument(alert, link),
          labels: ['palisade', `palisade-${alert.severity}`, subjectLabel(subject)],
        },
      },
      signal,
    });
    const issue = answer.json as { id?: string; key?: string } | undefined;
    if (!issue?.id || !issue.key) {
      throw new SinkError(
        'jira_answer',
        `Jira create issue: expected an issue with id and key, but the answer was ${describeAnswer(answer)}`,
        true,
      );
    }
    return { id: issue.id, ref: issue.key };
  }

  async update(
    ticket: Ticket,
    status: AlertStatus,
    data: AlertExportData,
    signal?: AbortSignal,
  ): Promise<void> {
    const base = `${this.#config.baseUrl}/rest/api/3/issue/${encodeURIComponent(ticket.ref)}`;
    const wanted = (
      this.#config.transitions?.[status] ?? DEFAULT_TRANSITIONS[status]
    ).toLowerCase();
    const answer = await this.#http.call({
      method: 'GET',
      url: `${base}/transitions`,
      headers: this.#headers,
      signal,
    });
    const transitions = (answer.json as { transitions?: Transition[] })?.transitions ?? [];
    const transition = transitions.find(
      (t) => t.name.toLowerCase() === wanted || t.to?.name?.toLowerCase() === wanted,
    );
    if (!transition) {
      const offered = transitions.map((t) => t.name).join(', ') || 'none';
      throw new SinkError(
        'jira_transition_missing',
        `Jira ${ticket.ref}: no transition "${wanted}" for alert status ${status} (offered: ${offered}); ` +
          'set `transitions` in the sink configuration',
        false,
      );
    }
    await this.#http.call({
      method: 'POST',
      url: `${base}/transitions`,
      headers: this.#headers,
      body: { transition: { id: transition.id } },
      signal,
    });
    const note = statusNote(status, data);
    await this.#http.call({
      method: 'POST',
      url: `${base}/comment`,
      headers: this.#headers,
      body: { body: { type: 'doc', version: 1, content: [paragraph(text(note))] } },
      signal,
    });
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** A Jira issue sink keeping its links in `db`. */
export function createJiraSink(
  config: JiraSinkConfig,
  guard: AddressGuard,
  db: Kysely<Database>,
  ca?: string,
): Sink {
  return new TicketSink('jira', new JiraVendor(config, guard, ca), db, config.per);
}
