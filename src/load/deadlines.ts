// Which verdicts a deadline decided. Load can change a verdict only through
// time: a wait that ran out while the grader or the client was starved. A
// failure that no running-out decided (what came was judged, and was wrong)
// is the client's whatever the load. So every bounded wait calls
// deadlineExpired() when its time runs out, and the runner counts them per
// run: through AsyncLocalStorage, as a run's waits are all made within its
// asynchronous context and the timers they set keep it, so no wait needs to
// be handed a counter. A wait sets its limit with deadlineTimer(), which
// counts it when it fires. A wait left over from an earlier check that runs out
// later counts against the later check: a count errs towards running again.

import { AsyncLocalStorage } from 'node:async_hooks';

/** The deadlines that ran out within one run. */
export interface DeadlineCount {
  expired: number;
}

const store = new AsyncLocalStorage<DeadlineCount>();

/** Run fn counting, in `count`, every deadline that runs out within it and whatever it starts. */
export function countingDeadlines<T>(count: DeadlineCount, fn: () => T): T {
  return store.run(count, fn);
}

/** A bounded wait ran out: counted for the run it belongs to, if any. */
export function deadlineExpired(): void {
  const count = store.getStore();
  if (count) count.expired++;
}

/** A bounded wait's limit: `expire` runs after `ms`, the running-out counted for the run first (clear it as any timer). */
export function deadlineTimer(ms: number, expire: () => void): NodeJS.Timeout {
  return setTimeout(() => {
    deadlineExpired();
    expire();
  }, ms);
}
