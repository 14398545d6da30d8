/**
 * Throughput of the auth.log and CloudTrail NDJSON readers against bare parsing, on in-memory
 * copies of the shared logs. Run: `npx tsx test/logs/reader-throughput.ts`.
 */

import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { cloudTrailReader } from '../../src/logs/cloudtrail-reader.js';
import { syslogReader } from '../../src/logs/syslog-reader.js';
import { dataPath } from './shared-data.js';

function chunks(text: string, copies: number): Readable {
  const buf = Buffer.from(text);
  return Readable.from(
    (function* () {
      for (let i = 0; i < copies; i++) yield buf;
    })(),
  );
}

async function timed(label: string, units: string, run: () => Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const n = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = n / seconds;
  process.stdout.write(
    `${label}: ${n} ${units} in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en')} ${units}/s\n`,
  );
  return rate;
}

const auth =
  readFileSync(dataPath('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8').trimEnd() + '\n';
const authCopies = 250;
const authRate = await timed('auth.log reader (OpenSSH_2k x250)', 'lines', async () => {
  let n = 0;
  for await (const item of syslogReader.read(chunks(auth, authCopies), {
    file: 'bench',
    year: 2017,
  })) {
    if ('time' in item) n++;
  }
  return n;
});
const splitRate = await timed('bare line split of the same text', 'lines', async () => {
  let n = 0;
  for (let i = 0; i < authCopies; i++) n += auth.split('\n').filter((l) => l.length > 0).length;
  return n;
});

const records: unknown[] = [];
for (const name of [
  'aws.execution.ssm-send-command.json',
  'aws.credential-access.ec2-steal-instance-credentials.json',
  'aws.execution.ec2-user-data.json',
]) {
  records.push(...JSON.parse(readFileSync(dataPath('cloudtrail/stratus-red-team', name), 'utf8')));
}
const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const ctCopies = Math.ceil(200_000 / records.length);
const ctRate = await timed('CloudTrail NDJSON reader', 'events', async () => {
  let n = 0;
  for await (const item of cloudTrailReader.read(chunks(ndjson, ctCopies), { file: 'bench' })) {
    if ('time' in item) n++;
  }
  return n;
});
const bareRate = await timed('bare JSON.parse per line', 'events', async () => {
  let n = 0;
  for (let i = 0; i < ctCopies; i++) {
    for (const line of ndjson.split('\n')) if (line) n += JSON.parse(line) ? 1 : 0;
  }
  return n;
});
const doc = `{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`;
const docCopies = 200;
const docRate = await timed(
  'CloudTrail compact {"Records":[...]} files (fast path)',
  'events',
  async () => {
    let n = 0;
    for (let i = 0; i < docCopies; i++) {
      for await (const item of cloudTrailReader.read(chunks(doc.repeat(1), 1), { file: 'bench' })) {
        if ('time' in item) n++;
      }
    }
    return n;
  },
);

process.stdout.write(`auth.log reader / bare split: ${(authRate / splitRate).toFixed(3)}\n`);
process.stdout.write(
  `CloudTrail NDJSON reader / bare JSON.parse: ${(ctRate / bareRate).toFixed(3)}\n`,
);
process.stdout.write(
  `CloudTrail compact document / bare JSON.parse: ${(docRate / bareRate).toFixed(3)}\n`,
);
