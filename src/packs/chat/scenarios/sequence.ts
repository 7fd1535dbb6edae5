// A check selected alone (or with others excluded) must meet the client in
// the state the full run leaves it in, or selecting would change verdicts:
// a GUI that breaks on the second conversation fails the later checks in a
// full run, and must fail them alone too. So each check of a run first
// replays, once each and in the full run's order (phase, then declaration),
// every check of that run declared before it, keeping only its own verdict.
// In a full run the earlier checks have run already and nothing is replayed.

import type { CheckScript, Verdict } from '../../../check.js';
import type { SessionRun } from './session-run.js';

/** The scripts, each replaying its run's earlier scripts first (memoized per run). */
export function inSequence(scripts: readonly CheckScript<SessionRun>[]): CheckScript<SessionRun>[] {
  const order = scripts.map((s, i) => ({ s, i })).sort((a, b) => a.s.phase - b.s.phase || a.i - b.i).map((x) => x.s);
  const earlier = (s: CheckScript<SessionRun>): CheckScript<SessionRun>[] => order.slice(0, order.indexOf(s)).filter((p) => p.run === s.run);
  const step = (run: SessionRun, s: CheckScript<SessionRun>): Promise<Verdict> => run.once(`check:${s.id}`, () => s.script(run));
  return scripts.map((s) => ({
    ...s,
    async script(run: SessionRun): Promise<Verdict> {
      for (const p of earlier(s)) await step(run, p).catch(() => undefined);
      return step(run, s);
    },
  }));
}
