/**
 * Lines no rule can match are left unbuilt (`QuietLine`s) when detection reads sshd's lines: the
 * alerts, incidents and counts must be exactly those of building every event, on real logs,
 * with the built-in rules, SigmaHQ's and rules that read what the quick judgement leaves unread.
 */

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect, loadDetectionRules, type DetectOptions } from '../../src/detect/detect.js';
import { createSigmaEngine } from '../../src/detect/sigma/sigma-engine.js';
import { authMeaning, sshForm } from '../../src/logs/auth-message.js';
import { QuietLine } from '../../src/logs/log-reader.js';
import type { EventSource } from '../../src/model/event.js';
import { readLogBatches } from '../../src/logs/read-logs.js';
import { parseSyslogLine, skimSshdLine, type TimeParts } from '../../src/logs/syslog-line.js';
import { shared } from '../support/paths.js';

const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const LINUX = shared('ssh-logs/loghub/Linux/Linux_2k.log');
const BEATS = shared('ssh-logs/elastic-beats/system-auth-test.log');
const SIGMA_LINUX = shared('sigma-rules/rules/linux');

/**
 * Rules that read what the quick judgement leaves unread (header fields, keyword strings) or
 * parsed fields of forms it judges once: each alone beside the built-in rules.
 */
const PROBING_RULES: Record<string, string> = {
  host: `
detection:
  sel: { ssh.event: received_disconnect, host: LabSZ, ssh.reason|contains: Bye }
  condition: sel`,
  parsed: `
detection:
  sel: { ssh.event: connection_closed, ssh.sourceIp|cidr: 0.0.0.0/0 }
  condition: sel`,
  pid: `
detection:
  sel: { ssh.event: pam_user_unknown }
  pid: { pid|gt: 24000 }
  condition: sel and pid`,
  pam: `
detection:
  sel: { ssh.event: pam_auth_failure, pam.rhost|startswith: '1' }
  condition: sel`,
  keywords: `
detection:
  keywords: [ 'POSSIBLE BREAK-IN' ]
  condition: keywords`,
  unnamed: `
detection:
  named: { ssh|exists: true }
  condition: not named`,
};

function probingRule(name: string, detection: string): string {
  return [
    `title: Probing rule ${name}`,
    `id: 0d3c8a59-8a0e-4f3e-9a7c-6a1a7b0b6c${String(Object.keys(PROBING_RULES).indexOf(name)).padStart(2, '0')}`,
    'logsource: { product: linux, service: sshd }',
    detection.trim(),
    'level: low',
  ].join('\n');
}

/** An alert as compared: everything but its random id and the incident it was put in. */
function comparable(result: Awaited<ReturnType<typeof detect>>) {
  return {
    events: result.events,
    skipped: result.skipped,
    readErrors: result.readErrors.map((e) => `${e.file}:${e.line} ${e.code}`),
    alerts: result.alerts.map(({ id: _id, incidentId: _i, ...rest }) => rest),
    incidents: result.incidents.map((i) => [i.title, i.severity, i.alerts.length, i.firstSeen]),
  };
}

async function both(options: DetectOptions) {
  const quiet = await detect(options);
  const built = await detect({ ...options, buildEveryEvent: true });
  expect(built.unbuilt).toBe(0);
  return { quiet: comparable(quiet), built: comparable(built), unbuilt: quiet.unbuilt };
}

