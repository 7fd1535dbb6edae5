// Bonus: icons, status, and exception handling (the last two in runs of
// their own, with faults injected).

import { setTimeout as delay } from 'node:timers/promises';
import { sha256, solidPng } from './icon.js';
import type { SessionRun } from './session-run.js';
import { tracebackSummary } from './traceback.js';
import { fail, pass, unsure, type CheckScript } from '../../../check.js';
import { actionReview, reviewNote } from './review.js';

// Never the usual default ("available"): choosing what is already chosen is no change to send.
const STATUSES = ['away', 'busy'];

/** After a fault: the process alive, no new traceback since `before` were seen, and the GUI answering. */
async function survived(run: SessionRun, what: string, before: number) {
  const client = run.client!;
  const tb = client.tracebacks().slice(before);
  const exit = client.exitStatus();
  if (exit) return fail(`the client keeps running after ${what}`, `it exited (${exit.signal ?? `status ${exit.code}`})${tb.length ? ` with a traceback: ${tracebackSummary(tb[0]!, run.env.dir)}` : ''}`);
  if (tb.length) return fail(`no traceback after ${what}`, `a traceback: ${tracebackSummary(tb[0]!, run.env.dir)}`);
  const d = await run.driver();
  // Not hung (RUBRIC.md): answered within the time any change may take; how fast is structure.gui.responsive's.
  try {
    await d.sync(run.limits.gui);
  } catch {
    return fail(`the GUI answers after ${what}`, `no answer within ${run.limits.gui} ms`);
  }
  return undefined;
}

export const bonus: CheckScript<SessionRun>[] = [
  {
    id: 'bonus.icons.shown',
    run: 'session',
    phase: 4,
    async script(run) {
      await run.ready();
      const user = run.online.at(-1) ?? (await run.newPeer());
      const png = solidPng([run.env.rng.int(256), run.env.rng.int(256), run.env.rng.int(256)]);
      const digest = sha256(png);
      await run.send({ type: 'ICON', user, data: png.toString('base64') });
      const r = await run.gui((ui) => (ui.mainImages.includes(digest) ? true : undefined), `the icon of ${user} in the main window`);
      if (r.ok) return pass();
      const n = (await run.driver()).ui().mainImages.length;
      return fail(`an image made from ${user}'s ICON data in the main window`, n ? `${n} other image(s), none made from that data` : 'no image in the main window');
    },
  },
  {
    id: 'bonus.status.shown',
    run: 'session',
    phase: 4,
    async script(run) {
      await run.ready();
      const user = run.online[0] ?? (await run.newPeer());
      const status = run.env.rng.pick(['away', 'busy']);
      await run.send({ type: 'STATUS', user, status });
      const r = await run.gui((ui) => (ui.statuses[user]?.includes(status) ? true : undefined), `"${status}" next to ${user}`);
      if (r.ok) return pass();
      const ui = (await run.driver()).ui();
      const shown = ui.statuses[user];
      const blind = ui.users === undefined ? reviewNote('no online list was recognised in the main window, so no status next to a user', ui) : undefined;
      return unsure(`"${status}" shown next to ${user}`, shown ? `"${shown}"` : 'no status next to that user', blind);
    },
  },
  {
    id: 'bonus.status.sent',
    run: 'session',
    phase: 4,
    async script(run) {
      await run.ready();
      const status = run.env.rng.pick(STATUSES);
      const d = await run.driver();
      const before = await run.windowIds();
      try {
        await d.setStatus(status);
      } catch (err) {
        return unsure(`STATUS ${status} after choosing "${status}" in the GUI`, (err as Error).message, actionReview(err, d.ui()));
      }
      const line = await run.expectAfter(before, 'STATUS', `choosing status ${status}`, `STATUS ${status}`);
      if (!line.ok) return fail(`STATUS ${status}`, line.failure.actual);
      return line.value.text === `STATUS ${status}` ? pass() : fail(`STATUS ${status}`, JSON.stringify(line.value.text));
    },
  },
  {
    id: 'bonus.robust.malformed',
    run: 'malformed',
    phase: 0,
    async script(run) {
      await run.ready();
      const s = await run.session();
      const before = run.client!.tracebacks().length;
      const junk: [string, Buffer][] = [
        ['an unknown command', Buffer.from('FROBNICATE now please\n')],
        ['ONLINE_USERS with no users', Buffer.from('ONLINE_USERS\n')],
        ['INVITATION with one argument', Buffer.from(`INVITATION ${run.names.conv()}\n`)],
        ['SEND_MESSAGE with no text', Buffer.from(`SEND_MESSAGE ${run.names.conv()}\n`)],
        ['CONVERSATIONS without members', Buffer.from('CONVERSATIONS x\n')],
        ['a 10 kB line', Buffer.from(`SEND_MESSAGE c1 ${run.names.user()} ${'x'.repeat(10_240)}\n`)],
        ['invalid UTF-8', Buffer.from([...Buffer.from('ONLINE_USERS '), 0xff, 0xfe, 0xc3, 0x28, 0x0a])],
        ['an empty line', Buffer.from('\n')],
      ];
      for (const [label, bytes] of junk) await s.sendRaw(bytes, { label: `(${label})` });
      const users = [run.names.user(), run.names.user()];
      run.client!.setKnownUsers([run.self, ...users]);
      const line = Buffer.from(`ONLINE_USERS ${run.self} ${users.join(' ')}\n`);
      await s.sendRaw(line, { chunks: [5, 9], gapMs: 15, label: `ONLINE_USERS ${run.self} ${users.join(' ')} (in three TCP segments)` });
      // A traceback fails the check whatever the list shows (survived, below): the wait ends with it.
      const shown = await run.gui((ui) => (users.every((u) => ui.users?.includes(u)) || run.client!.tracebacks().length > before ? true : undefined), 'the valid ONLINE_USERS after the malformed lines');
      const bad = await survived(run, 'malformed lines', before);
      if (bad) return bad;
      if (shown.ok) return pass();
      const ui = (await run.driver()).ui();
      const blind = ui.users === undefined ? reviewNote('no online list was recognised in the main window', ui) : undefined;
      return unsure(`the online list shows ${users.join(', ')} after the malformed lines`, shown.failure.actual, blind);
    },
  },
  {
    id: 'bonus.robust.server_crash',
    run: 'serverCrash',
    phase: 0,
    async script(run) {
      await run.ready();
      const s = await run.session();
      await run.announce([run.names.user()]);
      await run.barrier();
      const before = run.client!.tracebacks().length;
      s.drop();
      await s.closed({ within: run.limits.line, step: 'drop' });
      // Give the client time to notice the reset: a sync proves its loop ran, then the grace.
      const d = await run.driver();
      await d.sync(run.limits.sync).catch(() => undefined);
      await delay(run.limits.grace * 3);
      const bad = await survived(run, 'the server dropped the connection', before);
      return bad ?? pass();
    },
  },
];
