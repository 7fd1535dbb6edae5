// Benchmark (not a test): wall time to grade a discovery peer (the reference
// by default), with each run's checks and what any lost check said. Imports
// from dist/: run `npm run build` first.
// Usage: node scripts/bench-discovery.mjs [runs=5] [dir=examples/discovery/reference-peer]
import { fileURLToPath } from 'node:url';
import { acquireDisplay, findPython } from '../dist/env/index.js';
import { gradeSubmission, selectChecks } from '../dist/grade.js';
import { makeLauncher } from '../dist/launcher.js';
import { discovery } from '../dist/packs/discovery/index.js';
import { defaultWeights } from '../dist/rubric.js';

const runs = Number(process.argv[2] ?? 5);
const dir = process.argv[3] ?? fileURLToPath(new URL('../examples/discovery/reference-peer', import.meta.url));
const only = process.env.ONLY ? process.env.ONLY.split(',') : [];
const python = await findPython();
const display = await acquireDisplay();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const totals = [];
const perRun = {};
try {
  for (let i = 0; i < runs; i++) {
    const launcher = makeLauncher({ dir, python: python.executable, display: display.display, launch: { ui: {}, explicitProbe: false }, entry: discovery.entries[0], timeoutScale: 1 });
    const t0 = performance.now();
    const r = await gradeSubmission({
      pack: discovery, dir, seed: `bench-${i}`, jobs: 2, checks: selectChecks(discovery.rubric, only, []), weights: defaultWeights(discovery.rubric), timeoutScale: 1,
      python, display: display.display, launcher,
    });
    const total = performance.now() - t0;
    totals.push(total);
    for (const c of r.checks) (perRun[c.scenario] ??= []).push(c.durationMs);
    const lost = r.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped');
    console.log(`run ${i}: ${r.score.points}/${r.score.max} + ${r.score.bonus}/${r.score.bonusMax} in ${total.toFixed(0)} ms`);
    for (const c of lost) console.log(`  ${c.status} ${c.id}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`);
  }
} finally {
  await display.release();
}
console.log(`median total wall time over ${runs} runs, --jobs 2: ${median(totals).toFixed(0)} ms (min ${Math.min(...totals).toFixed(0)}, max ${Math.max(...totals).toFixed(0)})`);
