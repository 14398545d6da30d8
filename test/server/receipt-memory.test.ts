/**
 * The memory of received records: for any sequence of arrivals it answers as a plain model does
 * (a map in receipt order, the keys past the window and the oldest beyond the cap forgotten),
 * through growth, wrap-around and removals from the middle of probe runs; and it hands each key
 * to the store once, again after a failed write.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryKeys, idKey } from '../../src/detect/event-identity.js';
import type { LogEvent } from '../../src/model/event.js';
import {
  keyOfHalves,
  ReceiptMemory,
  type UnstoredReceipts,
} from '../../src/server/ingest/receipt-memory.js';

/** The reference: keys in receipt order with their times. */
class Model {
  readonly keys = new Map<string, number>();
  constructor(
    private readonly retentionMs: number,
    private readonly maxKeys: number,
  ) {}

  add(key: string, at: number): boolean {
    for (const [k, t] of this.keys) {
      if (t >= at - this.retentionMs) break;
      this.keys.delete(k);
    }
    if (this.keys.has(key)) return false;
    if (this.keys.size === this.maxKeys) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(key, at);
    return true;
  }
}

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

/** What `takeUnstored` handed over, as keys and times. */
const listed = (taken: UnstoredReceipts) =>
  Array.from(taken.hi, (hi, i) => ({ key: keyOfHalves(hi, taken.lo[i]), at: taken.at[i] }));

describe('ReceiptMemory', () => {
  it('answers as the model for any arrivals, growing, wrapping round and forgetting', () => {
    // Few distinct keys, and keys sharing their low half, so repeats and long probe runs occur.
    const key = fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }))
      .map(([hi, lo]) => hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(key, fc.integer({ min: 0, max: 20 })), { maxLength: 400 }),
        (maxKeys, retentionMs, initialKeys, arrivals) => {
          const memory = new ReceiptMemory({ retentionMs, maxKeys, initialKeys });
          const model = new Model(retentionMs, maxKeys);
          let now = 0;
          for (const [k, step] of arrivals) {
            now += step;
            expect(memory.add(k, now)).toBe(model.add(k, now));
            expect(memory.size).toBe(model.keys.size);
          }
          for (const k of model.keys.keys()) expect(memory.has(k)).toBe(true);
          expect(memory.oldest).toBe(model.keys.values().next().value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows to its cap past the first arrays, then forgets the oldest', () => {
    const memory = new ReceiptMemory({ retentionMs: Infinity, maxKeys: 5_000 });
    for (let i = 0; i < 12_000; i++) expect(memory.add(hex16(i * 7919), i)).toBe(true);
    expect(memory.size).toBe(5_000);
    expect(memory.has(hex16(6_999 * 7919))).toBe(false);
    expect(memory.has(hex16(7_000 * 7919))).toBe(true);
    expect(memory.add(hex16(11_999 * 7919), 12_000)).toBe(false);
    expect(memory.oldest).toBe(7_000);
  });

  it('hands each key to the store once, and again after a failed write', () => {
    const memory = new ReceiptMemory({ retentionMs: 100, maxKeys: 3 });
    memory.add(hex16(1), 10);
    memory.add(hex16(2), 20);
    const first = memory.takeUnstored();
    expect(listed(first)).toEqual([
      { key: hex16(1), at: 10 },
      { key: hex16(2), at: 20 },
    ]);
    expect(listed(memory.takeUnstored())).toEqual([]);
    memory.add(hex16(3), 30);
    const failed = memory.takeUnstored();
    expect(listed(failed)).toEqual([{ key: hex16(3), at: 30 }]);
    memory.returnUnstored(failed);
    // Meanwhile the cap made the first key go: what is handed again is what is still remembered.
    memory.add(hex16(4), 40);
    expect(listed(memory.takeUnstored())).toEqual([
      { key: hex16(3), at: 30 },
      { key: hex16(4), at: 40 },
    ]);
    // A failed write whose keys were forgotten meanwhile (past the window) hands back none.
    memory.add(hex16(5), 135);
    const late = memory.takeUnstored();
    expect(listed(late)).toEqual([{ key: hex16(5), at: 135 }]);
    memory.add(hex16(6), 300);
    memory.returnUnstored(late);
    expect(listed(memory.takeUnstored())).toEqual([{ key: hex16(6), at: 300 }]);
  });

  it('refuses a key that is not 16 hex digits', () => {
    const memory = new ReceiptMemory({ retentionMs: 1, maxKeys: 1 });
    expect(() => memory.add('12345', 0)).toThrow(/16 lowercase hex digits/);
    expect(() => memory.add('g'.repeat(16), 0)).toThrow(/16 lowercase hex digits/);
  });
});

describe('receipt keys', () => {
  const line = (message: string, pid = 24200): LogEvent => ({
    time: '2025-12-10T06:55:46.000Z',
    source: { reader: 'syslog', file: 'http:req-1', line: 1 },
    fields: { timestamp: 'Dec 10 06:55:46', host: 'LabSZ', program: 'sshd', pid, message },
  });

  it('number identical records of one delivery, and give a repeated delivery the same keys', () => {
    const events = [line('a'), line('b'), line('a'), line('a', 1), line('a')];
    const keys = (list: LogEvent[]) => {
      const delivery = new DeliveryKeys();
      return list.map((e) => delivery.keyOf(e)!);
    };
    const first = keys(events);
    expect(new Set(first).size).toBe(5);
    expect(first.every((k) => /^[0-9a-f]{16}$/.test(k))).toBe(true);
    expect(keys(events)).toEqual(first);
    // Not where the record stood, nor which request: a record moved within the batch is the same.
    const moved = events.map((e, i) => ({ ...e, source: { ...e.source, file: 'x', line: 9 - i } }));
    expect(keys(moved)).toEqual(first);
    // The second occurrence of `a` is the same key whether or not `b` stood between.
    expect(keys([line('a'), line('a')])).toEqual([first[0], first[2]]);
    // Another reader's record with the same fields is another record.
    const other = { ...line('a'), source: { reader: 'auditd' } };
    expect(keys([other])[0]).not.toBe(first[0]);
  });

  it('key a record with its own id by that id alone', () => {
    const trail = (eventID: string, eventName: string): LogEvent => ({
      time: '2025-01-01T00:00:00Z',
      source: { reader: 'cloudtrail' },
      fields: { eventID, eventName },
    });
    const delivery = new DeliveryKeys();
    const a = delivery.keyOf(trail('e-1', 'StopLogging'));
    expect(a).toBe(idKey(trail('e-1', 'StopLogging')));
    expect(delivery.keyOf(trail('e-1', 'StopLogging'))).toBe(a);
    expect(idKey(trail('e-1', 'DeleteTrail'))).toBe(a);
    expect(idKey(line('a'))).toBeUndefined();
  });
});
