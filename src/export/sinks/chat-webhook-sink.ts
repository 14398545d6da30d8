/**
 * A chat incoming webhook as a sink: one POST per record, in order, carrying the message the
 * chat service lays out (Slack Block Kit, a Teams Adaptive Card).
 */

import type { ExportRecord, Sink } from '../../model/export-record.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { SinkHttpClient } from './http-client.js';
import type { ChatSinkConfig } from './sink-config.js';

/** What one chat service brings: its sink kind, its name in errors and its message layout. */
export interface ChatService {
  kind: string;
  /** Named in transport errors: `Slack`, `Microsoft Teams`. */
  label: string;
  message(record: ExportRecord, consoleUrl: string): unknown;
}

/**
 * A sink posting each record to `config.url` as `service` lays it out.
 *
 * ```ts
 * createChatWebhookSink({ kind: 'slack', label: 'Slack', message: slackMessage }, config, guard);
 * ```
 */
export function createChatWebhookSink(
  service: ChatService,
  config: ChatSinkConfig,
  guard: AddressGuard,
  ca?: string,
): Sink {
  return new ChatWebhookSink(service, config, guard, ca);
}

class ChatWebhookSink implements Sink {
  readonly kind: string;
  readonly #service: ChatService;
  readonly #config: ChatSinkConfig;
  readonly #http: SinkHttpClient;

  constructor(service: ChatService, config: ChatSinkConfig, guard: AddressGuard, ca?: string) {
    this.kind = service.kind;
    this.#service = service;
    this.#config = config;
    this.#http = new SinkHttpClient(service.label, guard, {
      timeoutMs: config.timeoutMs,
      ca,
      // The webhook URL is the credential: an answer echoing its path must not show it.
      pathIsCredential: true,
    });
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    for (const record of records) {
      await this.#http.call({
        method: 'POST',
        url: this.#config.url,
        body: this.#service.message(record, this.#config.consoleUrl),
        signal,
      });
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
