// A grader killed outright (a CI or Gradescope timeout sends SIGKILL) takes
// its X server and every client with it: nothing it started outlives it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listProcesses } from '../src/proc/procfs.js';

const bin = fileURLToPath(new URL('../bin/chatgrade', import.meta.url));
const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));

/** Every live descendant of `root`. */
function descendants(root: number): number[] {
  const procs = listProcesses();
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (!found.has(p.pid) && found.has(p.ppid)) grew = found.add(p.pid).size > 0;
  }
  found.delete(root);
  return [...found];
}

/** Resolve once `cond` holds, checking at each event of `poll` (bounded). */
async function until(cond: () => boolean, within: number, what: string): Promise<void> {
  const deadline = Date.now() + within;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`waited ${within} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('no orphans', () => {
  it.each(['auto', 'off'])('SIGKILL of the grader (sandbox %s) ends its Xvfb and every client', async (sandbox) => {
    const grader = spawn(process.execPath, [bin, reference, '--verbose', '--sandbox', sandbox], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // The event: the client registered (its first line is on the live wire log).
    const registered = new Promise<void>((resolve, reject) => {
      let err = '';
      grader.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        if (/C> REGISTER/.test(err)) resolve();
      });
      grader.once('exit', () => reject(new Error(`the grader ended before a client registered: ${err.slice(-500)}`)));
    });
    await registered;
    const started = descendants(grader.pid!);
    expect(started.length).toBeGreaterThan(2); // Xvfb, sandbox or setpriv, the client...
    const exited = new Promise((r) => grader.once('exit', r));
    grader.kill('SIGKILL');
    await exited;
    const alive = () => new Set(listProcesses().map((p) => p.pid));
    await until(() => started.every((pid) => !alive().has(pid)), 5000, `processes ${started.join(', ')} to end`);
  }, 60_000);
});
