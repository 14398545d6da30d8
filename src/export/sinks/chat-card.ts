/**
 * What a chat card says about one record, for people: severity, title, the entities or resource
 * involved, what changed, and the link back to the console. Slack and Teams lay it out their way.
 */

import type { ExportRecord } from '../../model/export-record.js';
import { consoleLink } from '../console-link.js';
import { scoreWords, summarize } from '../formats/record-summary.js';

/** The content of one card. */
export interface CardContent {
  severity: string;
  /** Emoji-free colour hint: red, orange, yellow, blue, grey. */
  colour: 'red' | 'orange' | 'yellow' | 'blue' | 'grey';
  title: string;
  /** Short facts: label and value, at most ten. */
  facts: [string, string][];
  description?: string;
  link: string;
}

const COLOUR = {
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'blue',
  informational: 'grey',
} as const;

/** Longest entity list a card shows before "and N more". */
const MAX_ENTITIES = 6;

function entityLines(entities: { kind: string; value: string }[]): string {
  const shown = entities.slice(0, MAX_ENTITIES).map((e) => `${e.kind}: ${e.value}`);
  const more = entities.length - shown.length;
  return more > 0 ? `${shown.join('\n')}\n… and ${more} more` : shown.join('\n');
}

/** The card for one record, linking to `consoleUrl`. */
export function cardContent(record: ExportRecord, consoleUrl: string): CardContent {
  const summary = summarize(record);
  const facts: [string, string][] = [['Severity', summary.severity]];
  if (summary.state) {
    const change = summary.previousState
      ? `${summary.previousState} → ${summary.state}`
      : summary.state;
    facts.push(['Status', change]);
  }
  let description: string | undefined;
  switch (record.type) {
    case 'alert': {
      const { alert, actor, comment } = record.data;
      facts.push(['Rule', alert.rule.title]);
      if (alert.attack.techniques.length > 0 || alert.attack.tactics.length > 0) {
        facts.push(['ATT&CK', [...alert.attack.tactics, ...alert.attack.techniques].join(', ')]);
      }
      facts.push(['Events', `${alert.eventCount}`]);
      if (actor) facts.push(['Changed by', comment ? `${actor}: ${comment}` : actor]);
      description = alert.description.trim();
      break;
    }
    case 'incident': {
      const { incident, actor, comment } = record.data;
      facts.push(['Alerts', `${incident.alerts.length}`]);
      if (incident.tactics.length > 0) facts.push(['ATT&CK', incident.tactics.join(', ')]);
      if (actor) facts.push(['Changed by', comment ? `${actor}: ${comment}` : actor]);
      break;
    }
    case 'recommendation':
      facts.push(['Resource', `${record.data.resourceName} (${record.data.resourceType})`]);
      if (record.data.account) facts.push(['Account', record.data.account]);
      description = record.data.message;
      break;
    case 'compliance':
      facts.push([
        'Resources',
        `${record.data.passedResources} pass, ${record.data.failedResources} fail`,
      ]);
      break;
    case 'secure_score':
      for (const control of record.data.controls.slice(0, 5)) {
        facts.push([
          control.name,
          `${scoreWords(control.previous)} → ${scoreWords(control.current)}`,
        ]);
      }
      break;
  }
  if (summary.entities.length > 0 && record.type !== 'secure_score') {
    facts.push(['Entities', entityLines(summary.entities)]);
  }
  return {
    severity: summary.severity,
    colour: COLOUR[summary.severity],
    title: summary.title,
    facts: facts.slice(0, 10),
    description,
    link: consoleLink(consoleUrl, summary.consolePage),
  };
}

/** `text` cut to `max` characters with an ellipsis (the sinks import it from here). */
export { clip } from '../../report/terminal-text.js';
