/**
 * Slack incoming webhook sink: one message per record, as Block Kit blocks (header, fields with
 * severity, status and entities, the description, a button back to the console) with a plain
 * text fallback for notifications. Slack answers `ok`, or an error word with 400/403/404/410.
 */

import type { ExportRecord, Sink } from '../../model/export-record.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { cardContent, clip } from './chat-card.js';
import { createChatWebhookSink } from './chat-webhook-sink.js';
import type { ChatSinkConfig } from './sink-config.js';

const SEVERITY_MARK: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  informational: ':white_circle:',
};

/** Escapes Slack mrkdwn control characters (`&`, `<`, `>`). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Slack message for one record. */
export function slackMessage(record: ExportRecord, consoleUrl: string): Record<string, unknown> {
  const card = cardContent(record, consoleUrl);
  const mark = SEVERITY_MARK[card.severity];
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(card.title, 150), emoji: true } },
    {
      type: 'section',
      fields: card.facts.map(([label, value]) => ({
        type: 'mrkdwn',
        text: clip(
          `*${slackEscape(label)}*\n${label === 'Severity' ? `${mark} ` : ''}${slackEscape(value)}`,
          2000,
        ),
      })),
    },
  ];
  if (card.description) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(slackEscape(card.description), 3000) },
    });
  }
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open in Palisade' },
        url: card.link,
        action_id: 'palisade-open',
      },
    ],
  });
  return {
    text: clip(`${card.severity.toUpperCase()}: ${slackEscape(card.title)} ${card.link}`, 3000),
    blocks,
  };
}

/** A Slack incoming webhook sink. */
export function createSlackSink(config: ChatSinkConfig, guard: AddressGuard, ca?: string): Sink {
  return createChatWebhookSink(
    { kind: 'slack', label: 'Slack', message: slackMessage },
    config,
    guard,
    ca,
  );
}
