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
  /** Six consecutive gaps on the beat, when the peer kept its rhythm. */
  window?: number[];
  /** Late gaps excused as the machine's (see rhythm()). */
  hiccups: number;
  /** Why collecting stopped without six gaps on the beat. */
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
/** Late gaps a measure may excuse as the machine's, each costing a fresh start. */
const MAX_HICCUPS = 2;

/** Whether a gap is the interval within 25%. */
export const onBeat = (gap: number, S: number): boolean => Math.abs(gap - S) <= 0.25 * S;
/** A clock keeping time closely: within 10%. */
const tight = (gap: number, S: number): boolean => Math.abs(gap - S) <= 0.1 * S;

/**
 * Judges a peer's gaps one by one, for six consecutive gaps on the beat.
 * A loaded machine can hold a peer's timer back: one gap comes late (and,
 * with a peer that keeps deadlines, the next one short, the two adding up to
 * two intervals). Such a late gap is excused, and the count starts afresh,
 * only when the peer kept time closely (within 10%) until then, or it is the
 * very first gap, at most twice: a loose or wrong rhythm gets no more tries.
 */
export class RhythmJudge {
  /** The current run of gaps on the beat. */
  window: number[] = [];
  hiccups = 0;
  private seen = 0;
  private late: number | undefined;

  constructor(private readonly S: number) {}

  /** 'more' to go on, 'kept' once six gaps in a row are on the beat, or why the rhythm was lost. */
  push(gap: number): 'more' | 'kept' | { lost: string } {
    const S = this.S;
    const first = this.seen++ === 0;
    const caughtUp = this.late !== undefined && gap < S && onBeat(this.late + gap, 2 * S);
    this.late = undefined;
    if (caughtUp) return 'more';
    if (onBeat(gap, S)) {
      this.window.push(Math.round(gap));
      return this.window.length >= GAPS ? 'kept' : 'more';
    }
    const steady = first || (this.window.length >= 2 && this.window.every((g) => tight(g, S)));
    if (gap <= 1.25 * S || this.hiccups >= MAX_HICCUPS || !steady) return { lost: 'a gap was off the beat' };
    this.hiccups++;
    this.late = gap;
    this.window = [];
    return 'more';
  }
}

/**
 * Collect the peer's ANNOUNCEs from SETTLE after it joined (an answer to
 * its own REQUEST, right or wrong, is not part of its rhythm; nobody else
 * sends a REQUEST in this run) and judge their gaps (RhythmJudge). Each next
 * ANNOUNCE is waited for up to two intervals after the last; the gaps are
 * kernel receive times, so a late wake-up of ours costs nothing.
 */
export function rhythm(run: DiscoveryRun): Promise<Rhythm> {
  return run.once('rhythm', async () => {
    const joined = await run.joined();
    if (!joined.ok) return { times: [], gaps: [], hiccups: 0, stopped: joined.failure.actual };
    const S = run.S;
    const from = joined.value[0]!.d.at + SETTLE;
    const times: number[] = [];
    const judge = new RhythmJudge(S);
    const done = (stopped?: string): Rhythm => ({ times, gaps: gapsOf(times), hiccups: judge.hiccups, ...(stopped ? { stopped } : { window: judge.window }) });
    for (;;) {
      const i = times.length;
      const prev = times.at(-1) ?? from;
      const got = await run.wire.waitFor(() => run.announces().filter((a) => a.d.at > from)[i]?.d.at, {
        within: Math.max(run.limits.grace * 2, prev + 2 * S - run.now()),
        step: 'the next ANNOUNCE',
      });
      if (!got.ok) return done(`no ANNOUNCE within ${2 * S} ms of ${i ? 'the one before' : 'the start of the measure'}`);
      times.push(got.value);
      if (times.length < 2) continue;
      const verdict = judge.push(got.value - times.at(-2)!);
      if (verdict === 'kept') return done();
      if (verdict !== 'more') return done(verdict.lost);
    }
  });
}

function gapsOf(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => Math.round(t - times[i]!));
}
