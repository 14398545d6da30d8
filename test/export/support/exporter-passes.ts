/** An exporter over a test server's store that may reach loopback, and passes run until a text arrives. */

import { Exporter } from '../../../src/export/exporter.js';
import type { Harness } from '../../server/harness.js';
import type { SyslogListener } from './syslog-listener.js';

/** An exporter over `h`'s store, quick to retry, allowed to send to 127.0.0.1. */
export function loopbackExporter(h: Pick<Harness, 'db' | 'serverKey'>): Exporter {
  return new Exporter({
    db: h.db,
    key: h.serverKey,
    owner: 'test',
    backoff: { baseMs: 1, maxMs: 4 },
    sinkDeps: { network: { allow: ['127.0.0.1'] } },
  });
}

/** Every message body `listener` has received, one a line. */
export function sentBodies(listener: SyslogListener): string {
  return listener.messages.map((m) => m.body).join('\n');
}

/** Runs passes of `e` until `text` has reached `listener`, or gives up after 100. */
export async function passesUntilSent(
  e: Exporter,
  listener: SyslogListener,
  text: string,
): Promise<void> {
  for (let i = 0; i < 100 && !sentBodies(listener).includes(text); i += 1) {
    await e.runOnce();
    await new Promise((r) => setTimeout(r, 10));
  }
}
