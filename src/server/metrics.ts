/**
 * Prometheus metrics (prom-client): request counts and latency per route, what each event intake
 * received, parsed and rejected, and the process's own figures. One registry per server, so
 * several servers (tests) never collide.
 */

import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's metric registry and instruments. */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** The intakes of continuous detection, always listed (at 0 until they see traffic). */
export const INTAKES = ['http', 'syslog-udp', 'syslog-tcp', 'tail'] as const;

/** Per-intake counts as the detection service keeps them. */
export type IntakeCountSource = () => Record<
  string,
  { events: number; errors: number; repeats?: number }
>;

/**
 * Adds the intake counters, read from `counts` at each scrape: records received, events parsed
 * from them, records rejected (unreadable, unknown format, oversized, broken framing), and
 * records received before (a sender's retry), which are not handed to detection again.
 */
export function addIntakeMetrics(metrics: ServerMetrics, counts: IntakeCountSource): void {
  const figure = (
    name: string,
    help: string,
    pick: (c: { events: number; errors: number; repeats?: number }) => number,
  ) =>
    new Counter({
      name,
      help,
      labelNames: ['intake'] as const,
      registers: [metrics.registry],
      collect() {
        const now = counts();
        this.reset();
        for (const intake of new Set([...INTAKES, ...Object.keys(now)])) {
          this.inc({ intake }, pick(now[intake] ?? { events: 0, errors: 0 }));
        }
      },
    });
  figure(
    'palisade_intake_records_received_total',
    'Records an event intake received (parsed, rejected and repeated)',
    (c) => c.events + c.errors + (c.repeats ?? 0),
  );
  figure(
    'palisade_intake_events_parsed_total',
    'Events an intake parsed and handed to detection',
    (c) => c.events,
  );
  figure(
    'palisade_intake_records_rejected_total',
    'Records an intake rejected: unreadable, unknown format, oversized or badly framed',
    (c) => c.errors,
  );
  figure(
    'palisade_intake_records_repeated_total',
    'Records an intake had received before (a retry), not handed to detection again',
    (c) => c.repeats ?? 0,
  );
}

/** What the detection service reports about writing its alerts. */
export type DetectionStoreSource = () => { pendingAlerts: number; flushErrors: number };

/**
 * Adds how continuous detection keeps up with the store: alerts formed and not yet written, and
 * writes that failed (each failed write is retried with the next; a count that keeps growing
 * means alerts are not reaching the store).
 */
export function addDetectionMetrics(metrics: ServerMetrics, stats: DetectionStoreSource): void {
  new Gauge({
    name: 'palisade_detection_alerts_pending',
    help: 'Alerts formed by continuous detection and not yet written to the store',
    registers: [metrics.registry],
    collect() {
      this.set(stats().pendingAlerts);
    },
  });
  new Counter({
    name: 'palisade_detection_store_failures_total',
    help: 'Writes of detection alerts to the store that failed (retried with the next write)',
    registers: [metrics.registry],
    collect() {
      this.reset();
      this.inc(stats().flushErrors);
    },
  });
}

/** Creates the registry and counts every response of `app` into it. */
export function installMetrics(app: FastifyInstance): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'palisade_' });
  const requests = new Counter({
    name: 'palisade_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'palisade_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // Unmatched paths share one label, so scanners cannot blow up the label set.
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return { registry, requests, duration };
}
