/**
 * Measures Sigma matching throughput on the shared CloudTrail files: events/s with every shared
 * rule loaded, against bare `JSON.parse` of the same NDJSON lines. Run: `npx tsx <this file>`.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from '../../../src/model/event.js';
import { loadSigmaRules } from '../../../src/detect/sigma/rule-loader.js';
import { createSigmaEngine } from '../../../src/detect/sigma/sigma-engine.js';
import { shared } from '../../support/paths.js';

/** Every CloudTrail record of the shared S3-delivery and Stratus files, one JSON text a line. */
export function cloudTrailLines(): string[] {
  const lines: string[] = [];
  const invictus = shared('cloudtrail/invictus-ir-aws_dataset/CloudTrail');
  for (const file of readdirSync(invictus).filter((f) => f.endsWith('.json'))) {
    const data = JSON.parse(readFileSync(join(invictus, file), 'utf8')) as { Records: unknown[] };
    for (const r of data.Records) lines.push(JSON.stringify(r));
  }
  const stratus = shared('cloudtrail/stratus-red-team');
  for (const file of readdirSync(stratus).filter((f) => f.endsWith('.json'))) {
    for (const r of JSON.parse(readFileSync(join(stratus, file), 'utf8')) as unknown[])
      lines.push(JSON.stringify(r));
  }
  return lines;
}

/** Events per second of `work` over `lines`, best of `rounds`. */
function rate(lines: string[], rounds: number, work: (line: string) => void): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (const line of lines) work(line);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.max(best, lines.length / seconds);
  }
  return best;
}

/** Runs the measurement and returns the figures. */
export async function measureThroughput(copies = 20, rounds = 5) {
  const { rules } = await loadSigmaRules([shared('sigma-rules/rules')], {
    defaultLicense: 'DRL-1.1',
  });
  const base = cloudTrailLines();
  const lines = Array.from({ length: copies }, () => base).flat();
  const engine = createSigmaEngine(rules);
  let sink = 0;

  const parseRate = rate(lines, rounds, (line) => {
    sink += (JSON.parse(line) as object) ? 1 : 0;
  });
  const sigmaRate = rate(lines, rounds, (line) => {
    const fields = JSON.parse(line) as Record<string, unknown>;
    const event: LogEvent = {
      time: fields.eventTime as string,
      source: { reader: 'cloudtrail', product: 'aws', service: 'cloudtrail' },
      fields,
    };
    sink += engine.process(event).length;
  });
  return {
    events: lines.length,
    rules: rules.length,
    parseRate,
    sigmaRate,
    ratio: sigmaRate / parseRate,
    sink,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const r = await measureThroughput();
  process.stdout.write(
    `${r.events} events, ${r.rules} rules: JSON.parse ${Math.round(r.parseRate)}/s, ` +
      `Sigma ${Math.round(r.sigmaRate)}/s, ratio ${r.ratio.toFixed(2)}\n`,
  );
}
