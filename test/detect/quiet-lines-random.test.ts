/**
 * Quiet lines, checked on random inputs: seeded logs (real sshd lines, every sshd message form,
 * header shapes, broken variants, year rollovers, logs replayed, time zones) and seeded rule
 * sets (rules reading named, header and keyword fields, correlations) must give the same result
 * with and without building every event; so must the built-in rules alone on attack-heavy logs
 * (busy sources over many user names, logins after brute force, replays). A failing seed reproduces on its own: `seed` is in the
 * message.
 */

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/model/alert.js';
import { MAX_ALERT_ENTITIES } from '../../src/detect/alert-builder.js';
import { detect, loadDetectionRules, type DetectOptions } from '../../src/detect/detect.js';
import { shared } from '../support/paths.js';

const REAL_LOGS = [
  'ssh-logs/loghub/OpenSSH/OpenSSH_2k.log',
  'ssh-logs/loghub/Linux/Linux_2k.log',
  'ssh-logs/elastic-beats/system-auth-test.log',
].map((f) => readFileSync(shared(f), 'utf8').split('\n'));
const SIGMA_LINUX = shared('sigma-rules/rules/linux');

/** A seeded random source (mulberry32): `r(n)` is an integer below n. */
interface Rand {
  (n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(seed: number): Rand {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = ((n: number) => Math.floor(next() * n)) as Rand;
  r.pick = (items) => items[Math.floor(next() * items.length)];
  r.chance = (p) => next() < p;
  return r;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USERS = ['root', 'admin', 'oracle', 'test', 'pi', 'a b', 'jürgen', '', 'root from 1.2.3.4'];
const ADDRESSES = [
  '10.0.0.1',
  '10.0.0.2',
  '173.234.31.186',
  '::1',
  '2001:db8::1',
  '::ffff:10.0.0.3',
  '[2001:db8::2]',
  'host.example.com',
  '01.2.3.4',
  'unknown',
];
const NOISE = [' ', ':', '[', ']', '(', ')', '\r', '\u2028', 'é', '0', ';', '=', '\t', '\u00a0'];

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The text cut short, or with a character inserted, replaced, appended or removed. */
function mutate(r: Rand, text: string): string {
  const at = r(text.length + 1);
  switch (r(4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + r.pick(NOISE) + text.slice(at + r(2));
    case 2:
      return text + r.pick(NOISE);
    default:
      return text.slice(0, at) + text.slice(at + 1 + r(3));
  }
}

/** One sshd message of any form Palisade reads (and some it does not). */
function sshdMessage(r: Rand): string {
  const u = r.pick(USERS);
  const ip = r.pick(ADDRESSES);
  const port = r.chance(0.9) ? String(1024 + r(60000)) : r.pick(['', '0', 'x']);
  const pre = r.chance(0.4) ? ' [preauth]' : '';
  const forms = [
    `Failed password for ${u} from ${ip} port ${port} ssh2`,
    `Failed password for invalid user ${u} from ${ip} port ${port} ssh2`,
    `Failed publickey for ${u} from ${ip} port ${port} ssh2: RSA SHA256:abc`,
    `Accepted password for ${u} from ${ip} port ${port} ssh2`,
    `Accepted publickey for ${u} from ${ip} port ${port} ssh2: ED25519 SHA256:xyz`,
    `Postponed keyboard-interactive for ${u} from ${ip} port ${port} ssh2 [preauth]`,
    `Invalid user ${u} from ${ip}`,
    `Invalid user ${u} from ${ip} port ${port}`,
    `input_userauth_request: invalid user ${u}${pre}`,
    `error: maximum authentication attempts exceeded for ${u} from ${ip} port ${port} ssh2${pre}`,
    `Disconnecting: Too many authentication failures for ${u}${pre}`,
    `Disconnecting authenticating user ${u} ${ip} port ${port}: Too many authentication failures${pre}`,
    `Received disconnect from ${ip} port ${port}:11: Bye Bye${pre}`,
    `Received disconnect from ${ip}: 11: disconnected by user`,
    `error: Received disconnect from ${ip} port ${port}:3: com.jcraft.jsch.JSchException: Auth fail${pre}`,
    `Disconnected from ${r.pick(['', 'authenticating ', 'invalid '])}user ${u} ${ip} port ${port}${pre}`,
    `Disconnected from ${ip} port ${port}${pre}`,
    `Connection closed by ${ip}${pre}`,
    `Connection closed by ${r.pick(['authenticating', 'invalid'])} user ${u} ${ip} port ${port}${pre}`,
    `Connection reset by ${ip} port ${port}${pre}`,
    `Connection from ${ip} port ${port} on 10.0.0.9 port 22`,
    `Did not receive identification string from ${ip}`,
    `reverse mapping checking getaddrinfo for h.example.com [${ip}] failed - POSSIBLE BREAK-IN ATTEMPT!`,
    'error: kex_exchange_identification: Connection closed by remote host',
    `Unable to negotiate with ${ip} port ${port}: no matching key exchange method found.`,
    `Bad protocol version identification 'GET / HTTP/1.1' from ${ip} port ${port}`,
    `fatal: Read from socket failed: Connection reset by peer${pre}`,
    'fatal: buffer_get_string: bad string',
    `message repeated ${1 + r(9)} times: [ Failed password for ${u} from ${ip} port ${port} ssh2]`,
    `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`,
    'pam_unix(sshd:auth): check pass; user unknown',
    `PAM ${1 + r(5)} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`,
    'PAM service(sshd) ignoring max retries; 6 > 3',
    `pam_unix(sshd:session): session opened for user ${u} by (uid=0)`,
    `pam_unix(sshd:session): session closed for user ${u}`,
    'Server listening on 0.0.0.0 port 22.',
    `subsystem request for sftp by user ${u}`,
    '',
  ];
  const message = r.pick(forms);
  return r.chance(0.15) ? mutate(r, message) : message;
}

/** Lines of other programs, and sshd tags the quick read leaves to the full parse. */
const OTHER_TAGS = ['sshd-session', 'sshd(pam_unix)', 'sudo', 'su', 'CRON', 'Sshd'];

interface Clock {
  month: number;
  day: number;
  second: number;
}

/** Moves the clock on: mostly seconds, sometimes days or a month (December rolls into January). */
function tick(r: Rand, c: Clock): void {
  const k = r(100);
  if (k < 60) c.second += r(3);
  else if (k < 88) c.second += r(600);
  else if (k < 94) c.day += 1 + r(2);
  else if (k < 97) [c.month, c.day] = [(c.month % 12) + 1, 1];
  else c.second = Math.max(0, c.second - r(600));
  if (c.second >= 86_400) [c.second, c.day] = [c.second - 86_400, c.day + 1];
  if (c.day > 31) [c.month, c.day] = [(c.month % 12) + 1, 1];
}

function syslogLine(
  r: Rand,
  c: Clock,
  message: (r: Rand) => string = sshdMessage,
  move: (r: Rand, c: Clock) => void = tick,
): string {
  move(r, c);
  const s = c.second;
  const day = r.chance(0.5) && c.day < 10 ? ` ${c.day}` : two(c.day);
  const second = r.chance(0.01) ? 60 : s % 60;
  const stamp = `${MONTHS[c.month - 1]} ${day} ${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(second)}`;
  const host = r.chance(0.85) ? 'LabSZ' : r.pick(['combo', 'x', 'hôte', '-']);
  const pid = 1000 + r(30000);
  const tag = r.chance(0.85)
    ? r.pick([`sshd[${pid}]:`, `sshd[${pid}]:`, 'sshd:'])
    : `${r.pick(OTHER_TAGS)}[${pid}]:`;
  const body = `${host} ${tag} ${message(r)}`;
  const shape = r(100);
  if (shape < 85) return `${stamp} ${body}`;
  if (shape < 90) return `<${r.pick([38, 86, 13])}>${stamp} ${body}`;
  if (shape < 94) return `${stamp}.${r(1_000_000)} ${body}`;
  if (shape < 97) return `${stamp}  ${body}`;
  return `2023-${two(c.month)}-${two(Math.min(c.day, 28))}T10:00:00Z ${body}`;
}

/** A log of generated lines, or a stretch of a real one with some lines broken. */
function logText(r: Rand, lines: number): string {
  if (r.chance(0.4)) {
    const real = r.pick(REAL_LOGS);
    const from = r(real.length);
    const part = real.slice(from, from + lines).map((l) => (r.chance(0.05) ? mutate(r, l) : l));
    return `${part.join('\n')}\n`;
  }
  const c: Clock = { month: 1 + r(12), day: 1 + r(28), second: r(86_400) };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const k = r(200);
    if (k === 0) out.push('');
    else if (k === 1) out.push('not a syslog line');
    else if (k === 2)
      out.push(`Feb 29 0${r(10)}:00:00 LabSZ sshd[1]: Invalid user x from 10.0.0.1`);
    else if (k < 6) out.push(mutate(r, syslogLine(r, c)));
    else out.push(syslogLine(r, c));
  }
  return out.join(r.chance(0.9) ? '\n' : '\r\n') + '\n';
}

/**
 * One sshd message of an attack: failures from a few busy sources (each past the alert builder's
 * memory of 1,024 events and its 50 entities), scattered ones, logins, disconnects, and now and
 * then any other form.
 */
function attackMessage(r: Rand): string {
  const ip = r.chance(0.8) ? `203.0.113.${r(2)}` : `198.51.100.${r(200)}`;
  const u = r.chance(0.3) ? r.pick(USERS) : `user${r(400)}`;
  const port = String(1024 + r(60000));
  const k = r(100);
  if (k < 45) return `Failed password for ${u} from ${ip} port ${port} ssh2`;
  if (k < 60) return `Failed password for invalid user ${u} from ${ip} port ${port} ssh2`;
  if (k < 70) return `Invalid user ${u} from ${ip} port ${port}`;
  if (k < 73) return `Accepted password for ${u} from ${ip} port ${port} ssh2`;
  if (k < 83) return `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`;
  if (k < 86)
    return `Received disconnect from ${ip} port ${port}:3: com.jcraft.jsch.JSchException: Auth fail [preauth]`;
  if (k < 93) {
    return `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`;
  }
  return sshdMessage(r);
}

/** Attack time: mostly a second or two apart, sometimes a pause, sometimes back by up to an hour. */
function attackTick(r: Rand, c: Clock): void {
  const k = r(1000);
  if (k < 950) c.second += r(3);
  else if (k < 990) c.second += r(7200);
  else c.second = Math.max(0, c.second - r(3600));
  if (c.second >= 86_400) [c.second, c.day] = [c.second - 86_400, c.day + 1];
  if (c.day > 28) [c.month, c.day] = [(c.month % 12) + 1, 1];
}

/** An attack-heavy log (see `attackMessage`), a few lines broken. */
function attackLog(r: Rand, lines: number): string {
  const c: Clock = { month: 1 + r(12), day: 1 + r(28), second: r(86_400) };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const line = syslogLine(r, c, attackMessage, attackTick);
    out.push(r.chance(0.01) ? mutate(r, line) : line);
  }
  return `${out.join('\n')}\n`;
}

const EVENTS = [
  'failed_password',
  'accepted_password',
  'failed_publickey',
  'invalid_user',
  'invalid_user_request',
  'too_many_auth_failures',
  'received_disconnect',
  'disconnected',
  'connection_closed',
  'connection_reset',
  'connection',
  'no_identification',
  'reverse_mapping_failed',
  'negotiation_failed',
  'fatal',
  'repeated',
  'pam_auth_failure',
  'pam_more_failures',
  'pam_user_unknown',
  'session_opened',
];

/**
 * One selection item. Most read what the quick judgement knows (ssh.*, pam.*, program) or what
 * it reads from the line (host, pid, message, timestamp): those are the rules that let lines go
 * unbuilt, so the ones whose answers must agree.
 */
function item(r: Rand, from = 0): [string, unknown] {
  const event = () => r.pick(EVENTS);
  const items: (() => [string, unknown])[] = [
    () => ['ssh.event', r.chance(0.7) ? event() : [event(), event()]],
    () => ['ssh.event', event()],
    () => [
      `ssh.event|${r.pick(['startswith', 'endswith', 'contains'])}`,
      r.pick(['failed_', 'user', 'pam_', 'conn', 'fa?led*']),
    ],
    () => ['ssh.event|re', r.pick(['^failed', 'user$', '^(pam|connection)_'])],
    () => ['ssh.event|neq', event()],
    () => [
      `ssh.user${r.pick(['', '|contains', '|startswith', '|cased'])}`,
      r.pick(USERS.slice(0, 6)),
    ],
    () => ['ssh.user', null],
    () => ['ssh.sourceIp|cidr', r.pick(['10.0.0.0/8', '0.0.0.0/0', '::/0', '173.234.31.186/32'])],
    () => [`ssh.port|${r.pick(['gt', 'lt'])}`, r(70_000)],
    () => [`ssh.${r.pick(['invalidUser', 'preauth'])}`, r.pick([true, false, null])],
    () => [
      `${r.pick(['ssh', 'pam', 'ssh.user', 'ssh.sourceHost', 'ssh.reason', 'pamModule', 'facility', 'host', 'pid', 'message'])}|exists`,
      r.chance(0.5),
    ],
    () => ['ssh.reason|contains', r.pick(['Bye', 'Auth fail', '11'])],
    () => [
      `pam.${r.pick(['rhost', 'user', 'module', 'event'])}|startswith`,
      r.pick(['1', 'root', 'pam_', 'auth']),
    ],
    () => ['ssh.user|fieldref', r.pick(['pam.user', 'host', 'ssh.user'])],
    () => ['ssh.repeated|gte', r(4)],
    () => ['program', r.pick(['sshd', 'SSHD', 'su'])],
    () => ['pamModule', r.pick(['pam_unix', null])],
    () => ['host', r.pick(['combo', 'LabSZ', 'x'])],
    () => [`pid|${r.pick(['gt', 'lt'])}`, r(31_000)],
    () => ['pid', null],
    () => [
      `message|${r.pick(['contains', 'startswith', 'endswith'])}`,
      r.pick(['Failed', 'Invalid', 'preauth]', 'ssh2', 'root']),
    ],
    () => ['message|re', r.pick(['^Failed .* from 10\\.', 'user (root|admin)', '\\d{5}$'])],
    () => [
      `timestamp|${r.pick(['startswith', 'contains'])}`,
      r.pick(['Dec', 'Jan  1', 'Feb', ':60', ' 0']),
    ],
    () => ['message|fieldref|contains', r.pick(['ssh.user', 'host'])],
  ];
  return r.pick(items.slice(from))();
}

function selection(r: Rand): unknown {
  const k = r(8);
  if (k === 0) {
    return r.pick([
      ['POSSIBLE BREAK-IN'],
      ['sshd['],
      ['LabSZ', 'root'],
      ['sshd: '],
      ['bad string'],
    ]);
  }
  if (k === 1) {
    const mods = r.pick(['contains', 'startswith', 're', 'cased', 'contains|all']);
    return {
      [`|${mods}`]: r.pick([
        // As a regular expression the bracket is escaped: the rule must load.
        [mods === 're' ? 'sshd\\[2' : 'sshd[2'],
        ['combo'],
        ['^sshd\\[\\d+\\]: (Failed|Invalid)'],
        ['Dec', 'root'],
      ]),
    };
  }
  const map = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 1 + r(3); i > 0; i--) {
      const [key, value] = item(r);
      out[key] = value;
    }
    return out;
  };
  return k === 2 ? [map(), map()] : map();
}

