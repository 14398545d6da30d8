/**
 * Export benchmark, in one run: alerts per second delivered by the syslog sink (RFC 5424 over
 * TCP with octet counting, JSON bodies) to a listener on loopback, and by the signed webhook sink
 * to a receiver on loopback that checks every signature. Alerts are the real ones the built-in
 * detections raise on the Stratus Red Team CloudTrail logs in ../shared/data, repeated under new
 * ids. The receivers run in their own process (bench/export-receiver.ts). Two rates: alerts per
 * CPU-second of the sending process (user + system, steady whatever else loads the machine) and
 * alerts per wall-clock second from the first send to the last alert counted by the receiver.
 * Target: >= 20k alerts/s for syslog.
 *
 *   npm run bench:export -- [--alerts 100000] [--batch 500] [--format json|cef|leef|ocsf]
 */

import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detect } from '../src/detect/detect.js';
import { createSink } from '../src/export/sinks/index.js';
import type { ExportFormat, ExportRecord } from '../src/model/export-record.js';

const RECEIVER = fileURLToPath(new URL('./export-receiver.ts', import.meta.url));
const SHARED = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const SECRET = 'bench-webhook-secret-0123456789';
const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const ALERTS = Number(option('alerts', '100000'));
const BATCH = Number(option('batch', '500'));
const FORMAT = option('format', 'json') as ExportFormat;

async function records(): Promise<ExportRecord[]> {
  const { alerts } = await detect({ paths: [`${SHARED}/cloudtrail/stratus-red-team`] });
  if (alerts.length === 0) throw new Error('no alerts from the Stratus Red Team logs');
  return Array.from({ length: ALERTS }, (_, i) => {
    const alert = alerts[i % alerts.length];
    const id = `${alert.id}-${i}`;
    return {
      id: `alert:${id}:created`,
      schemaVersion: 1,
      kind: 'change',
      occurredAt: alert.lastSeen,
      accounts: [],
      type: 'alert',
      data: { change: 'created', alert: { ...alert, id } },
    };
  });
}

interface Counts {
  syslog: number;
  records: number;
  refused: number;
  broken: number;
}

/** Starts the receivers in their own process; returns their ports and a way to read counts. */
async function startReceivers(): Promise<{
  syslogPort: number;
  webhookPort: number;
  counts: () => Promise<Counts>;
  stop: () => void;
}> {
  const child = fork(RECEIVER, [SECRET], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ports = await new Promise<{ syslogPort: number; webhookPort: number }>((ok, fail) => {
    child.once('message', (m) => ok(m as { syslogPort: number; webhookPort: number }));
    child.once('exit', (code) => fail(new Error(`receiver exited with ${code}`)));
  });
  return {
    ...ports,
    counts: () =>
      new Promise<Counts>((ok) => {
        child.once('message', (m) => ok(m as Counts));
        child.send('count');
      }),
    stop: () => child.send('exit'),
  };
}

async function measure(
  name: string,
  sent: ExportRecord[],
  config: Record<string, unknown>,
  received: () => Promise<number>,
): Promise<{ name: string; wallPerSecond: number; cpuPerSecond: number }> {
  const sink = createSink(config, LOOPBACK);
  await sink.send(sent.slice(0, Math.min(BATCH, sent.length))); // warm-up: connection, JIT
  const baseline = await received();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let from = 0; from < sent.length; from += BATCH) {
    await sink.send(sent.slice(from, from + BATCH));
  }
  const used = process.cpuUsage(cpu);
  while ((await received()) - baseline < sent.length) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await sink.close();
  return {
    name,
    wallPerSecond: sent.length / seconds,
    cpuPerSecond: sent.length / ((used.user + used.system) / 1e6),
  };
}

const sent = await records();
const receivers = await startReceivers();
const counted = async (key: 'syslog' | 'records'): Promise<number> => {
  const counts = await receivers.counts();
  if (counts.refused > 0 || counts.broken > 0) {
    throw new Error(
      `receiver refused ${counts.refused} webhook(s), ${counts.broken} broken frame(s)`,
    );
  }
  return counts[key];
};
const results = [
  await measure(
    `syslog TCP (${FORMAT})`,
    sent,
    {
      kind: 'syslog',
      transport: 'tcp',
      host: '127.0.0.1',
      port: receivers.syslogPort,
      format: FORMAT,
    },
    () => counted('syslog'),
  ),
  await measure(
    'webhook (signed JSON)',
    sent,
    {
      kind: 'webhook',
      url: `http://127.0.0.1:${receivers.webhookPort}/hook`,
      secret: SECRET,
      batchSize: BATCH,
    },
    () => counted('records'),
  ),
];
receivers.stop();

const bytes = Buffer.byteLength(JSON.stringify(sent[0]));
const [load] = loadavg();
console.log(
  `${ALERTS} alerts (about ${bytes} bytes of JSON each), batches of ${BATCH}; ` +
    `load average ${load.toFixed(1)} on ${availableParallelism()} CPUs`,
);
console.log(
  'sink                     alerts/CPU-second (sender)   alerts/s wall (to last one received)',
);
for (const r of results) {
  const cpu = Math.round(r.cpuPerSecond).toLocaleString('en-US');
  const wall = Math.round(r.wallPerSecond).toLocaleString('en-US');
  console.log(`${r.name.padEnd(24)} ${cpu.padStart(20)} ${wall.padStart(30)}`);
}
const met = results[0].cpuPerSecond >= 20_000 && results[0].wallPerSecond >= 20_000;
console.log(
  `syslog target >= 20,000 alerts/s: ${met ? 'met' : results[0].cpuPerSecond >= 20_000 ? 'met in CPU time, not in wall time on this loaded machine' : 'NOT met'}`,
);
