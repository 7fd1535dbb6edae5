// The starvation monitor's pure parts: the decision on a window, the series
// it reads windows from, and the adaptive limiter. No process, no timing.
import { describe, expect, it } from 'vitest';
import { Limiter } from '../src/limiter.js';
import { STARVATION_LIMITS, judgeWindow, overloaded, type WindowLoad } from '../src/load/judge.js';
import { isCalm } from '../src/load/monitor.js';
import { Series } from '../src/load/series.js';

const quiet: WindowLoad = { wallMs: 2000, loopMaxMs: 12, loopTotalMs: 30, client: { waitMs: 40, cpuMs: 150, stoppedMs: 0 }, pressure: { cpuSomeMs: 200, memorySomeMs: 0, memoryFullMs: 0 }, cores: 2 };

describe('judgeWindow', () => {
  it('leaves a quiet window alone', () => {
    expect(judgeWindow(quiet)).toEqual({ starved: false });
    // No client (a static check, a JavaScript client in-process) and no PSI: only the grader counts.
    expect(judgeWindow({ wallMs: 500, loopMaxMs: 0, loopTotalMs: 0, cores: 2 })).toEqual({ starved: false });
  });

  it('calls a window starved at each limit, and not just under it, saying why with the numbers', () => {
    const L = STARVATION_LIMITS;
    expect(judgeWindow({ ...quiet, loopMaxMs: L.loopMs - 1 }).starved).toBe(false);
    expect(judgeWindow({ ...quiet, loopMaxMs: L.loopMs })).toEqual({ starved: true, why: `the grader's event loop was held up for ${L.loopMs} ms` });
    // The client's wait: at least the limit, and at least half of the stretch it is measured in (here the whole window).
    expect(judgeWindow({ ...quiet, client: { ...quiet.client!, waitMs: 999 } }).starved).toBe(false);
    expect(judgeWindow({ ...quiet, client: { ...quiet.client!, waitMs: 1000.4 } })).toEqual({ starved: true, why: 'the client waited 1000 ms for a CPU' });
    const short = { ...quiet, wallMs: 300 };
    expect(judgeWindow({ ...short, client: { ...quiet.client!, waitMs: L.clientWaitMs - 1 } }).starved).toBe(false);
    expect(judgeWindow({ ...short, client: { ...quiet.client!, waitMs: L.clientWaitMs } }).starved).toBe(true);
    expect(judgeWindow({ ...quiet, client: { ...quiet.client!, stoppedMs: L.stoppedMs - 1 } }).starved).toBe(false);
    expect(judgeWindow({ ...quiet, client: { ...quiet.client!, stoppedMs: 1500 } })).toEqual({ starved: true, why: 'the client was stopped for 1500 ms' });
    // Memory: a share of the window in which every task stalled.
    expect(judgeWindow({ ...quiet, pressure: { ...quiet.pressure!, memoryFullMs: 199 } }).starved).toBe(false);
    expect(judgeWindow({ ...quiet, pressure: { ...quiet.pressure!, memoryFullMs: 200 } })).toEqual({ starved: true, why: 'the machine stalled on memory for 200 ms of 2000 ms' });
  });

  it('judges the client\'s wait in each stretch at the end of the window as long as a limit', () => {
    const c = { waitMs: 900, cpuMs: 300, stoppedMs: 0 };
    const recent = (last500: number, last2000: number) => [{ ms: 500, waitMs: last500 }, { ms: 2000, waitMs: last2000 }, { ms: 6000, waitMs: 900 }];
    const long = { ...quiet, wallMs: 6000 };
    // 900 ms of waiting over six seconds, most of it at the start (the client's start-up): not starved.
    expect(judgeWindow({ ...long, client: { ...c, recent: recent(100, 400) } })).toEqual({ starved: false });
    expect(judgeWindow({ ...long, client: { ...c, recent: recent(250, 400) } })).toEqual({ starved: true, why: 'the client waited 250 ms for a CPU in the last 500 ms' });
    expect(judgeWindow({ ...long, client: { ...c, recent: recent(200, 999) } }).starved).toBe(false);
    expect(judgeWindow({ ...long, client: { ...c, recent: recent(200, 1000) } })).toEqual({ starved: true, why: 'the client waited 1000 ms for a CPU in the last 2000 ms' });
    expect(judgeWindow({ ...long, client: { ...c, waitMs: 3000, recent: [{ ms: 6000, waitMs: 3000 }] } })).toEqual({ starved: true, why: 'the client waited 3000 ms for a CPU' });
    // A window shorter than the stretch (a client starting up, a check decided at once) needs half the stretch all the same.
    const brief = { ...quiet, wallMs: 900 };
    expect(judgeWindow({ ...brief, client: { ...c, waitMs: 600, recent: [{ ms: 2000, waitMs: 600 }] } })).toEqual({ starved: false });
    expect(judgeWindow({ ...brief, client: { ...c, waitMs: 1000, recent: [{ ms: 2000, waitMs: 1000 }] } })).toEqual({ starved: true, why: 'the client waited 1000 ms for a CPU' });
  });

  it('counts the grader\'s delay only where a deadline lies: the window\'s last stretch, when measured', () => {
    // Held up for 400 ms early in the window, quick at its end: a reply that came in time was read in time.
    expect(judgeWindow({ ...quiet, loopMaxMs: 400, loopTailMs: 30 })).toEqual({ starved: false });
    expect(judgeWindow({ ...quiet, loopMaxMs: 400, loopTailMs: STARVATION_LIMITS.loopMs - 1 }).starved).toBe(false);
    expect(judgeWindow({ ...quiet, loopMaxMs: 400, loopTailMs: 300 })).toEqual({ starved: true, why: "the grader's event loop was held up for 300 ms as the check ended" });
    // The limiter still sees the whole window's hold.
    expect(overloaded({ ...quiet, loopMaxMs: 1200, loopTailMs: 0 })).toBe(true);
  });

  it('gives every reason at once', () => {
    const w = { ...quiet, loopMaxMs: 400, client: { waitMs: 1700, cpuMs: 100, stoppedMs: 900 } };
    expect(judgeWindow(w).why).toBe("the client was stopped for 900 ms; the grader's event loop was held up for 400 ms; the client waited 1700 ms for a CPU");
  });

  it('does not excuse a client that burns the CPU itself: its own waits, and the grader\'s, are its doing', () => {
    // Half of two cores over two seconds is 2000 ms of CPU.
    const hog = { ...quiet, loopMaxMs: 800, client: { waitMs: 1500, cpuMs: 2000, stoppedMs: 0 } };
    expect(judgeWindow(hog)).toEqual({ starved: false });
    expect(judgeWindow({ ...hog, client: { ...hog.client, cpuMs: 1999 } }).starved).toBe(true);
    // A stop is never its own CPU's doing.
    expect(judgeWindow({ ...hog, client: { ...hog.client, stoppedMs: 500 } })).toEqual({ starved: true, why: 'the client was stopped for 500 ms' });
  });

  it('takes its limits as a parameter', () => {
    expect(judgeWindow({ ...quiet, loopMaxMs: 50 }, { ...STARVATION_LIMITS, loopMs: 50 }).starved).toBe(true);
  });
});

