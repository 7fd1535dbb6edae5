// Benchmark (not a test): wall time to grade the reference client, and how it
// splits between client start-up and the rest. Imports from dist/: run
// `npm run build` first. Usage: node scripts/bench-grade.mjs [runs=10]
import { fileURLToPath } from 'node:url';
import { acquireDisplay, findPython } from '../dist/env/index.js';
import { gradeSubmission, selectChecks } from '../dist/grade.js';
import { makeLauncher } from '../dist/launcher.js';
import { chat } from '../dist/packs/chat/index.js';
import { defaultWeights } from '../dist/rubric.js';

const runs = Number(process.argv[2] ?? 10);
const dir = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const python = await findPython();
const display = await acquireDisplay();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = { total: [], sessionStartup: [], sessionRest: [], startups: [] };
try {
  for (let i = 0; i < runs; i++) {
    const startups = {};
    const base = makeLauncher({ dir, python: python.executable, display: display.display, launch: { ui: {}, explicitProbe: false }, entry: 'main.py', timeoutScale: 1 });
    let n = 0;
    const launcher = async (req) => {
      const kind = req.args.includes('127.0.0.2') ? 'host' : `run${n++}`;
      const t0 = performance.now();
      const client = await base(req);
      // Start-up: spawn until the main window is on screen (the agent's hello comes first).
      await client.link?.waitForTree((t) => ([...t.values()].some((w) => w.class === 'Tk' && w.mapped) ? true : undefined), { within: 10_000, step: 'main window' });
      startups[kind] = performance.now() - t0;
      return client;
    };
    const t0 = performance.now();
    const result = await gradeSubmission({
      pack: chat, dir, seed: `bench-${i}`, jobs: 2, checks: selectChecks(chat.rubric, [], []), weights: defaultWeights(chat.rubric), timeoutScale: 1,
      python: python, display: display.display, launcher,
    });
    const total = performance.now() - t0;
    if (result.score.points !== 100 || result.score.bonus !== 20) throw new Error(`run ${i}: ${result.score.points}+${result.score.bonus}`);
    const session = result.checks.filter((c) => c.scenario === 'session').reduce((n, c) => n + c.durationMs, 0);
    rows.total.push(total);
    rows.sessionStartup.push(startups.run0);
    rows.sessionRest.push(session - startups.run0);
    rows.startups.push(Object.values(startups).reduce((a, b) => a + b, 0));
  }
} finally {
  await display.release();
}
const f = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
console.log(`grading examples/reference-client, ${runs} runs, --jobs 2 (medians)`);
console.log(`  total wall time (all 5 runs, 33 checks)   ${f(median(rows.total))}`);
console.log(`  session run: client start-up              ${f(median(rows.sessionStartup))}`);
console.log(`  session run: the checks after start-up    ${f(median(rows.sessionRest))}`);
console.log(`  start-up summed over the 4 client runs    ${f(median(rows.startups))}`);