describe('quiet lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-quiet-'));
  // The real log, then sshd lines that name nothing: an unknown message, and openings of fixed
  // forms whose rest does not fit them.
  const probeLog = join(dir, 'probe.log');
  writeFileSync(
    probeLog,
    readFileSync(OPENSSH, 'utf8') +
      [
        'Jan  4 10:00:00 LabSZ sshd[24300]: Server listening on 0.0.0.0 port 22.',
        'Jan  4 10:00:01 LabSZ sshd[24301]: Invalid user nobody-from-nowhere',
        'Jan  4 10:00:02 LabSZ sshd[24302]: Received disconnect from 10.0.0.1: no code',
        'Jan  4 10:00:03 LabSZ sshd[24303]: pam_unix(sshd:auth): check pass; user unknown',
        'Jan  4 10:00:04 LabSZ sshd[24304]: Connection closed by  [preauth]',
      ].join('\n') +
      '\n',
  );

  it.each([
    ['OpenSSH_2k.log', OPENSSH, true],
    ['Linux_2k.log', LINUX, true],
    ['system-auth-test.log', BEATS, false],
  ])(
    '%s: the same alerts, incidents and counts as building every event',
    async (_name, file, alerting) => {
      const built = await both({ paths: [file], year: 2023 });
      expect(built.quiet).toEqual(built.built);
      // ...and with SigmaHQ's Linux rules beside the built-in ones.
      const withRules = await both({ paths: [file], year: 2023, ruleDirs: [SIGMA_LINUX] });
      expect(withRules.quiet).toEqual(withRules.built);
      expect(withRules.quiet.alerts.length > 0).toBe(alerting);
      // SigmaHQ's sshd keyword rule reads each line whole, yet its lines stay unbuilt.
      if (file === OPENSSH) expect(withRules.unbuilt).toBeGreaterThan(1_000);
    },
  );

  it.each(Object.keys(PROBING_RULES))(
    'a rule reading %s fields gets the same alerts as building every event',
    async (name) => {
      const rules = join(dir, name);
      mkdirSync(rules);
      writeFileSync(join(rules, 'rule.yml'), probingRule(name, PROBING_RULES[name]));
      const r = await both({ paths: [probeLog], year: 2023, ruleDirs: [rules] });
      expect(r.quiet).toEqual(r.built);
      const titles = r.quiet.alerts.map((a) => a.title);
      expect(titles, name).toContain(`Probing rule ${name}`);
    },
  );

  it('reads no prototype: inherited names are no fields of a partial event nor of a built one', async () => {
    const rules = join(dir, 'prototype');
    mkdirSync(rules);
    const rule = (name: string, selection: string) =>
      [
        `title: Prototype ${name}`,
        'logsource: { product: linux, service: sshd }',
        `detection:\n  sel: ${selection}\n  condition: sel`,
        'level: low',
      ].join('\n');
    writeFileSync(
      join(rules, 'rules.yml'),
      [
        rule('host', "{ '__proto__.host': LabSZ }"),
        rule('constructor', "{ 'constructor|exists': true }"),
        rule('toString', "{ 'ssh.toString|exists': true }"),
      ].join('\n---\n'),
    );
    const r = await both({ paths: [OPENSSH], year: 2023, ruleDirs: [rules] });
    expect(r.quiet).toEqual(r.built);
    expect(r.quiet.readErrors).toEqual([]);
    expect(r.quiet.alerts.filter((a) => a.title.startsWith('Prototype'))).toEqual([]);
  });

  it('refuses a year that is not a whole number from 1970 to 9999', async () => {
    for (const year of [Number.NaN, 2023.5, 275760, 1969]) {
      await expect(detect({ paths: [OPENSSH], year })).rejects.toThrow(/year must be/);
    }
  });

  it('keeps --since/--until counts and clocks for lines left unbuilt', async () => {
    const range = {
      since: new Date('2023-12-10T07:00:00Z'),
      until: new Date('2023-12-10T09:30:00Z'),
    };
    const r = await both({ paths: [OPENSSH], year: 2023, ...range });
    expect(r.quiet).toEqual(r.built);
    expect(r.quiet.skipped).toBeGreaterThan(0);
    // A copy of the log whose second half is a day later: windows close between the halves.
    const lines = readFileSync(OPENSSH, 'utf8').split('\n');
    const later = lines.map((l) => l.replace(/^Dec 10/, 'Dec 11'));
    const twice = join(dir, 'twice.log');
    writeFileSync(twice, [...lines, ...later].join('\n'));
    const t = await both({ paths: [twice], year: 2023 });
    expect(t.quiet).toEqual(t.built);
    expect(t.unbuilt).toBeGreaterThan(2_000);
  });

  it('leaves unbuilt the lines of OpenSSH_2k.log no built-in rule can match', async () => {
    const loaded = await loadDetectionRules({});
    const engine = createSigmaEngine(loaded.rules, loaded.sigmaOptions);
    let quiet = 0;
    let built = 0;
    const read = readLogBatches([OPENSSH], {
      year: 2023,
      quiet: (source: EventSource, fields: Record<string, unknown>) => engine.quiet(source, fields),
    });
    for await (const items of read) {
      for (const item of items) {
        if (item instanceof QuietLine) quiet++;
        else built++;
      }
    }
    // The 643 built are the failures, invalid users and logins the rules count.
    expect({ quiet, built }).toEqual({ quiet: 1357, built: 643 });
  });
});

/** Every line of the shared sshd logs, and each cut short and altered. */
function sshdLines(): string[] {
  const lines = [OPENSSH, LINUX, BEATS].flatMap((f) => readFileSync(f, 'utf8').split('\n'));
  const out = new Set(lines);
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const noise = [' ', ':', '[', ']', '(', ')', '\r', '\u2028', 'é', '0', 'x', ';', '='];
  for (const line of lines) {
    out.add(line.slice(0, rand(line.length + 1)));
    const at = rand(line.length + 1);
    out.add(line.slice(0, at) + noise[rand(noise.length)] + line.slice(at + rand(2)));
  }
  return [...out];
}

describe('quick reads agree with the full parse', () => {
  const lines = sshdLines();

  it('skimSshdLine finds the header and message parseSyslogLine finds, or leaves the line', () => {
    const parts: TimeParts = { month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    let skimmed = 0;
    for (const line of lines) {
      const at = skimSshdLine(line, parts);
      if (at < 0) continue;
      skimmed++;
      const parsed = parseSyslogLine(line);
      expect(parsed, line).toBeDefined();
      expect(parsed!.program, line).toBe('sshd');
      expect(parsed!.message, line).toBe(line.slice(at));
      expect(parsed!.priority, line).toBeUndefined();
      const { fraction: _f, ...time } = parsed!.partial!;
      expect(time, line).toEqual(parts);
    }
    expect(skimmed).toBeGreaterThan(2_000);
  });

  it('builds a line that is not quiet from its skim as the full parse builds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-skim-'));
    const file = join(dir, 'auth.log');
    writeFileSync(file, lines.join('\n'));
    const read = async (quiet?: () => boolean) => {
      const out: string[] = [];
      for await (const items of readLogBatches([file], { year: 2023, quiet })) {
        // Key order too: evidence is written out as JSON.
        for (const item of items) out.push(JSON.stringify(item));
      }
      return out;
    };
    const skimmed = await read(() => false);
    expect(skimmed.length).toBeGreaterThan(4_000);
    expect(skimmed).toEqual(await read());
  });

  it("sshForm's event is the one the message parses to, or it parses to none", () => {
    let formed = 0;
    for (const line of lines) {
      const parsed = parseSyslogLine(line);
      if (parsed?.program !== 'sshd') continue;
      const form = sshForm(parsed.message, 0);
      if (!form) continue;
      formed++;
      const meaning = authMeaning('sshd', parsed.message);
      if (!meaning) continue;
      const ssh = meaning.fields.ssh as { event: string };
      expect(ssh.event, parsed.message).toBe(form.event);
      expect('pam' in meaning.fields, parsed.message).toBe(form.pam);
    }
    expect(formed).toBeGreaterThan(1_000);
  });
});
