import { defineConfig } from 'vitest/config';
import type { Reporter } from 'vitest/reporters';

interface Task { type: string; tasks?: Task[]; result?: { state?: string }; mode?: string }

/** Ends the run with the plain `N passed, N failed, N skipped` line CI reads. */
export const plainSummary: Reporter = {
  onFinished(files) {
    const count = { passed: 0, failed: 0, skipped: 0 };
    const walk = (t: Task) => {
      if (t.type === 'test') {
        if (t.result?.state === 'pass') count.passed++;
        else if (t.result?.state === 'fail') count.failed++;
        else count.skipped++;
      }
      t.tasks?.forEach(walk);
    };
    (files as unknown as Task[] | undefined)?.forEach(walk);
    process.stdout.write(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`);
  },
};

/** `npm test`: the suites fast enough to run after every change. Heavy ones: vitest.heavy.config.ts. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/heavy/**', 'node_modules/**'],
    testTimeout: 20000,
    pool: 'forks',
    globalSetup: ['test/tmpdir-setup.ts'],
    reporters: ['default', plainSummary],
  },
});
