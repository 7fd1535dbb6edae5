// Basic protocol functionality: REGISTER, ONLINE_USERS, GOODBYE.

import { describeTolerance, type Tolerance } from '../../../protocol/codec.js';
import type { SessionRun } from './session-run.js';
import { tracebackSummary } from './traceback.js';
import { fail, pass, unsure, type CheckScript } from '../../../check.js';
import { actionReview, reviewNote } from './review.js';
import type { ChatUi } from '../../../probe/ui.js';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join() === [...b].sort().join();
const show = (users: readonly string[] | undefined): string => (users === undefined ? 'no online list found' : users.length ? users.join(', ') : 'an empty list');
/** No online list recognised at all: maybe the grader's blindness. */
const noList = (ui: ChatUi): string | undefined => (ui.users === undefined ? reviewNote('no online list was recognised in the main window', ui) : undefined);

/** First announcement: two peers online; memoized so every check sees the same. */
function firstList(run: SessionRun): Promise<{ peers: string[]; seen: string[] | undefined; ok: boolean }> {
  return run.once('firstList', async () => {
    await run.ready();
    const peers = [run.names.user(), run.names.user()];
    await run.announce(peers);
    const r = await run.gui((ui) => (peers.every((p) => ui.users?.includes(p)) ? ui.users : undefined), 'the online list to show the users');
    if (!r.ok) run.listBlind = true;
    const d = await run.driver();
    return { peers, seen: r.ok ? r.value : d.ui().users, ok: r.ok };
  });
}

/** The quit action and what followed, once. */
function quit(run: SessionRun) {
  return run.once('quit', async () => {
    // Quitting needs a window to close, not a connection.
    await run.mainWindow();
    const s = await run.session().catch(() => undefined);
    const d = await run.driver();
    const tracebacksBefore = run.client!.tracebacks().length;
    const before = await run.windowIds();
    let actionError: string | undefined;
    let review: string | undefined;
    try {
      await d.quit();
    } catch (err) {
      actionError = (err as Error).message;
      review = actionReview(err, d.ui());
    }
    const goodbye = s ? await run.expectAfter(before, 'GOODBYE', 'closing the main window', 'GOODBYE before the socket closes') : undefined;
    const exit = await run.waitExit(run.limits.exit);
    const newTracebacks = run.client!.tracebacks().slice(tracebacksBefore);
    return { goodbye, exit, newTracebacks, actionError, review };
  });
}

export const basic: CheckScript<SessionRun>[] = [
  {
    id: 'basic.register.sent',
    run: 'session',
    phase: 0,
    async script(run) {
      const r = await run.registration();
      if (!r.ok) return fail(`REGISTER ${run.self} as the first line`, r.failure.actual);
      const m = r.value.message;
      if (m?.type !== 'REGISTER') return fail(`REGISTER ${run.self} as the first line`, `the first line was ${JSON.stringify(r.value.text)}`);
      if (m.user !== run.self) return fail(`REGISTER ${run.self} (the name given with --user)`, `REGISTER ${m.user}`);
      return pass();
    },
  },
  {
    id: 'basic.register.format',
    run: 'session',
    phase: 0,
    async script(run) {
      const r = await run.registration();
      const want = `REGISTER ${run.self}\\n`;
      if (!r.ok) return fail(want, r.failure.actual);
      const line = r.value;
      if (line.text === `REGISTER ${run.self}` && !line.crlf) return pass();
      const slips = line.tolerances.map((t) => describeTolerance(t as Tolerance));
      return fail(want, `${JSON.stringify(line.text + (line.crlf ? '\r\n' : '\n'))}${slips.length ? ` (${slips.join(', ')})` : ''}`);
    },
  },
  {
    id: 'basic.online_users.shown',
    run: 'session',
    phase: 1,
    async script(run) {
      const { peers, seen, ok } = await firstList(run);
      return ok ? pass() : unsure(`the online list shows ${peers.join(', ')}`, show(seen), noList((await run.driver()).ui()));
    },
  },
  {
    id: 'basic.online_users.no_self',
    run: 'session',
    phase: 1,
    async script(run) {
      const { seen, ok } = await firstList(run);
      if (!ok) await run.barrier();
      const users = ok ? seen : (await run.driver()).ui().users;
      return users?.includes(run.self) ? fail(`the list without ${run.self} (the current user)`, `the list shows ${show(users)}`) : pass();
    },
  },
  {
    id: 'basic.online_users.updated',
    run: 'session',
    phase: 1,
    async script(run) {
      const { peers } = await firstList(run);
      const next = [peers[1]!, run.names.user()];
      await run.announce(next);
      const others = (ui: { users: string[] | undefined }) => ui.users?.filter((u) => u !== run.self);
      const r = await run.gui((ui) => (sameSet(others(ui) ?? [], next) ? true : undefined), 'the list to show exactly the new users');
      if (r.ok) return pass();
      const ui = (await run.driver()).ui();
      return unsure(`exactly ${next.join(', ')} (${peers[0]} went offline, ${next[1]} came online)`, show(others(ui)), noList(ui));
    },
  },
  {
    id: 'basic.goodbye.sent',
    run: 'session',
    phase: 9,
    async script(run) {
      const q = await quit(run);
      if (q.actionError) return unsure('a way to close the main window', q.actionError, q.review);
      if (!q.goodbye) return fail('GOODBYE', 'the client never connected');
      return q.goodbye.ok ? pass(q.goodbye.value.tolerances.map((t) => describeTolerance(t as Tolerance))) : fail('GOODBYE before the socket closes', q.goodbye.failure.actual);
    },
  },
  {
    id: 'basic.goodbye.clean_exit',
    run: 'session',
    phase: 9,
    async script(run) {
      const q = await quit(run);
      if (q.actionError) return unsure('a way to close the main window', q.actionError, q.review);
      if (!q.exit) return fail(`the process exits within ${run.limits.exit} ms of quitting`, 'it was still running');
      if (q.newTracebacks.length) return fail('an exit with no traceback', `a traceback: ${tracebackSummary(q.newTracebacks[0]!, run.env.dir)}`);
      if (q.exit.code !== 0) return fail('exit status 0', q.exit.signal ? `killed by ${q.exit.signal}` : `exit status ${q.exit.code}`);
      return pass();
    },
  },
];
