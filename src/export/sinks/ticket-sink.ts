/**
 * What ServiceNow and Jira sinks share: one ticket per alert (or per incident), found through
 * the store's link first, then through the vendor's own search (so a crash between opening a
 * ticket and recording it never leads to a second ticket), and moved along when the alert's
 * status changes. Records other than alerts are not ticketed.
 */

import type { Kysely } from 'kysely';
import type { Alert, AlertStatus } from '../../model/alert.js';
import type { AlertExportData, ExportRecord, Sink } from '../../model/export-record.js';
import type { Database } from '../../store/schema.js';
import { aliasesOf } from '../../store/incident-aliases.js';
import { findTicketLink, saveTicketLink } from '../../store/ticket-link-repository.js';
import { alertPage, consoleLink } from '../console-link.js';
import { clip } from './chat-card.js';
import type { TicketScope } from './sink-config.js';

/** A ticket as the vendor knows it. */
export interface Ticket {
  /** The vendor's id (sys_id, issue id). */
  id: string;
  /** What people see (INC0010001, SEC-42). */
  ref: string;
}

/** What one ticketing system does for the shared logic. */
export interface TicketVendor {
  /** Stable name of this destination for the link table: `jira:<site>/<project>`. */
  readonly sinkKey: string;
  /** The ticket already opened for `subject`, searched on the vendor's side. */
  find(subject: string, signal?: AbortSignal): Promise<Ticket | undefined>;
  create(subject: string, alert: Alert, signal?: AbortSignal): Promise<Ticket>;
  /** Moves the ticket to `status`, with a note on who changed it and why. */
  update(
    ticket: Ticket,
    status: AlertStatus,
    data: AlertExportData,
    signal?: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Request headers with HTTP Basic credentials (Jira e-mail and token, ServiceNow user). */
export function basicAuthHeaders(user: string, secret: string): Record<string, string> {
  const basic = Buffer.from(`${user}:${secret}`).toString('base64');
  return { authorization: `Basic ${basic}`, accept: 'application/json' };
}

/** The alert's page in the console, linked from its ticket. */
export function alertLink(consoleUrl: string, alert: Alert): string {
  return consoleLink(consoleUrl, alertPage(alert.id));
}

/** A one-line ticket title of at most `max` characters. */
export function ticketSummary(alert: Alert, max: number): string {
  return clip(`[Palisade] ${alert.title}`.replace(/[\r\n]+/g, ' '), max);
}

/** The note left on a ticket when its alert's status changes: who changed it and why. */
export function statusNote(status: AlertStatus, data: AlertExportData): string {
  const who = data.actor ? ` by ${data.actor}` : '';
  const why = data.comment ? `: ${data.comment}` : '';
  return `Palisade: alert status is now ${status}${who}${why}.`;
}

/** The subject key a record's ticket is filed under. */
export function ticketSubject(alert: Alert, per: TicketScope = 'alert'): string {
  return per === 'incident' && alert.incidentId
    ? `incident:${alert.incidentId}`
    : `alert:${alert.id}`;
}

/** A sink that files alerts as tickets through `vendor`. */
export class TicketSink implements Sink {
  readonly kind: string;
  readonly #vendor: TicketVendor;
  readonly #db: Kysely<Database>;
  readonly #per: TicketScope;

  constructor(
    kind: string,
    vendor: TicketVendor,
    db: Kysely<Database>,
    per: TicketScope = 'alert',
  ) {
    this.kind = kind;
    this.#vendor = vendor;
    this.#db = db;
    this.#per = per;
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    for (const record of records) {
      if (record.type !== 'alert') continue;
      await this.#file(record.data, record.occurredAt, signal);
    }
  }

  async close(): Promise<void> {
    await this.#vendor.close();
  }

  async #file(data: AlertExportData, occurredAt: string, signal?: AbortSignal): Promise<void> {
    const { alert } = data;
    const subject = ticketSubject(alert, this.#per);
    const sink = this.#vendor.sinkKey;
    const link =
      (await findTicketLink(this.#db, sink, subject)) ?? (await this.#mergedLink(alert, subject));
    const save = (ticket: Ticket, status: string, at: string): Promise<void> =>
      saveTicketLink(this.#db, {
        sink,
        subject,
        ticket_id: ticket.id,
        ticket_ref: ticket.ref,
        status,
        status_at: at,
      });

    if (!link) {
      const found = await this.#vendor.find(subject, signal);
      const ticket = found ?? (await this.#vendor.create(subject, alert, signal));
      // A new ticket starts open; one found on the vendor's side may be in any state.
      const applied = found ? 'unknown' : 'active';
      await save(ticket, applied, occurredAt);
      if (alert.status === applied) return;
      await this.#vendor.update(ticket, alert.status, data, signal);
      await save(ticket, alert.status, occurredAt);
      return;
    }

    // Only a status change moves a ticket, and only when it is newer than the last one applied:
    // a late redelivery of an older change (at-least-once) must not reopen a resolved ticket.
    if (data.change !== 'status_changed') return;
    if (alert.status === link.status || occurredAt < link.status_at) return;
    const ticket = { id: link.ticket_id, ref: link.ticket_ref };
    await this.#vendor.update(ticket, alert.status, data, signal);
    await save(ticket, alert.status, occurredAt);
  }

  /**
   * Per incident: the ticket of an incident merged into this alert's (its alerts now belong to
   * the survivor), filed again under the survivor's subject, so the merge opens no second ticket.
   */
  async #mergedLink(alert: Alert, subject: string) {
    if (this.#per !== 'incident' || !alert.incidentId) return undefined;
    const sink = this.#vendor.sinkKey;
    for (const old of await aliasesOf(this.#db, alert.incidentId)) {
      const link = await findTicketLink(this.#db, sink, `incident:${old}`);
      if (!link) continue;
      await saveTicketLink(this.#db, {
        sink,
        subject,
        ticket_id: link.ticket_id,
        ticket_ref: link.ticket_ref,
        status: link.status,
        status_at: link.status_at,
      });
      return { ...link, subject };
    }
    return undefined;
  }
}
