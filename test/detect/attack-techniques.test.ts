/**
 * Every ATT&CK technique is reported under a tactic it belongs to, in ATT&CK v19 names and ids. A
 * new user saw OCSF pair Phishing with Privilege Escalation and the built-in security-group rule's
 * T1562.007 with Exfiltration (each rule's first tactic), and v15 and v19 names side by side.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackFromTags } from '../../src/detect/alert-builder.js';
import { attackTactic, KILL_CHAIN } from '../../src/detect/attack-tactics.js';
import { pairTechniques, techniqueTactics } from '../../src/detect/attack-techniques.js';
import { BUILTIN_RULES_DIR, detect } from '../../src/detect/detect.js';
import { buildIncidents } from '../../src/detect/incidents.js';
import { loadSigmaText } from '../../src/detect/sigma/rule-loader.js';
import { toOcsf } from '../../src/export/ocsf-detection-finding.js';
import type { Alert } from '../../src/model/alert.js';
import { shared } from '../support/paths.js';

const SIGMA = shared('sigma-rules/rules');

/** Tags of every rule in the YAML files under `dir`. */
function ruleTags(dir: string): { file: string; tags: string[] }[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.yml'),
  );
  return files.flatMap((f) => {
    const file = join(dir, f);
    return loadSigmaText(readFileSync(file, 'utf8'), file).rules.map((r) => ({
      file: f,
      tags: r.tags,
    }));
  });
}

describe('the technique table', () => {
  const sigma = ruleTags(SIGMA).map((r) => ({ ...r, attack: attackFromTags(r.tags) }));

  it('places every technique the shared SigmaHQ rules tag, as some rule tagging it does', () => {
    const corroborated = new Map<string, boolean>();
    for (const { attack } of sigma) {
      for (const t of attack.techniques) {
        const agrees = techniqueTactics(t).some((tactic) => attack.tactics.includes(tactic));
        corroborated.set(t, (corroborated.get(t) ?? false) || agrees);
      }
    }
    expect(corroborated.size).toBeGreaterThan(100);
    const unplaced = [...corroborated.keys()].filter((t) => techniqueTactics(t).length === 0);
    expect(unplaced).toEqual([]);
    const uncorroborated = [...corroborated].filter(([, ok]) => !ok).map(([t]) => t);
    expect(uncorroborated).toEqual([]);
  });

  it('names only ATT&CK v19 tactics', () => {
    for (const { attack } of sigma) {
      for (const t of attack.techniques) {
        for (const tactic of techniqueTactics(t)) expect(KILL_CHAIN).toContain(tactic);
      }
    }
  });

  it("tags each built-in rule's techniques with tactics they belong to, in v19 names", () => {
    const builtin = ruleTags(BUILTIN_RULES_DIR);
    expect(builtin.length).toBeGreaterThan(5);
    for (const { file, tags } of builtin) {
      const tactics = tags.filter((t) => !/^attack\.t\d/.test(t)).map((t) => t.slice(7));
      for (const tactic of tactics) expect(KILL_CHAIN, file).toContain(tactic);
      for (const technique of attackFromTags(tags).techniques) {
        const own = techniqueTactics(technique);
        expect(
          own.filter((t) => tactics.includes(t)),
          `${file}: ${technique}`,
        ).not.toEqual([]);
      }
    }
  });
});

