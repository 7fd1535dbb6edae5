// Benchmark (not a test): what `--reporter html` costs on a grading: the
// reference client (no lost check, so no screenshot) and a mutant that loses
// checks (a screenshot each), with and without it, through the real CLI.
// Usage: node scripts/bench-html.mjs [runs=5]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { materialiseMutant } from '../dist/mutants.js';
import { chat } from '../dist/packs/chat/index.js';

const runs = Number(process.argv[2] ?? 5);
const bin = fileURLToPath(new URL('../bin/chatgrade', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'chatgrade-bench-html-'));
const m = await materialiseMutant(chat, 'status_missing');
cpSync(m.dir, join(work, 'status_missing'), { recursive: true });
await m.dispose();
const subjects = { reference: chat.reference, status_missing: join(work, 'status_missing') };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const [name, dir] of Object.entries(subjects)) {
    const times = { json: [], 'json,html': [] };
    for (let i = 0; i < runs; i++) {
      // Alternate, so a change in the machine's load hits both alike.
      for (const reporters of Object.keys(times)) {
        const out = join(work, `out-${i}-${reporters}`);
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [bin, dir, '--reporter', reporters, '--out', out, '--seed', `h${i}`], { encoding: 'utf8' });
        times[reporters].push(performance.now() - t0);
        if (r.status !== 0) throw new Error(`${name} ${reporters}: exit ${r.status}: ${r.stderr.slice(-400)}`);
      }
    }
    const a = median(times.json);
    const b = median(times['json,html']);
    console.log(`${name.padEnd(15)} json ${a.toFixed(0)} ms, json+html ${b.toFixed(0)} ms: ${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}% (median of ${runs})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
