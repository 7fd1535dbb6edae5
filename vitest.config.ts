import { defineConfig } from 'vitest/config';

// The hostile fixtures load the machine on purpose (memory, fork and output
// floods): they run as a group of their own, after everything else, so the
// timing of the other suites never shares the machine with them.
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Installs Xvfb, bubblewrap (and python3-tk) when missing, as the grader does.
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // GUI clients under Xvfb are heavy; two cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { ...shared, name: 'chatgrade', include: ['test/**/*.test.ts'], exclude: ['test/hostile.test.ts'], sequence: { groupOrder: 0 } } },
      { extends: true, test: { ...shared, name: 'hostile', include: ['test/hostile.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
