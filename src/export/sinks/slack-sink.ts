/**
 * Slack incoming webhook sink: one message per record, as Block Kit blocks (header, fields with
 * severity, status and entities, the description, a button back to the console) with a plain
 * text fallback for notifications. Slack answers `ok`, or an error word with 400/403/404/410.
 */

import type { ExportRecord, Sink } from '../../model/export-record.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { cardContent, clip } from './chat-card.js';
import { SinkHttpClient } from './http-client.js';
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

class SlackSink implements Sink {
  readonly kind = 'slack';
  readonly #config: ChatSinkConfig;
  readonly #http: SinkHttpClient;

  constructor(config: ChatSinkConfig, guard: AddressGuard, ca?: string) {
    this.#config = config;
    this.#http = new SinkHttpClient('Slack', guard, { timeoutMs: config.timeoutMs, ca });
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    for (const record of records) {
      await this.#http.call({
        method: 'POST',
        url: this.#config.url,
        body: slackMessage(record, this.#config.consoleUrl),
        signal,
      });
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** A Slack incoming webhook sink. */
export function createSlackSink(config: ChatSinkConfig, guard: AddressGuard, ca?: string): Sink {
  return new SlackSink(config, guard, ca);
}
