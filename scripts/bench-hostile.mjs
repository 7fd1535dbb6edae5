#!/usr/bin/env node
// Grades each hostile fixture (test/fixtures/hostile/) alone through the CLI
// and prints, per fixture: wall time, the grader's peak RSS (VmHWM, polled),
// its X servers' largest, processes of the fixture still alive when the
// grader exited, the score and the exit code. Usage:
//   node scripts/bench-hostile.mjs [--sandbox auto|strict|off] [fixture...]
// With --sandbox off nothing is contained: run it only to see that the
// fixtures do what they claim (strays, forged reports, leaked canaries); the
// fixtures only ever target the grader this script starts.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, buildFixture } from '../test/fixtures/hostile/build.mjs';
import { strayLives, strays, watchGrader } from '../test/fixtures/hostile/watch.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--sandbox');
const sandbox = at >= 0 ? args.splice(at, 2)[1] : 'auto';
const chosen = args.length ? args : FIXTURES;

async function gradeOne(name) {
  const marker = `hostile${randomBytes(6).toString('hex')}`;
  const root = mkdtempSync(join(tmpdir(), `${marker}-`));
  const secret = join(root, 'secret');
  writeFileSync(secret, 'chatgrade-canary-0000000000000000\n');
  const dir = buildFixture(name, join(root, name), { marker, port: 9, hosts: ['127.0.0.1'], secret });
  const out = join(root, 'out');
  mkdirSync(out);
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/chatgrade', dir, '--out', out, '--reporter', 'json', '--seed', 'bench', '--sandbox', sandbox], { stdio: ['ignore', 'ignore', 'pipe'] });
  const watch = watchGrader(child.pid);
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const exit = await new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const wallS = (performance.now() - started) / 1000;
  const { peakMiB, xPeakMiB, leases } = watch.stop();
  const left = strays(marker, leases);
  for (const p of left) process.stderr.write(`  stray: ${JSON.stringify(p)}\n`);
  let score = '-';
  try {
    const r = JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'));
    score = `${r.score.points}/${r.score.max}+${r.score.bonus}`;
  } catch {
    // no report: the exit column says why
  }
  // Let strays end (they do within 60 s) before the next fixture.
  await strayLives(marker, leases, 65_000);
  rmSync(root, { recursive: true, force: true });
  return { name, wallS, peakMiB, xPeakMiB, strays: left.length, score, exit: exit.signal ?? exit.code, stderr };
}

const rows = [];
for (const name of chosen) {
  const row = await gradeOne(name);
  rows.push(row);
  process.stderr.write(`${name}: ${row.wallS.toFixed(1)} s, ${row.peakMiB} MiB, X ${row.xPeakMiB} MiB, ${row.strays} strays, ${row.score}, exit ${row.exit}\n`);
  if (row.exit !== 0 && row.exit !== 1) process.stderr.write(row.stderr.split('\n').slice(-6).join('\n') + '\n');
}
const table = ['| fixture | wall (s) | grader peak RSS (MiB) | X server peak RSS (MiB) | strays at exit | score | exit |', '|---|---|---|---|---|---|---|'];
for (const r of rows) table.push(`| ${r.name} | ${r.wallS.toFixed(1)} | ${r.peakMiB} | ${r.xPeakMiB} | ${r.strays} | ${r.score} | ${r.exit} |`);
process.stdout.write(`sandbox ${sandbox}\n${table.join('\n')}\n`);
writeFileSync(join(tmpdir(), 'bench-hostile.md'), `${table.join('\n')}\n`);