describe('tactics of older ATT&CK versions', () => {
  it('read a retired defense-evasion tag as the successor its technique belongs to', () => {
    expect(attackFromTags(['attack.defense-evasion', 'attack.t1562.008']).tactics).toEqual([
      'defense-impairment',
    ]);
    expect(attackFromTags(['attack.defense-evasion', 'attack.t1027']).tactics).toEqual(['stealth']);
    expect(attackFromTags(['attack.defense-evasion']).tactics).toEqual(['stealth']);
    expect(attackTactic('defense-evasion')).toEqual(attackTactic('stealth'));
  });

  it('put alerts of either name at one place in the incident kill chain, under the v19 name', () => {
    const alert = (id: string, tactics: string[], minute: number): Alert => {
      const time = new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
      return {
        id,
        title: id,
        description: '',
        severity: 'high',
        status: 'active',
        attack: { tactics, techniques: [] },
        entities: [{ kind: 'ip', value: '192.0.2.7' }],
        firstSeen: time,
        lastSeen: time,
        eventCount: 1,
        evidence: [],
        remediation: [],
        rule: { kind: 'builtin', id, title: id },
      };
    };
    const [mixed] = buildIncidents([
      alert('old', ['defense-evasion'], 0),
      alert('new', ['stealth'], 1),
      alert('access', ['credential-access'], 2),
    ]);
    expect(mixed.tactics).toEqual(['stealth', 'credential-access']);
    // An alert stored under the old name alone still has its place in the chain.
    const [stored] = buildIncidents([
      alert('access', ['credential-access'], 0),
      alert('old', ['defense-evasion'], 1),
    ]);
    expect(stored.tactics).toEqual(['stealth', 'credential-access']);
  });
});

describe('OCSF attacks on the invictus-ir CloudTrail', () => {
  it('pair each technique with a tactic it belongs to, all ATT&CK v19 with ids', async () => {
    const found = await detect({
      paths: [shared('cloudtrail/invictus-ir-aws_dataset/CloudTrail')],
      ruleDirs: [SIGMA],
    });
    type Attack = {
      technique?: { uid: string };
      sub_technique?: { uid: string };
      tactic?: { uid: string; name: string };
    };
    const attacksOf = (title: string): Attack[] => {
      const alert = found.alerts.find((a) => a.title === title);
      if (!alert) throw new Error(`no alert "${title}"`);
      const ocsf = toOcsf(alert) as { finding_info: { attacks: Attack[] } };
      return ocsf.finding_info.attacks;
    };
    const pairs = (title: string) =>
      attacksOf(title).map((a) => [
        a.sub_technique?.uid ?? a.technique?.uid,
        a.tactic?.uid,
        a.tactic?.name,
      ]);

    expect(pairs('Potential Malicious Usage of CloudTrail System Manager')).toEqual([
      ['T1566', 'TA0001', 'Initial Access'],
      ['T1566.002', 'TA0001', 'Initial Access'],
      [undefined, 'TA0004', 'Privilege Escalation'],
    ]);
    expect(pairs('AWS security group opened to the internet')).toEqual([
      ['T1686.001', 'TA0112', 'Defense Impairment'],
    ]);
    expect(pairs('AWS audit logging stopped, reduced or deleted')).toEqual([
      ['T1685.002', 'TA0112', 'Defense Impairment'],
    ]);

    for (const alert of found.alerts) {
      const ocsf = toOcsf(alert) as {
        finding_info: { attacks: (Attack & { version: string })[] };
      };
      for (const a of ocsf.finding_info.attacks) {
        expect(a.version).toBe('v19');
        expect(a.tactic?.uid, alert.title).toMatch(/^TA\d{4}$/);
        if (!a.technique) continue;
        // A sub-technique is written under its parent technique, both named.
        if (a.sub_technique)
          expect(a.sub_technique.uid.startsWith(`${a.technique.uid}.`)).toBe(true);
        else expect(a.technique.uid).toMatch(/^T\d{4}$/);
        const tactic = KILL_CHAIN.find((t) => attackTactic(t)?.uid === a.tactic?.uid)!;
        const id = a.sub_technique?.uid ?? a.technique.uid;
        expect(techniqueTactics(id), alert.title).toContain(tactic);
      }
    }

    const [incident] = found.incidents;
    expect(incident.tactics).not.toContain('defense-evasion');
  });

  it("fall back to the technique's own tactic when the rule names none it belongs to", () => {
    expect(pairTechniques(['T1562.007'], ['exfiltration'])).toEqual([
      { technique: 'T1562.007', tactic: 'defense-impairment' },
      { tactic: 'exfiltration' },
    ]);
  });
});
