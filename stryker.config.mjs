// Mutation testing of the grader's pure modules (docs/TESTING.md). Run with
// `npm run mutate`; the HTML report lands in reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts', related: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Stryker's default also rewrites .html files (to turn off type checks in
  // their scripts), which would alter the golden files of test/golden/.
  disableTypeChecks: '{src,test}/**/*.{ts,mts,js,mjs}',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'src/protocol/**/*.ts',
    '!src/protocol/index.ts',
    'src/rubric.ts',
    'src/config.ts',
    'src/reporters/**/*.ts',
    'src/selection.ts',
    'src/verdict.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  // Reuses the verdicts of mutants whose code and tests did not change since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
