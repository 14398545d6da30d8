import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: on CI's two cores that is one file at a
    // time, while most slow files wait on child processes, sockets and PostgreSQL. Two at once
    // there; the default elsewhere. Files keep to their own temporary folders, ports, PostgreSQL
    // schemas and NATS subjects, so they may run side by side.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
