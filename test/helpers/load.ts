// A starvation monitor that measures nothing: each window's load is what the
// test says, so the runner's re-runs can be driven exactly.
import type { WindowLoad } from '../../src/load/judge.js';
import type { LoadWatch, ProcessGroup } from '../../src/load/monitor.js';

const QUIET: WindowLoad = { wallMs: 10, loopMaxMs: 0, loopTotalMs: 0, cores: 2 };

/** Window n (from 0, in the order they open) has the load `script(n)` gives (quiet when undefined). */
export function scriptedLoad(script: (n: number) => Partial<WindowLoad> | undefined = () => undefined): LoadWatch & { opened: number; calmed: number; followed: number[] } {
  const watch = {
    opened: 0,
    calmed: 0,
    followed: [] as number[],
    group: (): ProcessGroup => ({ follow: (pid) => watch.followed.push(pid), dispose: () => undefined }),
    open: () => {
      const n = watch.opened++;
      return { openedAt: performance.now(), close: () => ({ ...QUIET, ...script(n) }) };
    },
    calm: async () => {
      watch.calmed++;
      return true;
    },
  };
  return watch;
}

/** A window whose grader was held up for a second. */
export const STARVED: Partial<WindowLoad> = { loopMaxMs: 1000, loopTotalMs: 1000 };

/** A window in which the client was seen stopped for a second (a lateness a later check may inherit). */
export const CLIENT_STARVED: Partial<WindowLoad> = { client: { waitMs: 0, cpuMs: 0, stoppedMs: 1000 } };
