// Benchmark (not a test): grade the reference client and every mutant of a
// pack as one class through the real CLI, best of N, and report wall time,
// CPU utilisation, the slowest submission, and whether every verdict matched
// its manifest. Imports from dist/: run `npm run build` first.
// Usage: node scripts/bench-class.mjs [runs=3] [--jobs N] [--pack chat]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listMutants, materialiseClass } from '../dist/mutants.js';
import { packById } from '../dist/packs/index.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const pack = packById(opt('--pack', 'chat'));
const jobs = opt('--jobs');
const bin = fileURLToPath(new URL('../bin/chatgrade', import.meta.url));

const { dir: klass, dispose } = await materialiseClass(pack);
const expected = { reference: [], ...Object.fromEntries(listMutants(pack).map((m) => [m.name, [...m.fails].sort()])) };
const n = Object.keys(expected).length;
const rows = [];
try {
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'chatgrade-bench-out-'));
    const cmd = ['/usr/bin/time', '-f', '%e %U %S', process.execPath, bin, klass, '--reporter', 'csv', '--out', out, '--seed', `bench-${i}`, ...(jobs ? ['--jobs', jobs] : [])];
    const before = machineCpu();
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const machine = machineCpu(before);
    const [wall, user, sys] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
    const doc = JSON.parse(readFileSync(join(out, 'class.json'), 'utf8'));
    const wrong = [];
    let slowest = { name: '', ms: 0 };
    for (const res of doc.results) {
      const lost = res.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped').map((c) => c.id).sort();
      if (JSON.stringify(lost) !== JSON.stringify(expected[res.submission.name])) wrong.push(`${res.submission.name}: lost ${lost.join(',') || 'nothing'}`);
      if (res.durationMs > slowest.ms) slowest = { name: res.submission.name, ms: res.durationMs };
    }
    rows.push({ wall, cpu: (user + sys) / wall, machine, slowest, wrong, exit: r.status });
    rmSync(out, { recursive: true, force: true });
    console.log(`run ${i + 1}: ${wall.toFixed(1)} s wall, CPU ${((100 * (user + sys)) / wall).toFixed(0)}% of one core (machine ${(100 * machine).toFixed(0)}% busy), slowest ${slowest.name} ${(slowest.ms / 1000).toFixed(1)} s, ${wrong.length ? `WRONG: ${wrong.join('; ')}` : 'every verdict as its manifest'}`);
  }
} finally {
  await dispose();
}
const best = rows.reduce((a, b) => (b.wall < a.wall ? b : a));
console.log(`\n${pack.id}: ${n} submissions (reference + ${n - 1} mutants), ${execFileSync('nproc').toString().trim()} cores, --jobs ${jobs ?? 'default'}`);
console.log(`best of ${runs}: ${best.wall.toFixed(1)} s wall, CPU ${(100 * best.cpu).toFixed(0)}% of one core (machine ${(100 * best.machine).toFixed(0)}% busy), slowest ${best.slowest.name} ${(best.slowest.ms / 1000).toFixed(1)} s`);
console.log(rows.every((r) => r.wrong.length === 0) ? 'verdicts: identical to the manifests in every run' : 'verdicts: NOT as the manifests (see above)');

/**
 * The whole machine's busy share since `since` (0..1, all cores), from
 * /proc/stat: it counts sandboxed processes the grader's rusage may not see.
 */
function machineCpu(since) {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number);
  const now = { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  if (!since) return now;
  return (now.busy - since.busy) / Math.max(1, now.total - since.total);
}
