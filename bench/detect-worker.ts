/**
 * One measured detection run in a process of its own, for `bench/detect.ts`: the SSH speed run
 * (a log file) and the memory run (an endless-style stream on stdin). Prints one JSON line.
 *
 *   tsx bench/detect-worker.ts file PATH [--year 2023]   built-in rules over a file; CPU time
 *   tsx bench/detect-worker.ts stream [--year 2023]      stdin in streaming mode (alerts handed
 *                                                          on, not kept); CPU time and peak RSS
 *   tsx bench/detect-worker.ts warmup PATH [--year 2023] the file run's CPU time per 50,000 lines
 *                                                          along the file (a diagnostic run)
 */

import type { Alert } from '../src/model/alert.js';
import { settleHeapForStreaming } from '../src/cli/streaming-heap.js';
import { detect } from '../src/detect/detect.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mode = process.argv[2];
const year = Number(arg('year') ?? 2023);

if (mode === 'file') {
  const file = process.argv[3];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await detect({ paths: [file], year });
  const used = process.cpuUsage(cpu);
  const bruteForceIps = result.alerts
    .filter((a) => a.title.startsWith('SSH brute force'))
    .flatMap((a) => a.entities.filter((e) => e.kind === 'ip').map((e) => e.value));
  process.stdout.write(
    JSON.stringify({
      events: result.events,
      unbuilt: result.unbuilt,
      alerts: result.alerts.length,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - started,
      bruteForceIps: [...new Set(bruteForceIps)],
    }) + '\n',
  );
} else if (mode === 'stream') {
  // As `palisade detect --stream` does.
  settleHeapForStreaming();
  let alerts = 0;
  let evidence = 0;
  const cpu = process.cpuUsage();
  const result = await detect({
    paths: '-',
    year,
    onAlert: (alert: Alert) => {
      alerts += 1;
      evidence += alert.evidence.length;
    },
  });
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      events: result.events,
      alerts,
      evidence,
      readErrors: result.readErrors.length,
      cpuMs: (used.user + used.system) / 1000,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
} else if (mode === 'warmup') {
  // Where a file run's CPU time goes along the file: the first share holds the rules' loading
  // and the code's warm-up, the later ones the steady rate.
  const shares: number[] = [];
  let since = process.cpuUsage();
  const share = () => {
    const used = process.cpuUsage(since);
    shares.push((used.user + used.system) / 1000);
    since = process.cpuUsage();
  };
  await detect({ paths: [process.argv[3]], year, onProgress: share });
  share();
  process.stdout.write(JSON.stringify({ cpuMsPer50k: shares }) + '\n');
} else {
  process.stderr.write('usage: detect-worker.ts file PATH | stream | warmup PATH\n');
  process.exit(2);
}
