/**
 * Generic webhook sink: a JSON POST of `{ "records": [...] }` (export records, or OCSF events),
 * signed with HMAC-SHA256 over the timestamp and body. Each record keeps its idempotency key,
 * so a receiver that sees a redelivered batch drops what it already has.
 */

import { randomUUID } from 'node:crypto';
import type { ExportRecord, Sink } from '../../model/export-record.js';
import { toOcsfEvent } from '../formats/index.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { SinkHttpClient } from './http-client.js';
import type { WebhookSinkConfig } from './sink-config.js';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from './webhook-signature.js';

class WebhookSink implements Sink {
  readonly kind = 'webhook';
  readonly #config: WebhookSinkConfig;
  readonly #http: SinkHttpClient;

  constructor(config: WebhookSinkConfig, guard: AddressGuard, ca?: string) {
    this.#config = config;
    this.#http = new SinkHttpClient('Webhook', guard, { timeoutMs: config.timeoutMs, ca });
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    const size = this.#config.batchSize ?? 100;
    for (let from = 0; from < records.length; from += size) {
      const batch = records.slice(from, from + size);
      const format = this.#config.format ?? 'json';
      const body = JSON.stringify({
        format,
        records: format === 'ocsf' ? batch.map(toOcsfEvent) : batch,
      });
      const timestamp = Math.floor(Date.now() / 1000);
      await this.#http.call({
        method: 'POST',
        url: this.#config.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Palisade-Webhook/1',
          [TIMESTAMP_HEADER]: `${timestamp}`,
          [SIGNATURE_HEADER]: signWebhook(this.#config.secret, timestamp, body),
          [DELIVERY_HEADER]: randomUUID(),
        },
        body,
        signal,
      });
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** A webhook sink for `config`. */
export function createWebhookSink(
  config: WebhookSinkConfig,
  guard: AddressGuard,
  ca?: string,
): Sink {
  return new WebhookSink(config, guard, ca);
}
