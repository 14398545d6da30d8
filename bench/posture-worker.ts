/** One measured run of the posture benchmark, in a process of its own: `parse` or `scan`. */

import { readFile } from 'node:fs/promises';
import { assessResources } from '../src/posture/assess.js';
import { readPaths } from '../src/sources/read-paths.js';
import { compileRules } from '../src/posture/engine.js';
import { loadRules } from '../src/posture/rule-loader.js';

const [mode, ...files] = process.argv.slice(2);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

if (mode === 'parse') {
  const started = performance.now();
  let items = 0;
  for (const file of files) {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    items += Array.isArray(data) ? data.length : Object.keys(data as object).length;
  }
  console.log(JSON.stringify({ ms: performance.now() - started, maxRssMb: peakMb(), items }));
} else {
  const rules = await loadRules();
  const compiled = compileRules(rules);
  const started = performance.now();
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
  const errors = result.files.filter((f) => f.error);
  if (errors.length > 0) throw new Error(`unreadable: ${JSON.stringify(errors)}`);
  console.log(
    JSON.stringify({
      ms,
      readMs,
      judgeMs: ms - readMs,
      maxRssMb: peakMb(),
      resources: result.counts.resources,
      findings: result.findings.length,
      secureScore: result.secureScore,
    }),
  );
}
