import { defineConfig } from 'vitest/config';
import { plainSummary } from './vitest.config.js';

/**
 * `npm run test:heavy`: soak, benchmark smoke run and the suites that drive real servers at load
 * (PostgreSQL races and restarts, Kamailio with SIPp, Chromium). One file at a time: they measure
 * and kill processes, and must not share the two cores with each other.
 */
export default defineConfig({
  test: {
    include: ['test/heavy/**/*.test.ts'],
    testTimeout: 120000,
    pool: 'forks',
    globalSetup: ['test/tmpdir-setup.ts'],
    fileParallelism: false,
    reporters: ['default', plainSummary],
  },
});
