/**
 * Sysmon for Linux events as Azure Monitor forwards them: an XML `<Event>` in a Syslog row's
 * message (program `sysmon`). Its `EventData` names fields as Sigma's process, network and file
 * categories do (Image, CommandLine, ParentImage, User, DestinationIp, TargetFilename), so they
 * become the event's fields as they are, and the event id gives the Sigma category.
 */

import { XMLParser } from 'fast-xml-parser';

/** Sigma logsource categories of Sysmon event ids (Sysmon's own numbering, shared with Windows). */
const CATEGORIES: Record<string, string> = {
  '1': 'process_creation',
  '3': 'network_connection',
  '5': 'process_termination',
  '9': 'raw_access_thread',
  '11': 'file_event',
  '16': 'sysmon_status',
  '23': 'file_delete',
  '26': 'file_delete',
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: 'text',
  // Values stay text, as Sigma compares them; `Data` is a list even when there is one.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'Data',
});

/** What a Sysmon event gives the event built from its row. */
export interface SysmonEvent {
  eventId: string;
  category?: string;
  time?: string;
  /** `EventData` by name, with `EventID`. */
  fields: Record<string, string>;
}

/** True when a Syslog message holds a Sysmon for Linux event. */
export function isSysmonMessage(message: string): boolean {
  return message.startsWith('<Event>') && message.includes('Linux-Sysmon');
}

/**
 * The Sysmon event in `message`, or a reason it cannot be read. A document type is refused
 * unread: Sysmon writes none, and entity definitions are how XML is made to explode.
 */
export function readSysmonMessage(message: string): SysmonEvent | string {
  if (/<!(DOCTYPE|ENTITY)/i.test(message)) return 'Sysmon event with a document type: not read';
  let doc: unknown;
  try {
    doc = parser.parse(message);
  } catch (error) {
    return `Sysmon event is not valid XML: ${(error as Error).message}`;
  }
  const event = (doc as { Event?: { System?: Record<string, unknown>; EventData?: unknown } })
    .Event;
  const system = event?.System;
  const eventId = typeof system?.EventID === 'string' ? system.EventID : undefined;
  if (!eventId) return 'Sysmon event without an EventID';
  const fields: Record<string, string> = { EventID: eventId };
  const data = (event?.EventData as { Data?: { Name?: string; text?: string }[] } | undefined)
    ?.Data;
  for (const item of data ?? []) {
    if (typeof item?.Name === 'string' && !(item.Name in fields))
      fields[item.Name] = item.text ?? '';
  }
  const created = system?.TimeCreated as { SystemTime?: string } | undefined;
  return { eventId, category: CATEGORIES[eventId], time: created?.SystemTime, fields };
}
