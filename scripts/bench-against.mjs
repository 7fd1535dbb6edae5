// Benchmark (not a test): this build side by side with another build of
// chatgrade (a checkout with its own dist/, e.g. `git worktree add ../old
// <commit> && (cd ../old && npm ci)`), in one run, runs alternating so both
// meet the same machine: the reference client's grade time through the CLI,
// and the chat class (reference and every mutant of this build) graded as
// one class. Prints the median of each and the ratio.
// Usage: node scripts/bench-against.mjs <other-checkout> [runs=5] [--class-runs N] [--jobs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { materialiseClass } from '../dist/mutants.js';
import { chat } from '../dist/packs/chat/index.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const other = args[0] && !args[0].startsWith('--') ? resolve(args[0]) : undefined;
if (!other) {
  console.error('usage: node scripts/bench-against.mjs <other-checkout> [runs=5] [--class-runs N] [--jobs N]');
  process.exit(2);
}
const runs = Number(args.slice(1).find((a) => /^\d+$/.test(a)) ?? 5);
const classRuns = Number(opt('--class-runs', '3'));
const jobs = opt('--jobs');
const here = fileURLToPath(new URL('..', import.meta.url));
const builds = [
  { name: 'this build', bin: join(here, 'bin', 'chatgrade') },
  { name: `other (${other})`, bin: join(other, 'bin', 'chatgrade') },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall seconds of one CLI grading. */
function timed(bin, target, extra) {
  const out = mkdtempSync(join(tmpdir(), 'chatgrade-against-'));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, target, '--reporter', 'json', '--out', out, ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const s = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${bin} exited ${r.status}: ${r.stderr.slice(-400)}`);
  return s;
}

const reference = join(here, 'examples', 'reference-client');
const grade = Object.fromEntries(builds.map((b) => [b.name, []]));
for (let i = 0; i < runs; i++) {
  for (const b of i % 2 ? [...builds].reverse() : builds) grade[b.name].push(timed(b.bin, reference, ['--seed', `against-${i}`]));
}
const klass = await materialiseClass(chat);
const cls = Object.fromEntries(builds.map((b) => [b.name, []]));
try {
  for (let i = 0; i < classRuns; i++) {
    for (const b of i % 2 ? [...builds].reverse() : builds) cls[b.name].push(timed(b.bin, klass.dir, ['--seed', `against-class-${i}`, ...(jobs ? ['--jobs', jobs] : [])]));
  }
} finally {
  await klass.dispose();
}
console.log(`reference client, ${runs} gradings each (median wall s, CLI start included):`);
for (const b of builds) console.log(`  ${b.name.padEnd(40)} ${median(grade[b.name]).toFixed(2)} s   (${grade[b.name].map((x) => x.toFixed(2)).join(', ')})`);
console.log(`chat class (${klass.names.length} submissions), ${classRuns} gradings each, --jobs ${jobs ?? 'default'}:`);
for (const b of builds) console.log(`  ${b.name.padEnd(40)} ${median(cls[b.name]).toFixed(1)} s   (${cls[b.name].map((x) => x.toFixed(1)).join(', ')})`);
const [a, o] = builds.map((b) => b.name);
console.log(`ratio this/other: reference ${(median(grade[a]) / median(grade[o])).toFixed(2)}, class ${(median(cls[a]) / median(cls[o])).toFixed(2)}`);
