/**
 * Links between alerts (or incidents) and the tickets a ticket sink opened for them: looked up
 * before opening a ticket, written as soon as one exists, updated with each status applied.
 */

import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';

/** The `ticket_links` table (migration 0010). */
export interface TicketLinkTable {
  /** The ticket sink: `servicenow:<instance>` or `jira:<site>/<project>`. */
  sink: string;
  /** `alert:<id>` or `incident:<id>`. */
  subject: string;
  /** The vendor's id: ServiceNow sys_id, Jira issue id. */
  ticket_id: string;
  /** What people see: INC0010001, SEC-42. */
  ticket_ref: string;
  /** The alert status last applied to the ticket. */
  status: string;
  /** When that status change happened: an older change arriving late is not applied. */
  status_at: string;
  created_at: string;
  updated_at: string;
}

export type TicketLink = Selectable<TicketLinkTable>;
type TicketDb = Kysely<Database & { ticket_links: TicketLinkTable }>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withLinks = (db: Kysely<any>) => db as TicketDb;

/** The ticket `sink` keeps for `subject`, if any. */
export async function findTicketLink(
  db: Kysely<Database>,
  sink: string,
  subject: string,
): Promise<TicketLink | undefined> {
  return withLinks(db)
    .selectFrom('ticket_links')
    .selectAll()
    .where('sink', '=', sink)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

/**
 * Records (or moves on) the link. The first ticket written for a subject stays: a second one
 * for the same sink and subject only updates the status.
 *
 * ```ts
 * await saveTicketLink(db, { sink, subject: 'alert:a1', ticket_id: sysId, ticket_ref: 'INC0010001',
 *   status: 'active', status_at: record.occurredAt });
 * ```
 */
export async function saveTicketLink(
  db: Kysely<Database>,
  link: Omit<TicketLinkTable, 'created_at' | 'updated_at'>,
  now: Date = new Date(),
): Promise<void> {
  const at = now.toISOString();
  await withLinks(db)
    .insertInto('ticket_links')
    .values({ ...link, created_at: at, updated_at: at })
    .onConflict((oc) =>
      oc
        .columns(['sink', 'subject'])
        .doUpdateSet({ status: link.status, status_at: link.status_at, updated_at: at }),
    )
    .execute();
}

/** Every link of one sink, oldest first. */
export async function listTicketLinks(db: Kysely<Database>, sink: string): Promise<TicketLink[]> {
  return withLinks(db)
    .selectFrom('ticket_links')
    .selectAll()
    .where('sink', '=', sink)
    .orderBy('created_at')
    .orderBy('subject')
    .execute();
}
