/** Event times read back into epoch ms agree with `Date.parse`, whatever their text. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTimeMs } from '../../src/detect/event-time.js';

describe('eventTimeMs', () => {
  it('reads toISOString texts as Date.parse does, from year 0 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(eventTimeMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('rolls a day past its month over as Date.parse does (April 31 is May 1)', () => {
    for (let year = 1000; year <= 9999; year += 7) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 28, 29, 30, 31]) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T23:59:59.999Z`;
          expect(eventTimeMs(text), text).toBe(Date.parse(text));
        }
      }
    }
  });

  it('leaves out-of-range parts and other shapes to Date.parse', () => {
    const texts = [
      '2023-02-30T00:00:00.000Z',
      '2023-01-01T24:00:00.000Z',
      '2023-01-01T23:59:60.000Z',
      '2023-13-01T00:00:00.000Z',
      '2023-00-01T00:00:00.000Z',
      '2023-01-00T00:00:00.000Z',
      '0050-01-01T00:00:00.000Z',
      '2023-01-01T00:00:00Z',
      '2023-01-01T00:00:00.000+01:00',
      '+012345-01-01T00:00:00.000Z',
      '2023-01-01T0a:00:00.000Z',
      '',
    ];
    for (const text of texts) expect(eventTimeMs(text), text).toBe(Date.parse(text));
  });
});
