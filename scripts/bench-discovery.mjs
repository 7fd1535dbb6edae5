// Benchmark (not a test): wall time to grade a discovery peer (the reference
// by default) in-process the way the CLI does (sandbox included), with what
// any lost check said. Imports from dist/: run `npm run build` first.
// Usage: node scripts/bench-discovery.mjs [runs=5] [dir] [--sandbox auto|off]; ONLY=id,id to select checks
import { findPython } from '../dist/env/index.js';
import { discovery } from '../dist/packs/discovery/index.js';
import { gradeFolder } from '../dist/submission.js';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const dir = args.find((a) => a.includes('/')) ?? discovery.reference;
const sandbox = args.includes('--sandbox') ? args[args.indexOf('--sandbox') + 1] : 'auto';
const only = process.env.ONLY ? process.env.ONLY.split(',') : [];
const python = await findPython();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const totals = [];
let level = '';
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await gradeFolder(dir, { course: {}, pack: discovery, only, exclude: [], seed: `bench-${i}`, jobs: 2, timeoutScale: 1, python, sandbox });
  const total = performance.now() - t0;
  totals.push(total);
  level = r.environment.sandbox;
  console.log(`run ${i}: ${r.score.points}/${r.score.max} + ${r.score.bonus}/${r.score.bonusMax} in ${total.toFixed(0)} ms`);
  for (const c of r.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped')) {
    console.log(`  ${c.status} ${c.id}: ${c.error?.message ?? `expected ${c.expected}; actual ${c.actual}`}`);
  }
  for (const e of r.errors) console.log(`  error ${e.code}: ${e.message}`);
}
console.log(`grading ${dir}: median wall time ${median(totals).toFixed(0)} ms over ${runs} runs (min ${Math.min(...totals).toFixed(0)}, max ${Math.max(...totals).toFixed(0)}), --jobs 2, sandbox ${level}`);
