// Which run a wait that ran out belongs to (src/load/deadlines.ts): counted
// through the asynchronous context the wait was made in, so runs graded side
// by side never count each other's.
import { describe, expect, it } from 'vitest';
import { countingDeadlines, deadlineExpired, type DeadlineCount } from '../src/load/deadlines.js';

const after = (ms: number, fn: () => void) => new Promise<void>((resolve) => setTimeout(() => (fn(), resolve()), ms));

describe('deadline counting', () => {
  it('counts a deadline for the run whose wait made it, even when it runs out after another run resumed', async () => {
    const a: DeadlineCount = { expired: 0 };
    const b: DeadlineCount = { expired: 0 };
    // a's wait was set while a ran; it runs out while b is the one awaiting.
    const pendingA = countingDeadlines(a, () => after(5, deadlineExpired));
    await countingDeadlines(b, async () => {
      await after(1, () => undefined);
      await pendingA;
      await after(1, () => undefined);
    });
    expect([a.expired, b.expired]).toEqual([1, 0]);
    await countingDeadlines(b, () => Promise.all([after(1, deadlineExpired), after(2, deadlineExpired)]));
    expect([a.expired, b.expired]).toEqual([1, 2]);
  });

  it('does not count a wait made outside every run, though it runs out while a run is going', async () => {
    const a: DeadlineCount = { expired: 0 };
    const outside = after(2, deadlineExpired);
    await countingDeadlines(a, async () => {
      await outside;
      await after(1, () => undefined);
    });
    expect(a.expired).toBe(0);
  });
});
