#!/usr/bin/env node
// Benchmark of the Tk probe (not a test). Imports the compiled code from
// dist/, so build first:
//
//   npx tsc -p tsconfig.json && node scripts/bench-probe.mjs [runs=10] [samples=60]
//
// Measures, with test/fixtures/tkapps/bench_app.py:
//  (a) start-up: time from spawn until the app prints "mapped" (its window
//      is on screen), launched plain (`python bench_app.py`) and under the
//      agent (`python agent/run_client.py bench_app.py`, probe connected);
//      the medians and their difference (the agent's added start-up);
//  (b) change delay: the app rewrites a label every 25 ms with the
//      CLOCK_MONOTONIC time of the change; the delay is the time the diff
//      showing it reaches the grader minus that time (same clock both sides);
//  (c) command round trip: invoke a button that changes a label, until the
//      reply (the diff with the change arrives before it).
// Targets: (a) added start-up < 50 ms, (b) median < 20 ms.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) =>
  import(join(root, 'dist', p)).catch((e) => {
    console.error(`cannot load dist/${p} (${e.message}); build first: npx tsc -p tsconfig.json`);
    process.exit(2);
  });
const { spawnTracked } = await load('proc/index.js');
const { acquireDisplay, findPython } = await load('env/index.js');
const { launchClient, agentRunner } = await load('probe/launch.js');
const { ProbeServer } = await load('probe/server.js');

const RUNS = Number(process.argv[2] ?? 10);
const SAMPLES = Number(process.argv[3] ?? 60);
const APPS = join(root, 'test', 'fixtures', 'tkapps');
const APP = 'bench_app.py';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const ms = (x) => `${x.toFixed(1)} ms`;

/** Time from spawn to the app's "mapped" line, ms; everything killed after. */
async function timeToMapped(python, display, withAgent) {
  const server = withAgent ? await ProbeServer.start() : undefined;
  const env = { ...process.env, DISPLAY: display, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...(server?.env() ?? {}) };
  const args = withAgent ? [agentRunner(), APP] : [APP];
  let resolveMapped;
  const mapped = new Promise((r) => (resolveMapped = r));
  let out = '';
  const t0 = performance.now();
  const proc = await spawnTracked(python, args, {
    cwd: APPS,
    env,
    onOutput: (stream, chunk) => {
      out += chunk.toString();
      if (stream === 'stdout' && out.includes('mapped\n')) resolveMapped(performance.now());
    },
  });
  const timer = setTimeout(() => resolveMapped(undefined), 10_000);
  const t1 = await Promise.race([mapped, proc.exited.then(() => undefined)]);
  clearTimeout(timer);
  await proc.kill(200);
  await server?.close();
  if (t1 === undefined) throw new Error(`bench app did not map (${withAgent ? 'agent' : 'plain'}): ${proc.stderr().text}`);
  return t1 - t0;
}

async function main() {
  const py = await findPython();
  const display = await acquireDisplay();
  try {
    // One warm-up of each, so file caches do not favour the second mode.
    await timeToMapped(py.executable, display.display, false);
    await timeToMapped(py.executable, display.display, true);
    const plain = [];
    const agent = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(await timeToMapped(py.executable, display.display, false));
      agent.push(await timeToMapped(py.executable, display.display, true));
    }

    const client = await launchClient({ dir: APPS, entry: APP, python: py.executable, display: display.display });
    const delays = [];
    const rtts = [];
    try {
      const link = client.link;
      if (!link) throw client.linkError;
      await link.waitForTree((t) => (t.get('.tick')?.mapped ? true : undefined), { within: 10_000, step: 'bench window' });
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await link.command({ cmd: 'invoke', path: '.bump' });
        rtts.push(performance.now() - t0);
      }
      let lastTick = '';
      const done = new Promise((resolve) => {
        link.onChange(() => {
          const seenNs = process.hrtime.bigint();
          const text = link.tree().get('.label')?.text ?? '';
          if (text === lastTick) return;
          lastTick = text;
          const m = /^tick (\d+) (\d+)$/.exec(text);
          if (!m || m[1] === '0') return;
          delays.push(Number(seenNs - BigInt(m[2])) / 1e6);
          if (delays.length >= SAMPLES) resolve();
        });
      });
      await link.command({ cmd: 'invoke', path: '.tick' });
      await Promise.race([done, new Promise((r) => setTimeout(r, 30_000).unref())]);
    } finally {
      await client.kill(200);
    }

    const rows = [
      ['start-up, plain (spawn → mapped)', median(plain), pct(plain, 90)],
      ['start-up, under agent', median(agent), pct(agent, 90)],
      ['added start-up (median diff)', median(agent) - median(plain), undefined],
      ['change → grader sees diff', median(delays), pct(delays, 90)],
      ['invoke round trip (reply)', median(rtts), pct(rtts, 90)],
    ];
    console.log(`bench-probe: ${RUNS} start-ups per mode, ${delays.length} change samples, ${rtts.length} invokes`);
    console.log(`python ${py.version} (${py.executable}), Tk ${py.tclPatchLevel}, DISPLAY ${display.display} (${display.source})\n`);
    console.log(`${'measure'.padEnd(36)} ${'median'.padStart(10)} ${'p90'.padStart(10)}`);
    for (const [name, med, p90] of rows) {
      console.log(`${name.padEnd(36)} ${ms(med).padStart(10)} ${(p90 === undefined ? '' : ms(p90)).padStart(10)}`);
    }
    const added = median(agent) - median(plain);
    console.log(`\ntargets: added start-up < 50 ms: ${added < 50 ? 'met' : 'MISSED'}; change delay < 20 ms: ${median(delays) < 20 ? 'met' : 'MISSED'}`);
  } finally {
    await display.release();
  }
}

await main();
