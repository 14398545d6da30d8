/**
 * One measured run of the posture benchmark, in a process of its own: `parse`, `scan` (the
 * whole-estate `assess` path) or `stream` (`assessStream`, file by file). `verdicts FILE` scans
 * like `scan` and writes every finding's rule id, resource id, status and message to FILE, one a
 * line, printing their SHA-256: a speed change must leave it as it was.
 */

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { assessResources } from '../src/posture/assess.js';
import { assessStream } from '../src/posture/assess-stream.js';
import { readPaths } from '../src/sources/read-paths.js';
import { loadCatalog } from '../src/posture/benchmark-catalog.js';
import { compileRules } from '../src/posture/engine.js';
import { loadRules } from '../src/posture/rule-loader.js';

const [mode, ...rest] = process.argv.slice(2);
const verdictsFile = mode === 'verdicts' ? rest[0] : undefined;
const files = verdictsFile ? rest.slice(1) : rest;
const peakMb = () => process.resourceUsage().maxRSS / 1024;
/** CPU time of the process (all threads, GC helpers included): steadier than wall time on a busy machine. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/**
 * The benchmark content a scan judges with: rules (compiled) and the catalog of controls and
 * standards. Loaded once per process before the clock starts, as a server that assesses on a
 * schedule holds them: the scan measured is reading and judging the inventory.
 */
async function loadContent() {
  const rules = await loadRules();
  const compiled = compileRules(rules);
  await loadCatalog();
  return { rules, compiled };
}

if (mode === 'parse') {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let items = 0;
  for (const file of files) {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    items += Array.isArray(data) ? data.length : Object.keys(data as object).length;
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, cpuMs: cpuMs(cpu), maxRssMb: peakMb(), items }));
} else if (mode === 'stream') {
  const { rules, compiled } = await loadContent();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await assessStream({ paths: files, rules, compiled });
  const ms = performance.now() - started;
  const errors = result.files.filter((f) => f.error || f.kind === 'unrecognised');
  if (errors.length > 0) throw new Error(`unreadable: ${JSON.stringify(errors)}`);
  console.log(
    JSON.stringify({
      ms,
      cpuMs: cpuMs(cpu),
      maxRssMb: peakMb(),
      resources: result.counts.resources,
      findings:
        result.counts.pass +
        result.counts.fail +
        result.counts.notApplicable +
        result.counts.error +
        result.counts.exempt,
      kept: result.findings.length,
      secureScore: result.secureScore,
    }),
  );
} else {
  const { rules, compiled } = await loadContent();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const read = await readPaths(files);
  const readMs = performance.now() - started;
  const result = await assessResources({
    resources: read.resources,
    files: read.files,
    rules,
    compiled,
    paths: files,
  });
  const ms = performance.now() - started;
  const cpuUsed = cpuMs(cpu);
  // Measured before the verdicts are written: building every sentence is no part of the scan.
  const maxRssMb = peakMb();
  const errors = result.files.filter((f) => f.error || f.kind === 'unrecognised');
  if (errors.length > 0) throw new Error(`unreadable: ${JSON.stringify(errors)}`);
  let verdicts: string | undefined;
  if (verdictsFile) {
    const text = result.findings
      .map((f) => [f.ruleId, f.resourceId, f.status, f.message].join('\t'))
      .join('\n');
    await writeFile(verdictsFile, text);
    verdicts = createHash('sha256').update(text).digest('hex');
  }
  console.log(
    JSON.stringify({
      ...(verdicts ? { verdicts } : {}),
      ms,
      cpuMs: cpuUsed,
      readMs,
      judgeMs: ms - readMs,
      maxRssMb,
      resources: result.counts.resources,
      findings: result.findings.length,
      secureScore: result.secureScore,
    }),
  );
}
