#!/usr/bin/env node
// Benchmark of captureScreen (not a test). Imports the compiled code from
// dist/, so build first:
//
//   npx tsc -p tsconfig.json && node scripts/bench-screenshot.mjs [captures=30]
//
// Starts an Xvfb of the grader's size (1280x1024x24) with -fbdir, shows a Tk
// window that looks like a chat client (lists, a text with lines, buttons),
// then times captureScreen: the whole screen and cropped to the window, at
// several zlib levels, with the split between reading the file, converting
// the pixels and encoding the PNG. Reports the median and 90th percentile
// ms per capture and the PNG's size.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) =>
  import(join(root, 'dist', p)).catch((e) => {
    console.error(`cannot load dist/${p} (${e.message}); build first: npx tsc -p tsconfig.json`);
    process.exit(2);
  });
const { captureScreen, framebufferFile, readXwdHeader, xwdToRgb, xwdToPng } = await load('env/screenshot.js');
const { findXvfb } = await load('env/display.js');

const CAPTURES = Number(process.argv[2] ?? 30);
const APP = `
import sys, tkinter as tk
root = tk.Tk()
root.title('chat')
root.geometry('900x640+60+40')
left = tk.Listbox(root, width=24)
for name in ['mira_7q', 'tomas_k2', 'oyelaran', 'ada', 'grace'] * 4: left.insert('end', name)
left.pack(side='left', fill='y')
text = tk.Text(root)
for i in range(60): text.insert('end', f'{i:3} tomas_k2: kiwi lantern {i * 7} and some more words to fill the line\\n')
text.pack(side='top', fill='both', expand=True)
bar = tk.Frame(root); bar.pack(side='bottom', fill='x')
tk.Entry(bar).pack(side='left', fill='x', expand=True)
for label in ['Send', 'Invite', 'Leave']: tk.Button(bar, text=label).pack(side='left')
root.update()
print(root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(), root.winfo_height(), flush=True)
sys.stdin.read()
`;

/** The first line a child prints on stdout. */
async function firstLine(stream) {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes('\n')) return text.slice(0, text.indexOf('\n'));
  }
  throw new Error(`exited before printing a line (${JSON.stringify(text)})`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const ms = (x) => `${x.toFixed(1)} ms`;

const xvfbPath = findXvfb();
if (!xvfbPath) {
  console.error('no Xvfb: apt-get install xvfb');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'chatgrade-bench-fb-'));
const xvfb = spawn(xvfbPath, ['-displayfd', '1', '-fbdir', dir, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
let tk;
try {
  const [num] = await once(xvfb.stdout, 'data');
  const display = `:${num.toString().trim()}`;
  tk = spawn('python3', ['-c', APP], { env: { ...process.env, DISPLAY: display }, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await firstLine(tk.stdout);
  const [x, y, width, height] = line.trim().split(/\s+/).map(Number);
  const window = { x, y, width, height };
  const fb = framebufferFile(dir);
  await captureScreen(fb); // warm up the file cache and the JIT

  console.log(`Xvfb 1280x1024x24, window ${width}x${height}, ${CAPTURES} captures each, node ${process.version}`);
  for (const [label, crop] of [['whole screen', undefined], ['cropped to the window', [window]]]) {
    for (const level of [1, 6, 9]) {
      const times = [];
      let size = 0;
      for (let i = 0; i < CAPTURES; i++) {
        const t0 = performance.now();
        const shot = await captureScreen(fb, crop, { deflateLevel: level });
        times.push(performance.now() - t0);
        size = Math.round((shot.png.length * 3) / 4);
      }
      console.log(`  ${label.padEnd(22)} level ${level}: median ${ms(median(times))}, p90 ${ms(pct(times, 90))}, PNG ${(size / 1024).toFixed(0)} kB`);
    }
  }

  // Where the time goes, at the default level, whole screen.
  const split = { read: [], convert: [], encode: [] };
  for (let i = 0; i < CAPTURES; i++) {
    const t0 = performance.now();
    const buf = readFileSync(fb);
    const t1 = performance.now();
    xwdToRgb(buf, readXwdHeader(buf));
    const t2 = performance.now();
    xwdToPng(buf);
    const t3 = performance.now();
    split.read.push(t1 - t0);
    split.convert.push(t2 - t1);
    split.encode.push(t3 - t2 - (t2 - t1)); // xwdToPng converts again: subtract it
  }
  console.log(`  split (whole screen, level 6): read ${ms(median(split.read))}, convert ${ms(median(split.convert))}, PNG encode ${ms(median(split.encode))}`);
} finally {
  tk?.stdin.end();
  tk?.kill('SIGKILL');
  xvfb.kill('SIGKILL');
  await once(xvfb, 'exit').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
