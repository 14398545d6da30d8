/**
 * Lets the exports and automation rules a test file makes point at the loopback listeners it
 * starts, the way an operator admits such a destination: through `PALISADE_EXPORT_ALLOW`.
 */

import { afterAll, beforeAll, vi } from 'vitest';

/** Sets `PALISADE_EXPORT_ALLOW` to loopback for the tests of the calling file. */
export function allowLoopbackExports(): void {
  beforeAll(() => {
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '127.0.0.1,::1');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
}
