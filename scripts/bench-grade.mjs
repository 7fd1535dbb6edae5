// Benchmark (not a test): time to grade the reference client in-process the
// way the CLI does (sandbox included), and how it splits between runs.
// Imports from dist/: run `npm run build` first.
// Usage: node scripts/bench-grade.mjs [runs=10] [--sandbox auto|off]
import { findPython } from '../dist/env/index.js';
import { chat } from '../dist/packs/chat/index.js';
import { gradeFolder } from '../dist/submission.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const sandbox = args.includes('--sandbox') ? args[args.indexOf('--sandbox') + 1] : 'auto';
const python = await findPython();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const totals = [];
const byRun = {};
let level = '';
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await gradeFolder(chat.reference, { course: {}, pack: chat, only: [], exclude: [], seed: `bench-${i}`, jobs: 2, timeoutScale: 1, python, sandbox });
  totals.push(performance.now() - t0);
  if (r.score.points !== 100 || r.score.bonus !== 20) throw new Error(`run ${i}: ${r.score.points}+${r.score.bonus}`);
  level = r.environment.sandbox;
  for (const c of r.checks) (byRun[c.scenario] ??= []).push(c.durationMs);
}
const f = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
console.log(`grading examples/reference-client, ${runs} runs, --jobs 2, sandbox ${level} (medians)`);
console.log(`  total wall time, sandbox set-up and 33 checks   ${f(median(totals))}`);
for (const [run, ds] of Object.entries(byRun)) {
  const perGrade = ds.length / runs;
  const sums = Array.from({ length: runs }, (_, i) => ds.slice(i * perGrade, (i + 1) * perGrade).reduce((a, b) => a + b, 0));
  console.log(`  ${run.padEnd(12)} checks, summed                    ${f(median(sums))}`);
}
