// The barrier of negative checks: a visible change the client must show,
// then a fixed grace; only after both does a check look for what must NOT
// have happened. The run's I/O is stubbed, so the order is observed exactly.
import { describe, expect, it } from 'vitest';
import { limitsFor } from '../src/check.js';
import type { Outcome } from '../src/fake-server/session.js';
import type { ServerMessage } from '../src/protocol/grammar.js';
import type { Driver } from '../src/probe/ui.js';
import { SessionRun } from '../src/packs/chat/scenarios/session-run.js';
import type { RunEnv } from '../src/pack.js';
import { Rng } from '../src/random.js';

const GRACE = 40;

function stubbedRun(guiShows: boolean) {
  const events: string[] = [];
  // Only the random stream and the limits are used: the I/O below is stubbed.
  const env = { dir: '.', python: 'python3', rng: new Rng('barrier'), limits: { ...limitsFor(1), grace: GRACE }, ui: {} } as unknown as RunEnv;
  const run = new SessionRun(env, 'session');
  run.send = async (m: ServerMessage) => void events.push(m.type === 'ONLINE_USERS' ? `online ${m.users.join(' ')}` : m.type);
  run.gui = async <T,>(): Promise<Outcome<T>> => {
    events.push('gui checked');
    return guiShows ? { ok: true, value: true as T } : { ok: false, failure: { step: 'barrier', expected: 'x', actual: 'y', reason: 'timeout' } };
  };
  run.driver = async () => ({ sync: async () => void events.push('sync') }) as unknown as Driver;
  return { run, events };
}

/** Let every pending callback of this turn run (timers of GRACE ms cannot). */
const turn = () => new Promise((r) => setImmediate(r));

describe('SessionRun.barrier', () => {
  it('announces a new user, waits until the GUI shows it, then still waits the grace', async () => {
    const { run, events } = stubbedRun(true);
    let done = false;
    const barrier = run.barrier().then(() => (done = true));
    await turn();
    expect(events).toEqual([`online ${run.self} ${run.online[0]}`, 'gui checked']);
    expect(run.online).toHaveLength(1);
    expect(done).toBe(false);
    await barrier;
    expect(events).toHaveLength(2);
  });

  it('when the GUI never shows it: a probe sync, then a longer grace', async () => {
    const { run, events } = stubbedRun(false);
    let done = false;
    const barrier = run.barrier().then(() => (done = true));
    await turn();
    expect(events.slice(1)).toEqual(['gui checked', 'sync']);
    expect(done).toBe(false);
    await barrier;
  });
});
