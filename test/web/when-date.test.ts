/** The console's dates: an expiry day stays that calendar day in every time zone. */

import { afterEach, describe, expect, it } from 'vitest';
import { dateText } from '../../src/web/dates.js';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('console dates', () => {
  it('show a date alone as that day west and east of UTC', () => {
    for (const tz of ['America/Los_Angeles', 'UTC', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      expect(dateText('2026-12-05'), tz).toBe(new Date(2026, 11, 5).toLocaleDateString());
    }
    // Before: UTC midnight shown in Los Angeles was the afternoon of the day before.
    process.env.TZ = 'America/Los_Angeles';
    expect(new Date('2026-12-05').toLocaleDateString()).toBe(
      new Date(2026, 11, 4).toLocaleDateString(),
    );
  });

  it('show a full time in the local zone, naming the zone', () => {
    process.env.TZ = 'UTC';
    const text = dateText('2026-12-05T10:00:00.000Z');
    expect(text).toContain(new Date('2026-12-05T10:00:00.000Z').toLocaleString());
    expect(text).toMatch(/UTC$/);
    process.env.TZ = 'Asia/Tokyo';
    expect(dateText('2026-12-05T10:00:00.000Z')).toMatch(/GMT\+9$/);
  });
});
