// spawnTracked: whatever a child does (ignore SIGTERM, setsid and
// double-fork), kill() leaves nothing alive; output is capped.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../src/env/index.js';
import { killAllTracked, spawnTracked, type TrackedProcess } from '../src/proc/index.js';
import { childrenOf, readStat, scanShared } from '../src/proc/procfs.js';

// The real interpreter, not a launcher shim that would add its own process.
let PY = 'python3';
beforeAll(async () => {
  PY = (await findPython()).executable;
});

/** Resolve with the first stdout line matching `re`; reject after `within` ms or at exit. */
function waitLine(lines: string[], subscribe: (f: () => void) => void, re: RegExp, within: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      for (const l of lines) {
        const m = l.match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
          return true;
        }
      }
      return false;
    };
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${within} ms: ${lines.join('|')}`)), within);
    if (!check()) subscribe(() => void check());
  });
}

async function start(code: string, cap?: number): Promise<{ proc: TrackedProcess; line: (re: RegExp) => Promise<RegExpMatchArray> }> {
  const lines: string[] = [];
  const subs: (() => void)[] = [];
  let partial = '';
  const proc = await spawnTracked(PY, ['-c', code], {
    outputCapBytes: cap,
    onOutput: (stream, chunk) => {
      if (stream !== 'stdout') return;
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      for (const s of subs) s();
    },
  });
  started.push(proc);
  return { proc, line: (re) => waitLine(lines, (f) => subs.push(f), re, 10_000) };
}

const started: TrackedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill(100)));
});

/**
 * Python that leaves a grandchild outside its group and its ppid chain
 * (setsid, then a double fork) which ignores SIGTERM and prints "orphan
 * <pid>"; the parent then prints "parent" and sleeps.
 */
const orphanMaker = [
  'import os, signal, sys, time',
  'if os.fork() == 0:',
  '    os.setsid()',
  '    if os.fork() == 0:',
  '        signal.signal(signal.SIGTERM, signal.SIG_IGN)',
  '        os.write(1, f"orphan {os.getpid()}\\n".encode())',
  '        time.sleep(1000)',
  '    os._exit(0)',
  'os.wait()',
  'os.write(1, b"parent\\n")',
  'time.sleep(1000)',
].join('\n');

describe('spawnTracked', () => {
  it('kills a child that ignores SIGTERM', async () => {
    const { proc, line } = await start(
      'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(1000)',
    );
    await line(/^ready$/);
    expect(proc.alive()).toContain(proc.pid);
    await proc.kill(200);
    const exit = await proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(proc.alive()).toEqual([]);
  });

  it('kills a grandchild that left the group with setsid and a double fork', async () => {
    const { proc, line } = await start(orphanMaker);
    const [, pidText] = await line(/^orphan (\d+)$/);
    await line(/^parent$/);
    const orphan = Number(pidText);
    const stat = readStat(orphan);
    expect(stat).toBeDefined();
    // Neither in the group nor a descendant: only the marker finds it.
    expect(stat!.pgid).not.toBe(proc.pid);
    expect(stat!.ppid).not.toBe(proc.pid);
    expect(proc.alive()).toContain(orphan);
    await proc.kill(200);
    expect(readStat(orphan)).toBeUndefined();
    expect(readStat(proc.pid)).toBeUndefined();
  });

  it('kills two such trees at once, each finding its own orphan by its own marker', async () => {
    const orphanOf = async () => {
      const { proc, line } = await start(orphanMaker);
      return { proc, orphan: Number((await line(/^orphan (\d+)$/))[1]) };
    };
    const [a, b] = await Promise.all([orphanOf(), orphanOf()]);
    // Each orphan was seen (and its environment read) while looking for the other's marker too.
    expect(a.proc.alive()).toContain(a.orphan);
    expect(a.proc.alive()).not.toContain(b.orphan);
    expect(b.proc.alive()).toContain(b.orphan);
    await Promise.all([a.proc.kill(200), b.proc.kill(200)]);
    expect([readStat(a.orphan), readStat(b.orphan)]).toEqual([undefined, undefined]);
  });

  it('keeps the head of the output up to the cap and says it truncated', async () => {
    const { proc } = await start('import sys\nsys.stdout.write("x" * 100000)\nsys.stderr.write("e" * 10)', 1000);
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    await proc.kill();
    const out = proc.stdout();
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBe(100000);
    expect(out.text.startsWith('x'.repeat(1000))).toBe(true);
    expect(out.text).toMatch(/truncated: 99000 more bytes/);
    expect(proc.stderr()).toEqual({ text: 'eeeeeeeeee', bytes: 10, truncated: false });
  });

  it('reads the output to its end: closed waits for a grandchild that writes after the exit', async () => {
    const { proc, line } = await start(
      [
        'import os, signal',
        'r, w = os.pipe()',
        'pid = os.fork()',
        'if pid == 0:',
        '    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})',
        '    os.write(w, b"x")',
        '    signal.sigwait({signal.SIGUSR1})',
        '    os.write(1, b"tail " * 40000 + b"end\\n")',
        '    os._exit(0)',
        'os.read(r, 1)',
        'os.write(1, f"grandchild {pid}\\n".encode())',
      ].join('\n'),
      1 << 20,
    );
    const [, pid] = await line(/^grandchild (\d+)$/);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    // Only now, after the exit, does the grandchild write (on our signal).
    process.kill(Number(pid), 'SIGUSR1');
    await proc.closed;
    const out = proc.stdout();
    expect(out.text.endsWith('tail end\n')).toBe(true);
    expect(out.bytes).toBe(`grandchild ${pid}\n`.length + 5 * 40000 + 4);
  });

  it('kill() returns with the output complete, and closed settled', async () => {
    const { proc, line } = await start('import os, time\nif os.fork() == 0:\n    time.sleep(1000)\nos.write(1, b"parent done\\n")');
    let closed = false;
    void proc.closed.then(() => (closed = true));
    await line(/^parent done$/);
    await proc.exited;
    // A grandchild holds the pipes: the output is not at its end until kill() takes it down.
    expect(closed).toBe(false);
    await proc.kill(200);
    expect(closed).toBe(true);
    expect(proc.stdout().text).toBe('parent done\n');
  });

  it('kill() does not wait forever for pipes held by a process that escaped the tree', async () => {
    // setsid, double fork and a fresh environment: neither group, ppid chain nor marker finds it.
    const { proc, line } = await start(
      [
        'import os, sys',
        'if os.fork() == 0:',
        '    os.setsid()',
        '    if os.fork() == 0:',
        '        os.execve(sys.executable, [sys.executable, "-c", "import os, time; os.write(1, b\'escaped %d\\\\n\' % os.getpid()); time.sleep(1000)"], {})',
        '    os._exit(0)',
        'os.wait()',
      ].join('\n'),
    );
    const [, pid] = await line(/^escaped (\d+)$/);
    try {
      await proc.exited;
      expect(proc.alive()).toEqual([]);
      await proc.kill(100);
      await proc.closed;
      expect(proc.stdout().text).toBe(`escaped ${pid}\n`);
    } finally {
      process.kill(Number(pid), 'SIGKILL');
    }
  });

  it('reports a program that cannot start as proc.spawnFailed', async () => {
    await expect(spawnTracked('/nonexistent/chatgrade-no-such-program', [])).rejects.toMatchObject({
      code: 'proc.spawnFailed',
    });
  });

  it('killAllTracked takes down every live tree', async () => {
    const a = await start('import time\nprint("a", flush=True)\ntime.sleep(1000)');
    const b = await start('import time\nprint("b", flush=True)\ntime.sleep(1000)');
    await Promise.all([a.line(/^a$/), b.line(/^b$/)]);
    await killAllTracked(200);
    expect(a.proc.alive()).toEqual([]);
    expect(b.proc.alive()).toEqual([]);
  });
});

describe('/proc', () => {
  it('shares one scan among everyone who asked before it began; one asked for later sees what started since', async () => {
    const [a, b] = await Promise.all([scanShared(), scanShared()]);
    expect(a).toBe(b);
    const { proc, line } = await start('print("up", flush=True)\nimport time\ntime.sleep(1000)');
    await line(/^up$/);
    const c = await scanShared();
    expect(c).not.toBe(a);
    expect(a.some((p) => p.pid === proc.pid)).toBe(false);
    expect(c.some((p) => p.pid === proc.pid)).toBe(true);
  });

  it("lists a process's children", async () => {
    const { proc, line } = await start('import subprocess, time\nc = subprocess.Popen(["sleep", "1000"])\nprint("child", c.pid, flush=True)\ntime.sleep(1000)');
    const child = Number((await line(/^child (\d+)$/))[1]);
    expect(childrenOf(proc.pid)).toEqual([child]);
    expect(childrenOf(child)).toEqual([]);
  });
});
