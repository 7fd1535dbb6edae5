// Benchmark (not a test): wall time to grade the JavaScript reference client
// (examples/ws-client), in-process (worker thread, mock-socket) and in its
// own process (real WebSocket), to compare with scripts/bench-grade.mjs (the
// Python reference under Tk). Imports from dist/: run `npm run build` first.
// The session run bounds the total: it waits a fixed 300 ms of server silence
// before the responsiveness probe (the rubric's definition, never scaled) and
// a grace of 100 ms x timeoutScale after each of its six barriers, so about
// 0.9 s of it is waiting at scale 1, and 0.36 s at scale 0.1.
// Usage: node scripts/bench-js-grade.mjs [runs=5] [timeoutScale=1]
import { fileURLToPath } from 'node:url';
import { detectJsClient } from '../dist/js/index.js';
import { chat } from '../dist/packs/chat/index.js';
import { gradeJsClient } from '../dist/submission.js';

const runs = Number(process.argv[2] ?? 5);
const timeoutScale = Number(process.argv[3] ?? 1);
const client = detectJsClient(fileURLToPath(new URL('../examples/ws-client', import.meta.url)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (ms) => `${ms.toFixed(0).padStart(6)} ms`;

console.log(`grading examples/ws-client, ${runs} runs, --jobs 2, timeout scale ${timeoutScale} (medians)`);
for (const mode of ['in-process', 'process']) {
  const total = [];
  const byRun = {};
  let score = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await gradeJsClient(client, { pack: chat, mode, seed: `bench-${i}`, timeoutScale });
    total.push(performance.now() - t0);
    score = `${r.score.points}/${r.score.max} + ${r.score.bonus}/${r.score.bonusMax}`;
    for (const c of r.checks) (byRun[c.scenario] ??= []).push(c.durationMs / runs);
  }
  console.log(`  ${mode.padEnd(10)} total wall time ${f(median(total))}   (score ${score}; min ${f(Math.min(...total))})`);
  for (const [run, ms] of Object.entries(byRun)) console.log(`    ${run.padEnd(12)} checks summed ${f(ms.reduce((a, b) => a + b, 0))}`);
}