describe('overloaded (what the limiter backs off on)', () => {
  it('takes a second\'s hold of the grader, the client short of CPU or memory; not a shorter hold, nor a stopped client', () => {
    expect(overloaded({ ...quiet, loopMaxMs: 999 })).toBe(false);
    expect(overloaded({ ...quiet, loopMaxMs: 1000 })).toBe(true);
    expect(overloaded({ ...quiet, client: { ...quiet.client!, stoppedMs: 1500 } })).toBe(false);
    expect(overloaded({ ...quiet, client: { ...quiet.client!, waitMs: 1000 } })).toBe(true);
    expect(overloaded({ ...quiet, pressure: { ...quiet.pressure!, memoryFullMs: 200 } })).toBe(true);
    expect(overloaded(quiet)).toBe(false);
  });
});

describe('isCalm (before a check is run again)', () => {
  it('wants no loop delay and no memory stall; the CPU\'s contention is the limiter\'s business', () => {
    const second = { ...quiet, wallMs: 1000, pressure: { cpuSomeMs: 100, memorySomeMs: 0, memoryFullMs: 0 } };
    expect(isCalm(second)).toBe(true);
    expect(isCalm({ ...second, loopMaxMs: 99 })).toBe(true);
    expect(isCalm({ ...second, loopMaxMs: 100 })).toBe(false);
    expect(isCalm({ ...second, pressure: { ...second.pressure, cpuSomeMs: 1000 } })).toBe(true);
    expect(isCalm({ ...second, client: { waitMs: 0, cpuMs: 0, stoppedMs: 300 } })).toBe(false);
    expect(isCalm({ ...second, pressure: { ...second.pressure, memoryFullMs: 49 } })).toBe(true);
    expect(isCalm({ ...second, pressure: { ...second.pressure, memoryFullMs: 50 } })).toBe(false);
    expect(isCalm({ ...second, pressure: undefined })).toBe(true);
  });
});

describe('Series', () => {
  it('interpolates cumulative counters between samples and holds them flat outside', () => {
    const s = new Series(2);
    expect(s.between(0, 10)).toBeUndefined();
    s.push(100, [0, 10]);
    s.push(200, [50, 10]);
    s.push(400, [50, 30]);
    expect(s.at(150)).toEqual([25, 10]);
    expect(s.between(150, 300)).toEqual([25, 10]);
    expect(s.between(0, 100)).toEqual([0, 0]);
    expect(s.between(300, 1000)).toEqual([0, 10]);
    expect(s.between(0, 1000)).toEqual([50, 20]);
  });

  it('never goes back, and a sample at the same time replaces the last', () => {
    const s = new Series(1);
    s.push(0, [10]);
    s.push(10, [4]);
    expect(s.at(10)).toEqual([10]);
    s.push(10, [12]);
    expect(s.at(10)).toEqual([12]);
    expect(() => s.push(20, [1, 2])).toThrow(/2 values in a series of 1/);
  });

  it('forgets samples older than it keeps, holding the oldest kept flat before it', () => {
    const s = new Series(1, 100);
    for (let t = 0; t <= 1000; t += 50) s.push(t, [t]);
    expect(s.at(0)).toEqual([900]);
    expect(s.at(950)).toEqual([950]);
  });
});

