/**
 * Detection benchmark, in one run:
 *  1. CloudTrail: events/s of `palisade detect` with every shared Sigma rule loaded, divided by
 *     events/s of bare NDJSON parsing (readline + JSON.parse) of the same file (target >= 0.5).
 *  2. SSH: lines/s of Palisade's SSH brute-force detection divided by lines/s of Debian's
 *     `fail2ban-regex` (sshd filter) on a 100x copy of loghub's OpenSSH log (target >= 20), and
 *     the ban sets of both on the original log (maxretry 5, findtime 10 min).
 *  3. Memory: peak RSS of `palisade detect -` sampled over a long generated auth.log stream
 *     (target: flat within 10% once warm).
 *
 *   npm run bench:detect -- [--cloudtrail-copies 100] [--ssh-copies 100] [--stream-events 2000000]
 *     [--memory-diagnostic]   (also streams with V8's heap capped, to separate GC headroom)
 */

import { spawn, spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { detect } from '../src/detect/detect.js';

const SHARED = resolve(fileURLToPath(new URL('../../shared/data/', import.meta.url)));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SIGMA = join(SHARED, 'sigma-rules');
const OPENSSH = join(SHARED, 'ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-detect-'));
const out = (s = '') => console.log(s);

// 1. CloudTrail throughput -------------------------------------------------------------------
function cloudTrailRecords(): string[] {
  const lines: string[] = [];
  const invictus = join(SHARED, 'cloudtrail/invictus-ir-aws_dataset/CloudTrail');
  for (const f of readdirSync(invictus).filter((n) => n.endsWith('.json'))) {
    for (const r of (JSON.parse(readFileSync(join(invictus, f), 'utf8')) as { Records: unknown[] })
      .Records)
      lines.push(JSON.stringify(r));
  }
  const stratus = join(SHARED, 'cloudtrail/stratus-red-team');
  for (const f of readdirSync(stratus).filter((n) => n.endsWith('.json'))) {
    for (const r of JSON.parse(readFileSync(join(stratus, f), 'utf8')) as unknown[])
      lines.push(JSON.stringify(r));
  }
  return lines;
}

async function bareNdjson(file: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  })) {
    if (line) {
      JSON.parse(line);
      n += 1;
    }
  }
  return n;
}

const records = cloudTrailRecords();
const copies = arg('cloudtrail-copies', 100);
const ndjson = join(dir, 'cloudtrail.ndjson');
const ws = createWriteStream(ndjson);
for (let c = 0; c < copies; c++) ws.write(records.join('\n') + '\n');
await new Promise((r) => ws.end(r));
const total = records.length * copies;

let t = performance.now();
await bareNdjson(ndjson);
const bareMs = performance.now() - t;
t = performance.now();
const ct = await detect({ paths: [ndjson], ruleDirs: [SIGMA] });
const detectMs = performance.now() - t;
const bareRate = total / (bareMs / 1000);
const detectRate = ct.events / (detectMs / 1000);
out(`Palisade detection benchmark`);
out('');
out(
  `1. CloudTrail, ${total} events (${copies} copies of the shared records), ${ct.rules.detection} Sigma rules + ${ct.rules.correlation} correlations`,
);
out(`   bare NDJSON parse      ${bareRate.toFixed(0).padStart(9)} events/s`);
out(
  `   palisade detect        ${detectRate.toFixed(0).padStart(9)} events/s   (${ct.alerts.length} alerts)`,
);
out(`   ratio = ${(detectRate / bareRate).toFixed(2)}   (target >= 0.5)`);

// 2. SSH against fail2ban --------------------------------------------------------------------
const f2b = spawnSync('which', ['fail2ban-regex'], { encoding: 'utf8' }).stdout.trim();
const sshCopies = arg('ssh-copies', 100);
const bigLog = join(dir, 'openssh-x100.log');
const original = readFileSync(OPENSSH, 'utf8');
writeFileSync(bigLog, original.repeat(sshCopies));
const sshLines = original.split('\n').filter(Boolean).length * sshCopies;

