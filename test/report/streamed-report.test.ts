import { describe, expect, it } from 'vitest';
import { assess } from '../../src/posture/assess.js';
import { assessStream } from '../../src/posture/assess-stream.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { renderCsv } from '../../src/report/csv-report.js';
import { renderHtml } from '../../src/report/html-report.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderSarif } from '../../src/report/sarif-report.js';
import { renderTable } from '../../src/report/table-report.js';

const rules = await loadRules();
const paths = ['samples/estate'];
const whole = await assess({ paths, rules });
const streamed = await assessStream({ paths, rules });
const same = <T>(a: T) => ({ ...a, id: 'x', startedAt: 't', finishedAt: 't' });

describe('reports of a streamed assessment', () => {
  it('JSON says the scan was streamed and which findings it kept', () => {
    const json = JSON.parse(renderJson(streamed));
    expect(json.streamed).toBe(true);
    expect(json.findingsKept).toEqual(['fail', 'error']);
    expect(json.counts).toEqual(whole.counts);
    expect(JSON.parse(renderJson(whole)).streamed).toBe(false);
  });

  it('SARIF, HTML and the table list the same failures as the whole scan', () => {
    expect(renderSarif(same(streamed), rules)).toBe(renderSarif(same(whole), rules));
    const failures = (html: string) => html.slice(html.indexOf('<h2>Failing findings'));
    expect(failures(renderHtml(same(streamed), rules))).toBe(
      failures(renderHtml(same(whole), rules)),
    );
    const table = renderTable(same(streamed));
    expect(table).toContain('Streamed scan');
    expect(table.replace(/^Streamed scan.*\n/m, '')).toBe(renderTable(same(whole)));
  });

  it('CSV holds every failing finding of the whole scan', () => {
    const rows = (csv: string) => csv.trim().split('\r\n').slice(1);
    const failing = rows(renderCsv(whole)).filter((r) => r.includes(',fail,'));
    expect(
      rows(renderCsv(streamed))
        .filter((r) => r.includes(',fail,'))
        .sort(),
    ).toEqual(failing.sort());
    expect(failing.length).toBeGreaterThan(0);
  });
});
