import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { startSyslogListener } from '../../src/server/ingest/syslog-listener.js';
import {
  allAlerts,
  SSH_BRUTE_FORCE,
  startLive,
  until,
  type LiveHarness,
} from './ingest-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failed SSH login from `ip`, as sshd logs it. */
const failed = (ip: string, i: number) =>
  `<38>Dec 10 06:55:${String(10 + i).padStart(2, '0')} LabSZ sshd[2420${i}]: Failed password ` +
  `for root from ${ip} port 5000${i} ssh2`;

function sendTcp(port: number, payload: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(payload));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

function tcpStats(h: LiveHarness) {
  return h.app.ingest.service.stats().intakes['syslog-tcp'] ?? { events: 0, errors: 0 };
}

describe('syslog TCP intake limits', () => {
  it('skips exactly the counted bytes of an oversized octet-counted frame', async () => {
    const h = await startLive({ syslog: { tcpPort: 0, maxMessageBytes: 1024 } });
    try {
      const token = await h.token('reader');
      const forged = Array.from({ length: 6 }, (_, i) => failed('198.51.100.77', i)).join('\n');
      const payload = `<38>Dec 10 06:55:00 LabSZ sshd[1]: padding ${'x'.repeat(1200)}\n${forged}\n`;
      const good = failed('203.0.113.5', 9);
      const stream =
        `${Buffer.byteLength(payload)} ${payload}` + `${Buffer.byteLength(good)} ${good}`;
      await sendTcp(h.app.ingest.syslog!.tcpPort!, stream);
      await until(() => tcpStats(h).events >= 1);
      await sleep(100);
      await h.app.ingest.service.flush();

      expect(tcpStats(h)).toMatchObject({ events: 1, errors: 1 });
      const alerts = await allAlerts(h, token, `rule=${SSH_BRUTE_FORCE}`);
      expect(JSON.stringify(alerts)).not.toContain('198.51.100.77');
    } finally {
      await h.close();
    }
  });

  it('reads one UDP datagram as one message, its line feeds made spaces', async () => {
    const h = await startLive({ syslog: { udpPort: 0 } });
    try {
      const token = await h.token('reader');
      const forged = Array.from({ length: 6 }, (_, i) => failed('198.51.100.78', i)).join('\n');
      const udp = createSocket('udp4');
      udp.send(
        `<38>Dec 10 06:55:00 LabSZ sshd[1]: session opened\n${forged}`,
        h.app.ingest.syslog!.udpPort!,
        '127.0.0.1',
      );
      const udpStats = () => h.app.ingest.service.stats().intakes['syslog-udp'] ?? { events: 0 };
      await until(() => udpStats().events >= 1);
      udp.close();
      await sleep(100);
      await h.app.ingest.service.flush();

      expect(udpStats().events).toBe(1);
      const alerts = await allAlerts(h, token, `rule=${SSH_BRUTE_FORCE}`);
      expect(JSON.stringify(alerts)).not.toContain('198.51.100.78');
    } finally {
      await h.close();
    }
  });

  it('refuses connections over the per-address cap and closes ones stuck in a frame', async () => {
    const h = await startLive();
    const listener = await startSyslogListener(h.app.ingest.service, h.app.palisade.logger, {
      tcpPort: 0,
      incompleteFrameMs: 400,
      maxConnectionsPerAddress: 3,
    });
    const port = listener.tcpPort!;
    const stalled: Socket[] = [];
    try {
      const closed = (s: Socket) => new Promise<void>((r) => s.on('close', () => r()));
      const open = () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => undefined);
          s.once('error', reject);
        });
      for (let i = 0; i < 3; i++) {
        const s = await open();
        s.write('<38>Dec');
        stalled.push(s);
      }
      const stalledClosed = Promise.all(stalled.map(closed));
      const extra = await open();
      await closed(extra);
      expect(tcpStats(h).errors).toBeGreaterThanOrEqual(1);

      // The stalled senders are cut once their frame stays incomplete: a genuine sender gets in.
      await stalledClosed;
      await sendTcp(port, `${failed('203.0.113.5', 1)}\n`);
      await until(() => tcpStats(h).events === 1);
      expect(tcpStats(h).errors).toBeGreaterThanOrEqual(4);
    } finally {
      for (const s of stalled) s.destroy();
      await listener.close();
      await h.close();
    }
  });
});

describe('syslog TCP connection caps as settings', () => {
  const open = (port: number) =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
      s.once('error', reject);
    });
  const closedWithin = (s: Socket, ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      s.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  it('takes both caps from the configuration file, 0 lifting the one per address', async () => {
    const file = yamlFile(
      'ingest:\n  syslog: { tcpPort: 0, maxConnections: 5, maxConnectionsPerAddress: 2 }\n',
    );
    const capped = loadConfig({ file }).ingest?.syslog ?? {};
    expect(capped).toMatchObject({ maxConnections: 5, maxConnectionsPerAddress: 2 });
    const relay = { ...capped, maxConnectionsPerAddress: 0 };

    for (const [syslog, admitted] of [
      [capped, 2],
      [relay, 5],
    ] as const) {
      const h = await startLive({ syslog });
      const port = h.app.ingest.syslog!.tcpPort!;
      const sockets: Socket[] = [];
      try {
        for (let i = 0; i < admitted; i++) sockets.push(await open(port));
        const extra = await open(port);
        sockets.push(extra);
        // One more than the cap that applies is refused: closed by the server at once.
        expect(await closedWithin(extra, 2_000)).toBe(true);
        for (const s of sockets.slice(0, admitted)) expect(s.destroyed).toBe(false);
      } finally {
        for (const s of sockets) s.destroy();
        await h.close();
      }
    }
    const error = (() => {
      try {
        loadConfig({ file: yamlFile('ingest:\n  syslog: { maxConnections: 0 }\n') });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/ingest\.syslog\.maxConnections/);
  });
});

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-syslog-caps-')), 'palisade.yaml');
  writeFileSync(file, text);
  return file;
}

describe('a syslog port already taken', () => {
  it('stops the listener with the setting to change named', async () => {
    const h = await startLive({ syslog: { tcpPort: 0, udpPort: 0 } });
    try {
      const { tcpPort, udpPort } = h.app.ingest.syslog!;
      const logger = h.app.palisade.logger;
      await expect(
        startSyslogListener(h.app.ingest.service, logger, { host: '127.0.0.1', tcpPort }),
      ).rejects.toThrow(
        `ingest.syslog.tcpPort: 127.0.0.1 port ${tcpPort} is in use by another process`,
      );
      await expect(
        startSyslogListener(h.app.ingest.service, logger, { host: '127.0.0.1', udpPort }),
      ).rejects.toThrow(
        `ingest.syslog.udpPort: 127.0.0.1 port ${udpPort} is in use by another process`,
      );
    } finally {
      await h.close();
    }
  });
});