/** fail2ban-regex runs without network (unshare -n) so its DNS lookups cannot leave the host. */
function fail2ban(args: string[]) {
  const unshare = spawnSync('unshare', ['-n', 'true']).status === 0;
  const [cmd, ...rest] = unshare ? ['unshare', '-n', f2b, ...args] : [f2b, ...args];
  const started = performance.now();
  const run = spawnSync(cmd, rest, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return { ms: performance.now() - started, stdout: run.stdout, status: run.status };
}

out('');
out(`2. SSH, loghub OpenSSH_2k.log x${sshCopies} = ${sshLines} lines`);
t = performance.now();
const sshRun = await detect({ paths: [bigLog], year: 2023 });
const palisadeSshMs = performance.now() - t;
const palisadeLinesPerS = sshLines / (palisadeSshMs / 1000);
out(
  `   palisade detect        ${palisadeLinesPerS.toFixed(0).padStart(9)} lines/s  (${sshRun.alerts.length} alerts)`,
);
if (!f2b) {
  out('   fail2ban-regex not installed (apt-get install fail2ban): comparison skipped');
} else {
  const filter = '/etc/fail2ban/filter.d/sshd.conf';
  const big = fail2ban(['--print-no-missed', '--print-no-ignored', bigLog, filter]);
  const f2bLinesPerS = sshLines / (big.ms / 1000);
  out(`   fail2ban-regex         ${f2bLinesPerS.toFixed(0).padStart(9)} lines/s`);
  out(`   ratio = ${(palisadeLinesPerS / f2bLinesPerS).toFixed(1)}   (target >= 20)`);

  // Ban sets on the original log: fail2ban's matched failures through a jail of maxretry 5 and
  // findtime 600 s, against the IPs Palisade raised a brute-force alert for.
  const rows = fail2ban(['-o', 'row', OPENSSH, filter]).stdout.split('\n');
  const failures = new Map<string, number[]>();
  for (const row of rows) {
    const m = /^\['([^']+)',\s*([\d.]+),/.exec(row.trim());
    if (!m) continue;
    failures.set(m[1], [...(failures.get(m[1]) ?? []), Number(m[2])]);
  }
  const f2bBans = new Set<string>();
  for (const [ip, times] of failures) {
    times.sort((a, b) => a - b);
    for (let i = 4; i < times.length; i++) if (times[i] - times[i - 4] <= 600) f2bBans.add(ip);
  }
  const small = await detect({ paths: [OPENSSH], year: 2023 });
  const ours = new Set(
    small.alerts
      .filter((a) => a.title.startsWith('SSH brute force'))
      .flatMap((a) => a.entities.filter((e) => e.kind === 'ip').map((e) => e.value)),
  );
  const onlyF2b = [...f2bBans].filter((ip) => !ours.has(ip));
  const onlyUs = [...ours].filter((ip) => !f2bBans.has(ip));
  out('');
  out(
    `   ban sets on OpenSSH_2k.log: fail2ban ${f2bBans.size} IPs, palisade ${ours.size} IPs, both ${[...ours].filter((ip) => f2bBans.has(ip)).length}`,
  );
  if (onlyF2b.length) out(`   only fail2ban: ${onlyF2b.join(', ')}`);
  if (onlyUs.length) out(`   only palisade: ${onlyUs.join(', ')}`);
}

// 3. Memory over a long stream -----------------------------------------------------------------
const streamEvents = arg('stream-events', 2_000_000);

/** Streams generated auth.log lines into `palisade detect -`, sampling the child's RSS. */
async function streamRss(nodeFlags: string[]) {
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      '--import',
      'tsx',
      join(ROOT, 'src/cli/main.ts'),
      'detect',
      '-',
      '--no-store',
      '-q',
      '--year',
      '2023',
      '--format',
      'json',
      '-o',
      '/dev/null',
    ],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const samples: { sent: number; rssMb: number }[] = [];
  let sent = 0;
  const sampler = setInterval(async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      samples.push({ sent, rssMb: kb / 1024 });
    } catch {
      /* the process has ended */
    }
  }, 500);
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const pad = (n: number) => String(n).padStart(2, '0');
  const startMs = Date.UTC(2023, 0, 1);
  const started = performance.now();
  while (sent < streamEvents) {
    const chunk: string[] = [];
    for (let i = 0; i < 5_000 && sent < streamEvents; i++, sent++) {
      const d = new Date(startMs + sent * 50);
      const when = `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      // A day of a busy bastion: mostly key logins and sessions from the office, and a steady
      // brute force from a few dozen addresses (one line in ten).
      const line =
        sent % 10 === 0
          ? `Failed password for invalid user u${sent % 997} from 203.0.113.${sent % 50} port ${1024 + (sent % 60000)} ssh2`
          : sent % 10 < 6
            ? `Accepted publickey for dev${sent % 40} from 198.51.100.${sent % 40} port ${1024 + (sent % 60000)} ssh2: ED25519 SHA256:k${sent % 40}`
            : `pam_unix(sshd:session): session ${sent % 2 ? 'opened' : 'closed'} for user dev${sent % 40}`;
      chunk.push(`${when} bench sshd[${sent % 30000}]: ${line}`);
    }
    if (!child.stdin.write(chunk.join('\n') + '\n'))
      await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  await new Promise((r) => child.on('exit', r));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const warm = samples.filter((s) => s.sent >= streamEvents * 0.2);
  const rss = warm.map((s) => s.rssMb);
  const low = Math.min(...rss);
  const high = Math.max(...rss);
  for (const q of [0.2, 0.4, 0.6, 0.8, 1]) {
    const s = warm.find((x) => x.sent >= streamEvents * q) ?? warm[warm.length - 1];
    if (s) out(`   after ${String(s.sent).padStart(9)} lines   RSS ${s.rssMb.toFixed(0)} MB`);
  }
  out(
    `   ${(streamEvents / seconds).toFixed(0)} lines/s; RSS once warm ${low.toFixed(0)}-${high.toFixed(0)} MB, spread ${(((high - low) / low) * 100).toFixed(1)}% (target <= 10%)`,
  );
}

out('');
out(`3. Memory: ${streamEvents} generated auth.log lines into \`palisade detect -\``);
await streamRss([]);
if (process.argv.includes('--memory-diagnostic')) {
  // The same stream with V8's heap capped: what is left is the live set, not GC headroom.
  const flags = ['--max-semi-space-size=2', '--max-old-space-size=96'];
  out(`   diagnostic, node ${flags.join(' ')}:`);
  await streamRss(flags);
}
rmSync(dir, { recursive: true, force: true });
