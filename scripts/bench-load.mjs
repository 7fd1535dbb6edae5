// Benchmark (not a test): does load change a verdict? Grades both packs'
// calibration classes (the reference and every mutant) with --repeat 2, the
// way the calibration tests do, once alone (default --jobs) and once with
// --jobs 16 beside two CPU hogs that this script starts and stops by pid;
// prints, for each setup, how many verdicts differed from the manifests,
// how many checks were run again because their run was starved, and how
// many ended as load.starved errors. Imports from dist/: run `npm run build`
// first. Usage: node scripts/bench-load.mjs [--pack chat|discovery] [--setup alone|loaded]
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { defaultJobs, gradeClass } from '../dist/cli/class.js';
import { findPython } from '../dist/env/index.js';
import { listMutants, materialiseClass } from '../dist/mutants.js';
import { PACKS, packById } from '../dist/packs/index.js';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const packs = opt('--pack') ? [packById(opt('--pack'))] : PACKS;
const setups = [
  { name: 'alone', jobs: defaultJobs(), hogs: 0 },
  { name: 'loaded', jobs: 16, hogs: 2 },
].filter((s) => !opt('--setup') || s.name === opt('--setup'));
const python = await findPython();
const lines = [];

for (const setup of setups) {
  for (const pack of packs) {
    const manifest = { reference: [], ...Object.fromEntries(listMutants(pack).map((m) => [m.name, m.fails])) };
    const klass = await materialiseClass(pack);
    // A CPU hog is a busy loop in a Node of its own; each is stopped by its pid below.
    const hogs = Array.from({ length: setup.hogs }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    const t0 = performance.now();
    try {
      const outcome = await gradeClass(
        klass.names.map((n) => join(klass.dir, n)),
        { course: {}, pack, only: [], exclude: [], seed: `load-${Date.now().toString(36)}`, jobs: setup.jobs, timeoutScale: 1, python, sandbox: 'auto' },
        { repeat: 2, interrupted: new Promise(() => undefined), started: () => undefined, finished: () => undefined },
      );
      const wall = (performance.now() - t0) / 1000;
      let verdicts = 0;
      const differed = [];
      let reruns = 0;
      let starved = 0;
      for (const grading of outcome.runs) {
        for (const r of grading) {
          for (const c of r.checks) {
            verdicts++;
            const should = manifest[r.submission.name].includes(c.id) ? 'failed' : 'passed';
            const l = c.load;
            const seen = l ? ` (window: grader delay ${l.graderDelayMs} ms, client wait ${l.clientWaitMs ?? '-'} ms of ${l.to - l.from} ms${l.starved ? ', starved' : ''})` : '';
            if (c.status !== should) differed.push(`${r.submission.name} ${c.id} ${c.status}${c.error ? ` [${c.error.code}]` : ''}${seen}: ${(c.error?.message ?? c.actual ?? '').slice(0, 300)}`);
            if (c.load?.reruns) reruns++;
            if (c.error?.code === 'load.starved') starved++;
          }
        }
      }
      const line = `${pack.id}, ${setup.name} (--jobs ${setup.jobs}${setup.hogs ? `, ${setup.hogs} CPU hogs` : ''}, ${cpus().length} cores): ${klass.names.length} submissions x 2 gradings in ${wall.toFixed(1)} s; ${differed.length} of ${verdicts} verdicts differed from the manifests; ${reruns} checks run again, ${starved} load.starved`;
      lines.push(line);
      console.log(line);
      for (const d of differed) console.log(`  ${d}`);
    } finally {
      for (const h of hogs) process.kill(h.pid, 'SIGKILL');
      await klass.dispose();
    }
  }
}
console.log(`\n${lines.join('\n')}`);
