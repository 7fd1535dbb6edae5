// Fixtures shared by checks of different rubric areas in the session run:
// the first wave of simulated peers, their departures (one falls silent, one
// says BYE), and the rhythm of the peer's own ANNOUNCEs. Each is memoized,
// so a check run alone sets up exactly what it sets up in the full run.

import type { Outcome } from '../../../fake-server/session.js';
import type { DiscoveryRun } from '../run.js';
import type { SimPeer } from '../sims.js';
import type { PeerUi } from '../ui.js';

/** The wave: two plain peers, one with a status, and the two that will leave. */
export interface Wave {
  plain: SimPeer[];
  status: { sim: SimPeer; word: string };
  silent: SimPeer;
  leaving: SimPeer;
  /** All five listed (names only), or why not. */
  shown: Outcome<PeerUi>;
}

export function wave(run: DiscoveryRun): Promise<Wave> {
  return run.once('wave', async () => {
    await run.ready();
    const plain = [run.sims.add(), run.sims.add()];
    const word = run.names.status();
    const status = run.sims.add({ meta: [['status', word], ...run.names.extraMeta().filter(([k]) => k !== 'status')] });
    const silent = run.sims.add();
    const leaving = run.sims.add();
    const all = [...plain, status, silent, leaving];
    const shown = await run.listed(all.map((s) => s.name), `the list to show ${all.map((s) => s.name).join(', ')}`);
    return { plain, status: { sim: status, word }, silent, leaving, shown };
  });
}

/** When a departed peer left, as the peer's window showed it. */
export interface Departure {
  sim: SimPeer;
  listed: boolean;
  /** Its last ANNOUNCE, on the channel clock. */
  last: number;
  /** Its BYE, for the leaving peer. */
  bye?: number;
  /** When it was first seen gone from the list, if it was by the deadline. */
  gone: number | undefined;
}

/**
 * One peer falls silent and another says BYE, at the same moment. The BYE
 * must take effect within 1.5 intervals (expiry may not start before 2). The
 * silent one is watched until 3.5 intervals after its last ANNOUNCE as the
 * peer's own clock counts them: if the peer's timers ran late, its ANNOUNCEs
 * did too, and the deadline waits for them.
 */
export function departures(run: DiscoveryRun): Promise<{ silent: Departure; leaving: Departure }> {
  return run.once('departures', async () => {
    const w = await wave(run);
    const shownNow = (await run.ui()).peers ?? [];
    const listed = (s: SimPeer): boolean => w.shown.ok || shownNow.some((p) => p.name === s.name);
    const silentListed = listed(w.silent);
    const leavingListed = listed(w.leaving);
    w.silent.live = false;
    w.leaving.live = false;
    const silentLast = await run.sims.announce(w.silent);
    const leavingLast = await run.sims.announce(w.leaving);
    const bye = await run.sims.say(w.leaving, { type: 'BYE', name: w.leaving.name });
    const S = run.S;
    const byeGone = run.goneAt(w.leaving.name, bye + 1.5 * S - run.now());
    const silentGone = (async () => {
      const deadline = silentLast + 3.5 * S;
      const seen = await run.goneAt(w.silent.name, deadline - run.now());
      if (seen !== undefined) return seen;
      await run.peerReaches(deadline, 2 * S + run.limits.line);
      await (await run.gotDriver()).sync(run.limits.sync).catch(() => undefined);
      const still = (await run.ui()).peers?.some((p) => p.name === w.silent.name);
      return still === false ? run.now() : undefined;
    })();
    return {
      silent: { sim: w.silent, listed: silentListed, last: silentLast, gone: await silentGone },
      leaving: { sim: w.leaving, listed: leavingListed, last: leavingLast, bye, gone: await byeGone },
    };
  });
}

/** The peer's periodic ANNOUNCEs: their times (kernel, channel clock) and gaps. */
export interface Rhythm {
  times: number[];
  gaps: number[];
  /** Why collecting stopped before six gaps, if it did. */
  stopped?: string;
}

/** Gaps needed for the periodic check. */
export const GAPS = 6;
/** A peer answers a REQUEST within this long (ms). */
export const REPLY_WINDOW = 1000;
/**
 * How long after its own REQUEST a peer that wrongly answers itself may
 * still do so: the reply window with room for a loaded machine, whose
 * threads can start late. Nobody else sends a REQUEST before this has
 * passed, so whatever ANNOUNCE falls in it is the peer's own doing.
 */
export const SETTLE = 1200;

/** Whether a gap is the interval within 25%. */
export const onBeat = (gap: number, S: number): boolean => Math.abs(gap - S) <= 0.25 * S;

/**
 * Collect the peer's ANNOUNCEs from SETTLE after it joined (an answer to
 * its own REQUEST, right or wrong, is not part of its rhythm; nobody else
 * sends a REQUEST in this run) until six gaps are known or one is off the
 * beat. Each next ANNOUNCE is waited for up to two intervals after the last;
 * the gaps are kernel receive times, so a late wake-up of ours costs nothing.
 */
export function rhythm(run: DiscoveryRun): Promise<Rhythm> {
  return run.once('rhythm', async () => {
    const joined = await run.joined();
    if (!joined.ok) return { times: [], gaps: [], stopped: joined.failure.actual };
    const S = run.S;
    const from = joined.value[0]!.d.at + SETTLE;
    const times: number[] = [];
    for (;;) {
      const i = times.length;
      const prev = times.at(-1) ?? from;
      const got = await run.wire.waitFor(() => run.announces().filter((a) => a.d.at > from)[i]?.d.at, {
        within: Math.max(run.limits.grace * 2, prev + 2 * S - run.now()),
        step: 'the next ANNOUNCE',
      });
      const gaps = gapsOf(times);
      if (!got.ok) return { times, gaps, stopped: `no ANNOUNCE within ${2 * S} ms of ${i ? 'the one before' : 'the start of the measure'}` };
      times.push(got.value);
      const now = gapsOf(times);
      if (now.length >= GAPS) return { times, gaps: now };
      if (now.length && !onBeat(now.at(-1)!, S)) return { times, gaps: now, stopped: 'a gap was off the beat' };
    }
  });
}

function gapsOf(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => Math.round(t - times[i]!));
}
