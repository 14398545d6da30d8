/**
 * Microsoft Teams incoming webhook sink: one message per record carrying an Adaptive Card (a
 * coloured title, a fact set with severity, status and entities, the description, an
 * Action.OpenUrl back to the console), the shape both Teams workflows and connectors accept.
 */

import type { ExportRecord, Sink } from '../../model/export-record.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { cardContent, clip, type CardContent } from './chat-card.js';
import { createChatWebhookSink } from './chat-webhook-sink.js';
import type { ChatSinkConfig } from './sink-config.js';

/** Adaptive Card text colours for each card colour. */
const CARD_COLOUR: Record<CardContent['colour'], string> = {
  red: 'Attention',
  orange: 'Warning',
  yellow: 'Warning',
  blue: 'Accent',
  grey: 'Default',
};

/** The Teams message for one record. */
export function teamsMessage(record: ExportRecord, consoleUrl: string): Record<string, unknown> {
  const card = cardContent(record, consoleUrl);
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: clip(card.title, 300),
      weight: 'Bolder',
      size: 'Medium',
      color: CARD_COLOUR[card.colour],
      wrap: true,
    },
    { type: 'FactSet', facts: card.facts.map(([title, value]) => ({ title, value })) },
  ];
  if (card.description)
    body.push({ type: 'TextBlock', text: clip(card.description, 2000), wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open in Palisade', url: card.link }],
        },
      },
    ],
  };
}

/** A Microsoft Teams incoming webhook sink. */
export function createTeamsSink(config: ChatSinkConfig, guard: AddressGuard, ca?: string): Sink {
  return createChatWebhookSink(
    { kind: 'teams', label: 'Microsoft Teams', message: teamsMessage },
    config,
    guard,
    ca,
  );
}
