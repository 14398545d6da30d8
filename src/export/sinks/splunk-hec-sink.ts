/**
 * Splunk HTTP Event Collector sink: records go to `/services/collector/event` in batches (event
 * objects back to back in one body), authorised by `Authorization: Splunk <token>`. With
 * indexer acknowledgement on, each request carries the channel GUID and a batch counts as
 * delivered only once `/services/collector/ack` reports its ackId as indexed.
 */

import { hostname } from 'node:os';
import { SinkError, type ExportRecord, type Sink } from '../../model/export-record.js';
import { formatRecord, toOcsfEvent } from '../formats/index.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { SinkHttpClient } from './http-client.js';
import type { SplunkHecSinkConfig } from './sink-config.js';

/** The HEC event envelope for one record. */
export function hecEvent(
  record: ExportRecord,
  config: SplunkHecSinkConfig,
): Record<string, unknown> {
  const format = config.format ?? 'json';
  let event: unknown;
  if (format === 'json') event = record;
  else if (format === 'ocsf') event = toOcsfEvent(record);
  else event = formatRecord(record, format);
  return {
    // HEC time is epoch seconds, with milliseconds as the fraction.
    time: Date.parse(record.occurredAt) / 1000,
    host: hostname(),
    source: config.source ?? 'palisade',
    sourcetype:
      config.sourcetype ?? `palisade:${record.type}${format === 'json' ? '' : `:${format}`}`,
    ...(config.index ? { index: config.index } : {}),
    fields: { palisade_id: record.id, palisade_type: record.type },
    event,
  };
}

class SplunkHecSink implements Sink {
  readonly kind = 'splunk-hec';
  readonly #config: SplunkHecSinkConfig;
  readonly #http: SinkHttpClient;

  constructor(config: SplunkHecSinkConfig, guard: AddressGuard, ca?: string) {
    this.#config = config;
    this.#http = new SinkHttpClient('Splunk HEC', guard, { timeoutMs: config.timeoutMs, ca });
  }

  async send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void> {
    const size = this.#config.batchSize ?? 100;
    const pending: number[] = [];
    for (let from = 0; from < records.length; from += size) {
      const body = records
        .slice(from, from + size)
        .map((r) => JSON.stringify(hecEvent(r, this.#config)))
        .join('\n');
      const answer = await this.#http.call({
        method: 'POST',
        url: `${this.#config.url}/services/collector/event`,
        headers: this.#headers(),
        body,
        signal,
      });
      const ackId = (answer.json as { ackId?: unknown } | undefined)?.ackId;
      if (this.#config.ack) {
        if (typeof ackId !== 'number') {
          throw new SinkError(
            'ack_missing',
            'Splunk HEC returned no ackId: turn on indexer acknowledgement for this token, ' +
              'or remove `ack` from the sink',
            false,
          );
        }
        pending.push(ackId);
      }
    }
    if (pending.length > 0) await this.#awaitAcks(pending, signal);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  #headers(): Record<string, string> {
    return {
      authorization: `Splunk ${this.#config.token}`,
      'content-type': 'application/json',
      ...(this.#config.ack ? { 'x-splunk-request-channel': this.#config.ack.channel } : {}),
    };
  }

  /** Polls the ack endpoint until every id is indexed, or fails retryably at the deadline. */
  async #awaitAcks(ids: number[], signal?: AbortSignal): Promise<void> {
    const ack = this.#config.ack!;
    const deadline = Date.now() + (ack.timeoutMs ?? 60_000);
    let waiting = ids;
    while (waiting.length > 0) {
      const answer = await this.#http.call({
        method: 'POST',
        url: `${this.#config.url}/services/collector/ack`,
        headers: this.#headers(),
        body: { acks: waiting },
        signal,
      });
      const acks = (answer.json as { acks?: Record<string, boolean> } | undefined)?.acks ?? {};
      waiting = waiting.filter((id) => acks[`${id}`] !== true);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        throw new SinkError(
          'ack_timeout',
          `Splunk HEC did not acknowledge ${waiting.length} batch(es) in time; the batch will be resent`,
          true,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, ack.pollMs ?? 1000));
    }
  }
}

/** A Splunk HEC sink for `config`. */
export function createSplunkHecSink(
  config: SplunkHecSinkConfig,
  guard: AddressGuard,
  ca?: string,
): Sink {
  return new SplunkHecSink(config, guard, ca);
}
