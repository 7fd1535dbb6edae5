// Load never changes a verdict, with the grader or the client starved on
// purpose while a check waits for the GUI: the reference client is stopped
// (SIGSTOP), or the grader is pinned to one CPU beside a CPU hog that takes
// nearly all of it. The monitor sees the window starved, so a check that
// fails there is run again in a fresh run (or, starved every time, is an
// error): never the client's failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, type PythonInfo } from '../src/env/index.js';
import { LoadMonitor, type LoadWatch } from '../src/load/monitor.js';
import { chat } from '../src/packs/chat/index.js';
import { findTree, readStat } from '../src/proc/procfs.js';
import type { CheckResult } from '../src/results.js';
import { gradeFolder } from '../src/submission.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const CHECK = 'basic.online_users.shown';
let python: PythonInfo;
const monitor = new LoadMonitor();
const hogs: ChildProcess[] = [];

beforeAll(async () => {
  python = await findPython();
});
afterAll(() => {
  monitor.stop();
  for (const h of hogs) if (h.exitCode === null) h.kill('SIGKILL');
});

/** The monitor, telling the test each run's processes (a run is a group; its first follow is its sandbox) and its end. */
function tapped(onRun: (attempt: number, root: number) => void, onEnd: (attempt: number) => void, onClose: () => void): LoadWatch {
  let runs = 0;
  return {
    open: (g) => {
      const w = monitor.open(g);
      return {
        openedAt: w.openedAt,
        close: (o) => {
          onClose();
          return w.close(o);
        },
      };
    },
    calm: (within) => monitor.calm(within),
    group: () => {
      const group = monitor.group();
      const attempt = runs++;
      const [follow, dispose] = [group.follow.bind(group), group.dispose.bind(group)];
      let seen = false;
      group.follow = (pid) => {
        follow(pid);
        if (!seen) onRun(attempt, pid);
        seen = true;
      };
      group.dispose = () => {
        dispose();
        onEnd(attempt);
      };
      return group;
    },
  };
}

/** The client's Python processes under a run's sandbox. */
function pythons(root: number): number[] {
  return findTree(root, root, 'CHATGRADE_NONE=').filter((pid) => readStat(pid)?.comm.startsWith('python'));
}

/** Grade the check alone; `starve(attempt, pids)` is called when the server has announced the users the check waits for. */
async function gradeStarving(starve: (attempt: number, pids: number[]) => void, ended: (attempt: number) => void = () => undefined, closing: () => void = () => undefined): Promise<CheckResult> {
  const roots: number[] = [];
  const starved = new Set<number>();
  const r = await gradeFolder(reference, {
    course: {},
    pack: chat,
    only: [CHECK],
    exclude: [],
    seed: 'starved',
    jobs: 1,
    timeoutScale: 1,
    python,
    sandbox: 'auto',
    load: tapped((attempt, root) => (roots[attempt] = root), ended, closing),
    onWire: (_run, e) => {
      const attempt = roots.length - 1;
      if (e.dir !== 's>c' || !e.text.startsWith('ONLINE_USERS') || starved.has(attempt)) return;
      starved.add(attempt);
      starve(attempt, pythons(roots[attempt]!));
    },
  });
  return r.checks.find((c) => c.id === CHECK)!;
}

const verdict = (c: CheckResult): string => (c.status === 'error' ? `error ${c.error?.code}` : c.status);

describe('a client starved while a check waits for its GUI', () => {
  it('stopped (SIGSTOP) in the first attempt: the check is run again and passes', async () => {
    const c = await gradeStarving((attempt, pids) => {
      expect(pids.length).toBeGreaterThan(0);
      if (attempt === 0) for (const pid of pids) process.kill(pid, 'SIGSTOP');
    });
    expect(c.load?.reruns?.length).toBeGreaterThanOrEqual(1);
    expect(c.load!.reruns![0]!.why).toMatch(/the client was stopped for \d+ ms/);
    expect(c.load!.reruns![0]!.actual).toMatch(/\S/);
    expect(['passed', 'error load.starved']).toContain(verdict(c));
  }, 90_000);

  it('stopped in every attempt: an error that says the load was the cause, never a failure', async () => {
    const c = await gradeStarving((_attempt, pids) => {
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
    });
    expect(c.status).toBe('error');
    expect(c.error?.code).toBe('load.starved');
    expect(c.error?.message).toMatch(/the client was stopped for \d+ ms/);
    expect(c.load?.reruns).toHaveLength(2);
    expect(c.points).toBe(0);
  }, 120_000);

  it('the grader pinned beside a CPU hog at the highest priority: the hold is seen, and no verdict fails for it', async () => {
    const mask = /: (\S+)$/.exec(spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).stdout.trim())![1]!;
    const pin = (args: string[]) => expect(spawnSync('taskset', ['-a', '-p', ...args, String(process.pid)]).status).toBe(0);
    // The hog holds CPU 0 from the start (the grader and its clients run on the other); it ends by itself after a minute at most.
    const hog = spawn('taskset', ['-c', '0', 'nice', '-n', '-20', process.execPath, '-e', 'const end = Date.now() + 60000; while (Date.now() < end);'], { stdio: 'ignore' });
    hogs.push(hog);
    let pinned = false;
    const release = () => {
      if (!pinned) return;
      pinned = false;
      pin([mask]);
      hog.kill('SIGKILL');
    };
    try {
      const c = await gradeStarving(
        (attempt) => {
          if (attempt !== 0) return;
          // Before the line is sent: from now on the grader shares CPU 0 with the hog, and gets next to nothing of it.
          pin(['-c', '0']);
          pinned = true;
          // How long the scheduler then keeps the grader off the CPU varies (holds of 147 to 632 ms were measured,
          // a quick check's window may close before the next one): the grader's own loop is also held up for
          // 300 ms here, on the CPU it shares with the hog, so the hold is certain rather than likely.
          const until = performance.now() + 300;
          while (performance.now() < until);
        },
        release,
        // Set free as soon as that check's window closes.
        release,
      );
      const first = c.load?.reruns?.[0]?.why ?? c.load?.why;
      expect(first).toMatch(/the grader's event loop was held up for \d+ ms/);
      expect(['passed', 'error load.starved']).toContain(verdict(c));
    } finally {
      release();
      hog.kill('SIGKILL');
    }
  }, 90_000);
});
