#!/usr/bin/env node
// Benchmark (not a test): what the sandbox costs. Grades the reference
// client through the CLI with `--sandbox off` and with the default level,
// alternately, and prints the best wall time of each (the best, since other
// load on the machine only ever adds), and the least CPU time the grader and
// everything it waited for used (which other load hardly changes: on a
// shared machine the steadier of the two). The same seed every time.
// Usage: node scripts/bench-sandbox.mjs [tries=5] [-- extra chatgrade args]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const cut = args.indexOf('--');
const extra = cut >= 0 ? args.slice(cut + 1) : [];
const tries = Number((cut >= 0 ? args.slice(0, cut) : args)[0] ?? 5);
const reference = 'examples/reference-client';

/** CPU seconds of the children this process has waited for (cutime + cstime of /proc/self/stat). */
function childrenCpu() {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

async function gradeOnce(sandbox) {
  const out = mkdtempSync(join(tmpdir(), 'bench-sandbox-'));
  const cpu0 = childrenCpu();
  const t0 = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/chatgrade', reference, '--out', out, '--reporter', 'json', '--seed', 'bench-sandbox', '--jobs', '2', ...(sandbox ? ['--sandbox', sandbox] : []), ...extra], { stdio: 'ignore' });
    child.once('exit', resolve);
  });
  const ms = performance.now() - t0;
  const cpu = childrenCpu() - cpu0;
  const r = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  if (code !== 0 || r.score.points !== 100 || r.score.bonus !== 20) throw new Error(`--sandbox ${sandbox ?? 'default'}: exit ${code}, ${r.score.points}+${r.score.bonus}`);
  return { ms, cpu, level: r.environment.sandbox };
}

const best = { off: Infinity, default: Infinity };
const cpu = { off: Infinity, default: Infinity };
let level = '';
for (let i = 0; i < tries; i++) {
  const o = await gradeOnce('off');
  best.off = Math.min(best.off, o.ms);
  cpu.off = Math.min(cpu.off, o.cpu);
  const d = await gradeOnce(undefined);
  best.default = Math.min(best.default, d.ms);
  cpu.default = Math.min(cpu.default, d.cpu);
  level = d.level;
}
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const pct = (a, b) => `${(((a - b) / b) * 100).toFixed(0)}%`;
console.log(`grading ${reference} through the CLI, best of ${tries} (wall, CPU):`);
console.log(`  --sandbox off        ${s(best.off)}  ${cpu.off.toFixed(2)} s`);
console.log(`  default (${level.padEnd(8)})  ${s(best.default)}  ${cpu.default.toFixed(2)} s`);
console.log(`  cost of the sandbox  ${s(best.default - best.off)} (${pct(best.default, best.off)})  ${(cpu.default - cpu.off).toFixed(2)} s (${pct(cpu.default, cpu.off)})`);
