/**
 * The HTML report cut at its findings limit keeps the most severe findings, says how many it left
 * out and where to see them all, and fits a normal window.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderHtml } from '../../src/report/html-report.js';
import { shared } from '../support/paths.js';

/**
 * The page's width in headless Chromium at `windowWidth`: the report (its policy forbids scripts,
 * so it is dropped) with a script that writes the document's scroll width into the DOM.
 */
async function pageWidth(html: string, windowWidth: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-html-'));
  try {
    const page = join(dir, 'report.html');
    const measured = html
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
      .replace(
        '</body>',
        '<script>document.body.dataset.width = document.documentElement.scrollWidth</script></body>',
      );
    await writeFile(page, measured);
    const dom = await promisify(execFile)(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--window-size=${windowWidth},900`,
        '--dump-dom',
        `file://${page}`,
      ],
      { timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return Number(/data-width="(\d+)"/.exec(dom.stdout)![1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('HTML report: failing findings', () => {
  it('lists every critical and high finding when the list is cut, and counts the rest', async () => {
    const rules = await loadRules();
    const a = await assess({ paths: [shared('iac'), shared('cloud-inventory')], rules });
    const failing = a.findings.filter((f) => f.status === 'fail');
    const severe = failing.filter((f) => f.severity === 'critical' || f.severity === 'high');
    const limit = severe.length + 5;
    expect(failing.length).toBeGreaterThan(limit);

    const html = renderHtml(a, rules, { findingsLimit: limit });
    const rows = [...html.matchAll(/<tr><td class="sev (\w+)">/g)].map((m) => m[1]);
    expect(rows).toHaveLength(limit);
    expect(rows.filter((s) => s === 'critical')).toHaveLength(a.counts.bySeverity.critical);
    expect(rows.filter((s) => s === 'high')).toHaveLength(a.counts.bySeverity.high);
    expect(rows.indexOf('high')).toBeGreaterThan(rows.lastIndexOf('critical'));
    expect(html).toContain(`(first ${limit} of ${failing.length}, most severe first)`);
    expect(html).toContain(`${failing.length - limit} failing findings (`);
    expect(html).toContain('The JSON, CSV and SARIF reports list them all');
  });

  it('fits a 1366 px window: long paths and rule ids wrap', async () => {
    const rules = await loadRules();
    const a = await assess({ paths: [shared('iac'), shared('cloud-inventory')], rules });
    expect(await pageWidth(renderHtml(a, rules), 1366)).toBeLessThanOrEqual(1366);
  }, 60_000);
});