describe('Limiter', () => {
  /** Start n tasks that each wait for its own release; returns how many run and the releases. */
  function load(limiter: Limiter, n: number) {
    const running = new Set<number>();
    const releases: (() => void)[] = [];
    const done = Array.from({ length: n }, (_, i) =>
      limiter.run(
        () =>
          new Promise<void>((ok) => {
            running.add(i);
            releases[i] = () => {
              running.delete(i);
              ok();
            };
          }),
      ),
    );
    return { running, releases, done };
  }
  const settle = () => new Promise((r) => setImmediate(r));

  it('runs at most size at once, in arrival order', async () => {
    const l = new Limiter(2);
    const { running, releases, done } = load(l, 4);
    await settle();
    expect([...running]).toEqual([0, 1]);
    releases[1]!();
    await settle();
    expect([...running]).toEqual([0, 2]);
    releases[0]!();
    releases[2]!();
    await settle();
    expect([...running]).toEqual([3]);
    releases[3]!();
    await Promise.all(done);
  });

  it('is not adaptive unless asked: reports change nothing', () => {
    const l = new Limiter(8);
    l.report(true, 0);
    expect(l.limit).toBe(8);
  });

  /** An adaptive limiter on a clock the test moves. */
  function adaptive(size: number, min = 1, growMs = 100) {
    const clock = { t: 0 };
    return { l: new Limiter(size, { min, growMs }, () => clock.t), clock };
  }

  it('halves its slots on a starved window, down to its floor', () => {
    const { l, clock } = adaptive(16, 3);
    clock.t = 10;
    l.report(true, 5);
    expect(l.limit).toBe(8);
    // A window opened before that cut saw the old load: it cuts nothing more.
    l.report(true, 9);
    expect(l.limit).toBe(8);
    clock.t = 20;
    l.report(true, 11);
    expect(l.limit).toBe(4);
    l.report(true, 21);
    expect(l.limit).toBe(3);
    l.report(true, 22);
    expect(l.limit).toBe(3);
  });

  it('grows by one per growMs of calm since the last change, never above its size', () => {
    const { l, clock } = adaptive(5, 1, 100);
    l.report(true, 0);
    expect(l.limit).toBe(2);
    clock.t = 99;
    l.report(false, 1);
    expect(l.limit).toBe(2);
    clock.t = 100;
    l.report(false, 1);
    expect(l.limit).toBe(3);
    // A calm window from before that growth says nothing of the new load.
    clock.t = 300;
    l.report(false, 99);
    expect(l.limit).toBe(3);
    l.report(false, 101);
    expect(l.limit).toBe(4);
    clock.t = 400;
    l.report(false, 301);
    clock.t = 500;
    l.report(false, 401);
    clock.t = 600;
    l.report(false, 501);
    expect(l.limit).toBe(5);
  });

  it('judges a cut only by windows opened once the runs over the new limit have ended', async () => {
    const { l, clock } = adaptive(4, 1, 1000);
    const { running, releases, done } = load(l, 6);
    await settle();
    expect(running.size).toBe(4);
    clock.t = 10;
    l.report(true, 0);
    expect(l.limit).toBe(2);
    // Four still run, over the new limit: a window opened now still sees the old load.
    clock.t = 20;
    l.report(true, 15);
    expect(l.limit).toBe(2);
    releases[0]!();
    clock.t = 30;
    releases[1]!();
    await settle();
    // Two still run, which is the new limit: nobody else starts, and from now on windows count.
    expect([...running]).toEqual([2, 3]);
    clock.t = 40;
    l.report(true, 29);
    expect(l.limit).toBe(2);
    l.report(true, 31);
    expect(l.limit).toBe(1);
    for (const i of [2, 3]) releases[i]!();
    await settle();
    expect([...running]).toEqual([4]);
    // Calm for long enough: one slot more lets the next one in.
    clock.t = 1100;
    l.report(false, 1000);
    await settle();
    expect([...running]).toEqual([4, 5]);
    for (const i of [4, 5]) releases[i]!();
    await Promise.all(done);
  });

  it('runs a task that asks to be alone once the others have ended, and lets none start meanwhile', async () => {
    const l = new Limiter(3);
    const first = load(l, 2);
    await settle();
    const order: string[] = [];
    let release!: () => void;
    const alone = l.run(
      () =>
        new Promise<void>((ok) => {
          order.push('alone starts');
          release = ok;
        }),
      { alone: true },
    );
    const after = l.run(async () => {
      order.push('after');
    });
    await settle();
    expect(order).toEqual([]);
    first.releases[0]!();
    await settle();
    expect(order).toEqual([]);
    first.releases[1]!();
    await settle();
    expect(order).toEqual(['alone starts']);
    release();
    await Promise.all([alone, after, ...first.done]);
    expect(order).toEqual(['alone starts', 'after']);
  });
});