function condition(r: Rand, names: string[], depth = 0): string {
  const k = r(depth > 1 ? 3 : 7);
  if (k < 2) return r.pick(names);
  if (k === 2) return `not ${r.pick(names)}`;
  if (k === 3) return `${condition(r, names, depth + 1)} and ${condition(r, names, depth + 1)}`;
  if (k === 4) return `${condition(r, names, depth + 1)} or ${condition(r, names, depth + 1)}`;
  if (k === 5) return `not (${condition(r, names, depth + 1)})`;
  return r.pick(['1 of sel*', 'all of sel*']);
}

const LOGSOURCES = [
  { product: 'linux', service: 'sshd' },
  { product: 'linux', service: 'sshd' },
  { product: 'linux' },
  { product: 'linux', service: 'syslog' },
  { product: 'linux', service: 'auth' },
  {},
];

/** Rule documents (as JSON, which YAML reads): detections, then correlations over them. */
function ruleSet(r: Rand, seed: number): string[] {
  const id = (i: number) =>
    `${(seed >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const docs: object[] = [];
  const names: string[] = [];
  for (let i = 1 + r(3); i > 0; i--) {
    const detection: Record<string, unknown> = {};
    const kind = r(10);
    if (kind < 2) {
      // A header field alone, which the quick judgement reads from the line itself.
      detection.sel = Object.fromEntries([item(r, 17)]);
      detection.condition = r.chance(0.8) ? 'sel' : 'not sel';
    } else if (kind < 6) {
      // The commonest kind: sshd events by name alone, which lets whole forms go unbuilt.
      detection.sel = {
        'ssh.event': r.chance(0.6) ? r.pick(EVENTS) : [r.pick(EVENTS), r.pick(EVENTS)],
      };
      detection.condition = 'sel';
    } else {
      const selections: string[] = [];
      for (let j = 1 + r(3); j > 0; j--) {
        selections.push(`sel${j}`);
        detection[`sel${j}`] = selection(r);
      }
      detection.condition = condition(r, selections);
    }
    const name = `random_${i}`;
    names.push(name);
    const logsource = r.pick(LOGSOURCES);
    docs.push({
      title: `Random ${seed} ${i}`,
      id: id(i),
      name,
      logsource,
      detection,
      level: 'low',
    });
  }
  for (let i = r(3); i > 0; i--) {
    const type = r.pick(['event_count', 'value_count', 'temporal', 'temporal_ordered']);
    const rules = type.startsWith('temporal')
      ? [...new Set([r.pick(names), r.pick(names)])]
      : [r.pick(names)];
    const bound = r.pick(['gte', 'gt', 'lt', 'lte', 'eq']);
    const correlation: Record<string, unknown> = {
      type,
      rules,
      'group-by': r.pick([['ssh.sourceIp'], ['ssh.user'], ['host'], []]),
      timespan: r.pick(['1s', '1m', '10m', '1h', '1d']),
    };
    if (type === 'event_count') correlation.condition = { [bound]: 1 + r(4) };
    if (type === 'value_count')
      correlation.condition = { field: r.pick(['ssh.user', 'ssh.port']), [bound]: 1 + r(3) };
    docs.push({
      title: `Random correlation ${seed} ${i}`,
      id: id(100 + i),
      correlation,
      level: 'medium',
      ...(r.chance(0.3) ? { generate: true } : {}),
    });
  }
  return docs.map((d) => JSON.stringify(d));
}

/** An alert as compared: everything but its random id and the incident it was put in. */
function comparable(alert: Alert) {
  const { id: _id, incidentId: _incident, ...rest } = alert;
  return rest;
}

/** The result of a run as compared, with the alerts a streaming run handed out. */
async function outcome(options: DetectOptions, streaming: boolean) {
  const streamed: unknown[] = [];
  const result = await detect({
    ...options,
    ...(streaming ? { onAlert: (a: Alert) => streamed.push(comparable(a)) } : {}),
  });
  return {
    unbuilt: result.unbuilt,
    compared: {
      events: result.events,
      skipped: result.skipped,
      readErrors: result.readErrors.map((e) => `${e.file}:${e.line} ${e.code} ${e.message}`),
      alerts: result.alerts.map(comparable),
      streamed,
      incidents: result.incidents.map(({ id: _id, alerts, ...rest }) => ({
        ...rest,
        alerts: alerts.length,
      })),
    },
  };
}

/**
 * The rules of a trial: random ones (beside SigmaHQ's Linux rules), or the built-in ones alone,
 * which then read an attack-heavy log.
 */
type RuleChoice = 'random' | 'random+sigma' | 'builtin';

/** One seed: its log, rules and options, run with and without leaving quiet lines unbuilt. */
async function trial(seed: number, dir: string, rules: RuleChoice) {
  const r = rng(seed);
  const base = join(dir, String(seed));
  const rulesDir = join(base, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  let loaded;
  if (rules === 'builtin') loaded = await loadDetectionRules({});
  else {
    ruleSet(r, seed).forEach((doc, i) => writeFileSync(join(rulesDir, `rule${i}.yml`), doc));
    const ruleDirs = rules === 'random+sigma' ? [rulesDir, SIGMA_LINUX] : [rulesDir];
    loaded = await loadDetectionRules({ ruleDirs });
    expect(
      loaded.unsupported.filter((u) => u.file.startsWith(rulesDir)),
      `seed ${seed}`,
    ).toEqual([]);
  }

  const once = rules === 'builtin' ? attackLog(r, 3_000 + r(3_000)) : logText(r, 50 + r(350));
  // A log read twice over (a replay, as the benchmark's copies): its times run backwards.
  const text = r.chance(0.15) ? once + once : once;
  const year = r.pick([undefined, 2023, 2024, 9999]);
  const options: DetectOptions = { paths: [], loaded, year };
  const shape = r(10);
  let stdin: Buffer | undefined;
  if (shape < 6) {
    writeFileSync(join(base, 'auth.log'), text);
    options.paths = [join(base, 'auth.log')];
  } else if (shape < 7) {
    writeFileSync(join(base, 'auth.log.gz'), gzipSync(text));
    options.paths = [join(base, 'auth.log.gz')];
  } else if (shape < 9) {
    const logs = join(base, 'logs');
    mkdirSync(logs);
    writeFileSync(join(logs, 'a.log'), text);
    writeFileSync(join(logs, 'b.log'), logText(r, 50 + r(100)));
    writeFileSync(join(logs, 'empty.log'), '');
    writeFileSync(join(logs, 'trail.json'), '{"Records":[]}\n');
    options.paths = [logs];
  } else {
    options.paths = '-';
    stdin = Buffer.from(text);
  }
  if (r.chance(0.3)) {
    const since = Date.UTC(year ?? 2023, r(12), 1 + r(28), r(24));
    options.since = new Date(since);
    if (r.chance(0.5)) options.until = new Date(since + r(40) * 86_400_000);
  }
  if (r.chance(0.3)) options.dedupWindowMs = r.pick([0, 1_000, 60_000, 86_400_000]);
  const streaming = r.chance(0.2);
  if (r.chance(0.2))
    options.timeZone = r.pick(['Europe/Berlin', 'America/New_York', 'Asia/Kolkata']);

  const run = (buildEveryEvent: boolean) => {
    const input = stdin;
    const fresh = input
      ? (async function* () {
          yield input.subarray(0, input.length >> 1);
          yield input.subarray(input.length >> 1);
        })()
      : undefined;
    return outcome({ ...options, stdin: fresh, buildEveryEvent }, streaming);
  };
  const quiet = await run(false);
  const built = await run(true);
  expect(built.unbuilt).toBe(0);
  expect(quiet.compared, `seed ${seed}`).toEqual(built.compared);
  const all = [...quiet.compared.alerts, ...quiet.compared.streamed] as Omit<Alert, 'id'>[];
  return {
    unbuilt: quiet.unbuilt,
    alerts: all.length,
    largest: Math.max(0, ...all.map((a) => a.eventCount)),
    widest: Math.max(0, ...all.map((a) => a.entities.length)),
  };
}

describe('quiet lines on random logs and rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-quiet-random-'));

  it('give the alerts, incidents and counts of building every event (200 seeds)', async () => {
    let unbuilt = 0;
    let alerts = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const got = await trial(seed, dir, 'random');
      unbuilt += got.unbuilt;
      alerts += got.alerts;
    }
    // The seeds exercise the optimisation: many lines go unbuilt, and rules raise alerts.
    expect(unbuilt).toBeGreaterThan(2_000);
    expect(alerts).toBeGreaterThan(1_000);
  }, 60_000);

  it('give the same with SigmaHQ Linux rules beside the random ones (20 seeds)', async () => {
    let unbuilt = 0;
    for (let seed = 1_001; seed <= 1_020; seed++) {
      unbuilt += (await trial(seed, dir, 'random+sigma')).unbuilt;
    }
    expect(unbuilt).toBeGreaterThan(100);
  }, 60_000);

  it('give the same with the built-in rules alone on attack-heavy logs (30 seeds)', async () => {
    let alerts = 0;
    let largest = 0;
    let widest = 0;
    for (let seed = 2_001; seed <= 2_030; seed++) {
      const got = await trial(seed, dir, 'builtin');
      alerts += got.alerts;
      largest = Math.max(largest, got.largest);
      widest = Math.max(widest, got.widest);
    }
    // The seeds reach past the alert builder's event memory and entity cap.
    expect(alerts).toBeGreaterThan(100);
    expect(largest).toBeGreaterThan(1_024);
    expect(widest).toBe(MAX_ALERT_ENTITIES);
  }, 120_000);
});
