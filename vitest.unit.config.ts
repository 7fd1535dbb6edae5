// The fast, pure unit tests: no client, no display, no subprocess. Stryker
// runs these against every mutant (`npm run mutate`); `npm run test:unit`
// runs them alone. (test/junit.test.ts is pure too, but validating against
// the XML schemas takes seconds, too slow to repeat for each mutant.)
import { defineConfig } from 'vitest/config';

export const UNIT_TESTS = [
  'test/modules.test.ts',
  'test/protocol.test.ts',
  'test/scenarios.test.ts',
  'test/rubric.test.ts',
  'test/config.test.ts',
  'test/runner.test.ts',
  'test/reporters.test.ts',
  'test/terminal.test.ts',
  'test/gradescope.test.ts',
  'test/html.test.ts',
  'test/class-reporters.test.ts',
  'test/reporters-golden.test.ts',
  'test/reporters-text.test.ts',
  'test/reporters-common.test.ts',
  'test/html-edges.test.ts',
  'test/reporters-machine.test.ts',
  'test/reporters-ci.test.ts',
  'test/class-tools.test.ts',
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
  },
});
