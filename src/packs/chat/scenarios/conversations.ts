// Conversation management: INVITE, INVITATION, JOIN, LEAVE, CONVERSATIONS,
// SEND_MESSAGE, and all of it with two conversations open.

import { hasToken, nameTokens, saidBy } from '../../../probe/interpret.js';
import type { ChatUi } from '../../../probe/ui.js';
import type { Inbound, Outcome } from '../../../fake-server/session.js';
import { conversation, windowOf } from './fixtures.js';
import type { SessionRun } from './session-run.js';
import { fail, pass, unsure, type CheckScript, type Verdict } from '../../../check.js';
import { actionReview, reviewNote, tokenUnread } from './review.js';

const sameMembers = (shown: readonly string[] | undefined, members: readonly string[], self: string): boolean => {
  if (!shown) return false;
  const want = new Set(members.filter((m) => m !== self));
  const got = new Set(shown.filter((m) => m !== self));
  return want.size === got.size && [...want].every((m) => got.has(m));
};
const convIn = (ui: ChatUi, window: string) => ui.conversations.find((c) => c.window === window);
/**
 * A text as a transcript shows it: a person cannot see the white space at
 * its ends, so the display checks look for the text without it (the wire
 * check, conv.send.sent, wants it verbatim).
 */
const shown = (text: string): string => text.trim();
/**
 * One fault, one check: where a message went is found by its token (a
 * unique marker word), so a client that mangles the rest of a text loses
 * only the checks that judge the text itself.
 */
const shows = (ui: ChatUi, window: string, token: string): boolean => convIn(ui, window)?.transcript.some((l) => hasToken(l, token)) ?? false;
/** Indices of the transcript lines showing the token. */
const linesWith = (transcript: readonly string[], token: string): number[] => transcript.flatMap((l, i) => (hasToken(l, token) ? [i] : []));
/** How often a token shows (twice on one line counts twice). */
const timesShown = (transcript: readonly string[], token: string): number => transcript.reduce((n, l) => n + nameTokens(l).filter((t) => t === token).length, 0);

/** Judge "the text appears exactly once": found once by its token, and shown as sent. */
function onceVerbatim(transcript: readonly string[], text: string, token: string, appeared: boolean, when: string): Verdict {
  const want = `"${shown(text)}" once in the transcript${when}`;
  if (!appeared) return fail(want, 'it never appeared');
  const lines = linesWith(transcript, token).map((i) => transcript[i]!);
  const n = timesShown(transcript, token);
  if (n !== 1) return fail(want, `${n} times: ${lines.join(' / ')}`);
  return lines[0]!.includes(shown(text)) ? pass() : fail(want, `it shows changed: ${JSON.stringify(lines[0])}`);
}
const list = (xs: readonly string[] | undefined): string => (xs === undefined ? 'no member display found' : xs.length ? xs.join(', ') : 'nobody');

/** A message that never showed in its transcript but shows elsewhere on screen: the grader may have read the wrong widget. */
async function unreadReview(run: SessionRun, token: string): Promise<string | undefined> {
  const ui = (await run.driver()).ui();
  const where = tokenUnread(ui, token);
  return where ? reviewNote(`the message showed in ${where}, outside every transcript the grader recognised`, ui) : undefined;
}

/** A failed verdict flagged for review when `review` is set. */
function withReview(v: Verdict, review: string | undefined): Verdict {
  return v.status === 'failed' && review && v.actual === 'it never appeared' ? { ...v, review } : v;
}

/** Members not as expected: flagged when a window had no member display the grader recognised. */
async function membersLost(run: SessionRun, windows: readonly string[], expected: string, actual: string): Promise<Verdict> {
  const ui = (await run.driver()).ui();
  const blind = windows.filter((w) => convIn(ui, w) && convIn(ui, w)!.members === undefined);
  return unsure(expected, actual, blind.length ? reviewNote(`no member display was recognised in ${blind.map((w) => `'${w}'`).join(', ')}`, ui) : undefined);
}

/**
 * Wait until `ok` holds for the members shown; false when the limit runs
 * out, or at once in a run whose client has never shown a member
 * (SessionRun.membersBlind, set here when a wait ends with nobody shown).
 */
async function membersShow(run: SessionRun, ok: (ui: ChatUi) => boolean, step: string): Promise<boolean> {
  if (run.membersBlind) return false;
  const r = await run.gui((ui) => (ok(ui) ? true : undefined), step);
  if (r.ok) return true;
  const ui = (await run.driver()).ui();
  if (r.failure.reason === 'timeout' && ui.conversations.every((c) => (c.members ?? []).every((m) => m === run.self))) run.membersBlind = true;
  return false;
}

/** Someone in the conversation other than the current user, to speak in it. */
function speaker(run: SessionRun, conv: string): string {
  return run.conversations.get(conv)?.find((m) => m !== run.self) ?? run.online[0] ?? run.names.user();
}

/** A message from a peer, shown and then counted after a barrier; once per key. */
function received(run: SessionRun, key: string) {
  return run.once(`received:${key}`, async () => {
    const { fixture, window } = await windowOf(run, key);
    const from = speaker(run, fixture.conv);
    const text = run.names.text();
    const token = run.names.tokenOf(text);
    await run.send({ type: 'SEND_MESSAGE', conv: fixture.conv, from, text });
    const seen = await run.gui((ui) => (shows(ui, window, token) ? true : undefined), `"${shown(text)}" in the conversation`);
    if (seen.ok) await run.barrier();
    const transcript = await run.transcriptOf(window);
    const at = linesWith(transcript, token);
    const review = seen.ok ? undefined : await unreadReview(run, token);
    return { from, text, token, shown: seen.ok, transcript, at, lines: at.map((i) => transcript[i]!), review };
  });
}

/** The user says something in the first conversation; the server echoes it as it would. */
function said(run: SessionRun) {
  return run.once('said', async () => {
    const { fixture, window } = await windowOf(run, 'first');
    const text = run.names.text();
    const d = await run.driver();
    const before = await run.windowIds();
    let line: Outcome<Inbound> | undefined;
    let actionError: string | undefined;
    let review: string | undefined;
    try {
      await d.say(window, text);
      line = await run.expectAfter(before, 'SEND_MESSAGE', `saying ${JSON.stringify(text)}`, `SEND_MESSAGE ${fixture.conv} ${text}`);
    } catch (err) {
      actionError = (err as Error).message;
      review = actionReview(err, d.ui());
    }
    await run.send({ type: 'SEND_MESSAGE', conv: fixture.conv, from: run.self, text });
    const token = run.names.tokenOf(text);
    const seen = await run.gui((ui) => (shows(ui, window, token) ? true : undefined), `"${shown(text)}" in the conversation`);
    if (seen.ok) await run.barrier();
    return { conv: fixture.conv, text, token, line, actionError, review, shown: seen.ok, transcript: await run.transcriptOf(window) };
  });
}

/** The user starts a chat with `users`; the server confirms as it would. Once per key. */
function ownInvite(run: SessionRun, key: string, count: number) {
  return run.once(`invite:${key}`, async () => {
    await run.ready();
    await run.beginConversations();
    while (run.online.length < count) await run.newPeer();
    const users = run.online.slice(-count);
    // A person starts a chat with users the list shows: wait for them (a
    // list that never shows them fails below, saying so).
    if (!run.listBlind) {
      const listed = await run.gui((ui) => (users.every((u) => ui.users?.includes(u)) ? true : undefined), `the online list to show ${users.join(' and ')}`);
      if (!listed.ok) run.listBlind = true;
    }
    const d = await run.driver();
    const before = await run.windowIds();
    let invite: Outcome<Inbound> | undefined;
    let actionError: string | undefined;
    let review: string | undefined;
    try {
      await d.startChat(users);
      invite = await run.expectAfter(before, 'INVITE', `starting a chat with ${users.join(' and ')}`, `INVITE ${users.join(' ')}`);
    } catch (err) {
      actionError = (err as Error).message;
      review = actionReview(err, d.ui());
    }
    const conv = run.names.conv();
    await run.send({ type: 'INVITATION', conv, inviter: run.self });
    run.conversations.set(conv, [run.self]);
    await run.sendConversations();
    await run.barrier();
    const invitations = d.ui().invitations.filter((i) => !before.has(i.window));
    run.claimAll();
    return { users, invite, actionError, review, conv, invitations };
  });
}

async function checkInvite(run: SessionRun, key: string, count: number): Promise<Verdict> {
  const r = await ownInvite(run, key, count);
  const want = `INVITE ${r.users.join(' ')}${count > 1 ? ' (in any order)' : ''}`;
  if (r.actionError) return unsure(want, r.actionError, r.review);
  if (!r.invite?.ok) return fail(want, r.invite ? r.invite.failure.actual : 'nothing');
  const m = r.invite.value.message;
  if (m?.type !== 'INVITE') return fail(want, r.invite.value.text);
  if (m.users.length !== r.users.length || !r.users.every((u) => m.users.includes(u))) return fail(want, r.invite.value.text);
  return pass();
}

export const conversations: CheckScript<SessionRun>[] = [
  {
    id: 'conv.invitation.window',
    run: 'session',
    phase: 2,
    async script(run) {
      const f = await conversation(run, 'first');
      return f.invitation.ok ? pass() : unsure(`an invitation window after INVITATION ${f.conv} ${f.peer}`, f.invitation.failure.actual, f.invitationReview);
    },
  },
  {
    id: 'conv.join.sent',
    run: 'session',
    phase: 2,
    async script(run) {
      const f = await conversation(run, 'first');
      const want = `JOIN ${f.conv}`;
      if (!f.invitation.ok) return unsure(want, 'no invitation window to accept', f.invitationReview);
      if (!f.join?.ok) return unsure(want, f.join ? f.join.failure.actual : 'nothing', f.joinReview);
      const m = f.join.value.message;
      return m?.type === 'JOIN' && m.conv === f.conv ? pass() : fail(want, f.join.value.text);
    },
  },
  {
    id: 'conv.conversations.members',
    run: 'session',
    phase: 2,
    async script(run) {
      const { fixture, window } = await windowOf(run, 'first');
      const members = run.conversations.get(fixture.conv)!;
      const ok = await membersShow(run, (ui) => sameMembers(convIn(ui, window)?.members, members, run.self), 'the members to show');
      return ok ? pass() : membersLost(run, [window], `members ${members.join(', ')}`, list(await run.membersOf(window)));
    },
  },
  {
    id: 'conv.conversations.updated',
    run: 'session',
    phase: 2,
    async script(run) {
      const { fixture, window } = await windowOf(run, 'first');
      const joiner = await run.newPeer();
      const before = run.conversations.get(fixture.conv)!;
      const after = [...before.filter((m) => m !== fixture.peer), joiner];
      run.conversations.set(fixture.conv, after);
      await run.sendConversations();
      const ok = await membersShow(run, (ui) => sameMembers(convIn(ui, window)?.members, after, run.self), 'the members to update');
      return ok ? pass() : membersLost(run, [window], `members ${after.join(', ')} (${joiner} joined, ${fixture.peer} left)`, list(await run.membersOf(window)));
    },
  },
  {
    id: 'conv.send.received_once',
    run: 'session',
    phase: 2,
    async script(run) {
      const r = await received(run, 'first');
      return withReview(onceVerbatim(r.transcript, r.text, r.token, r.shown, ''), r.review);
    },
  },
  {
    id: 'conv.send.tagged',
    run: 'session',
    phase: 2,
    async script(run) {
      const r = await received(run, 'first');
      const want = `the line with "${shown(r.text)}" names ${r.from} (on it, or on the line above)`;
      if (!r.shown) return unsure(want, 'the text never appeared', r.review);
      const untagged = r.at.find((i) => !saidBy(r.transcript, i, r.from));
      if (untagged === undefined) return pass();
      const above = untagged > 0 ? `, below ${JSON.stringify(r.transcript[untagged - 1])}` : '';
      return fail(want, `the line reads ${JSON.stringify(r.transcript[untagged])}${above}`);
    },
  },
  {
    id: 'conv.send.sent',
    run: 'session',
    phase: 2,
    async script(run) {
      const r = await said(run);
      const want = `SEND_MESSAGE ${r.conv} ${r.text}`;
      if (r.actionError) return unsure(want, r.actionError, r.review);
      if (!r.line?.ok) return fail(want, r.line ? r.line.failure.actual : 'nothing');
      return r.line.value.text === want ? pass(r.line.value.crlf ? ['\\r\\n line ending'] : undefined) : fail(want, JSON.stringify(r.line.value.text));
    },
  },
  {
    id: 'conv.send.own_once',
    run: 'session',
    phase: 2,
    async script(run) {
      const r = await said(run);
      return onceVerbatim(r.transcript, r.text, r.token, r.shown, ' after the server echoed it');
    },
  },
  {
    id: 'conv.multiple.routing',
    run: 'session',
    phase: 2,
    async script(run) {
      const a = await windowOf(run, 'first');
      const b = await windowOf(run, 'second');
      const sent = [a, b].map((w) => {
        const text = run.names.text();
        return { ...w, text, token: run.names.tokenOf(text) };
      });
      for (const w of sent) await run.send({ type: 'SEND_MESSAGE', conv: w.fixture.conv, from: speaker(run, w.fixture.conv), text: w.text });
      // A message in the other conversation's window is a fault for good: decided the moment it shows.
      const misrouted = (ui: ChatUi) => sent.some((w) => shows(ui, sent.find((x) => x !== w)!.window, w.token));
      const seen = await run.gui((ui) => (sent.every((w) => shows(ui, w.window, w.token)) || misrouted(ui) ? true : undefined), 'each message in its conversation');
      if (seen.ok) await run.barrier();
      const ui = (await run.driver()).ui();
      const problems: string[] = [];
      for (const w of sent) {
        const other = sent.find((x) => x !== w)!;
        if (!shows(ui, w.window, w.token)) problems.push(`"${shown(w.text)}" (to ${w.fixture.conv}, marked ${w.token}) is not in ${w.fixture.conv}'s window`);
        if (shows(ui, other.window, w.token)) problems.push(`"${shown(w.text)}" (to ${w.fixture.conv}, marked ${w.token}) shows in ${other.fixture.conv}'s window`);
      }
      if (!problems.length) return pass();
      const unread = sent.map((w) => tokenUnread(ui, w.token)).find((x) => x !== undefined);
      return unsure('each message in its own conversation window only', problems.join('; '), unread ? reviewNote(`a message showed in ${unread}, outside every transcript the grader recognised`, ui) : undefined);
    },
  },
  {
    id: 'conv.multiple.members',
    run: 'session',
    phase: 2,
    async script(run) {
      const a = await windowOf(run, 'first');
      const b = await windowOf(run, 'second');
      const ma = [run.self, await run.newPeer()];
      const mb = [run.self, await run.newPeer(), await run.newPeer()];
      run.conversations.set(a.fixture.conv, ma);
      run.conversations.set(b.fixture.conv, mb);
      await run.sendConversations();
      const ok = (ui: ChatUi) => sameMembers(convIn(ui, a.window)?.members, ma, run.self) && sameMembers(convIn(ui, b.window)?.members, mb, run.self);
      if (await membersShow(run, ok, 'both conversations to show their members')) return pass();
      return membersLost(
        run,
        [a.window, b.window],
        `${a.fixture.conv}: ${ma.join(', ')}; ${b.fixture.conv}: ${mb.join(', ')}`,
        `${a.fixture.conv}: ${list(await run.membersOf(a.window))}; ${b.fixture.conv}: ${list(await run.membersOf(b.window))}`,
      );
    },
  },
  {
    id: 'conv.leave.sent',
    run: 'session',
    phase: 2,
    async script(run) {
      await windowOf(run, 'first');
      const b = await windowOf(run, 'second');
      await windowOf(run, 'third');
      const s = await run.session();
      const from = s.lines.length;
      const d = await run.driver();
      const want = `LEAVE ${b.fixture.conv} (only)`;
      const before = await run.windowIds();
      try {
        await d.closeConversation(b.window);
      } catch (err) {
        return unsure(want, (err as Error).message, actionReview(err, d.ui()));
      }
      const leave = await run.expectAfter(before, (l) => l.message?.type === 'LEAVE' && l.message.conv === b.fixture.conv, `closing ${b.fixture.conv}'s window`, `LEAVE ${b.fixture.conv}`);
      run.conversations.delete(b.fixture.conv);
      await run.sendConversations();
      await run.barrier();
      const others = s.lines.slice(from).filter((l) => l.message?.type === 'LEAVE' && l.message.conv !== b.fixture.conv);
      if (others.length) return fail(want, others.map((l) => l.text).join(', '));
      return leave.ok ? pass() : fail(want, leave.failure.actual);
    },
  },
  {
    id: 'conv.invite.sent',
    run: 'session',
    phase: 3,
    script: (run) => checkInvite(run, 'one', 1),
  },
  {
    id: 'conv.invitation.not_own',
    run: 'session',
    phase: 3,
    async script(run) {
      const r = await ownInvite(run, 'one', 1);
      return r.invitations.length
        ? fail(`no invitation window for INVITATION ${r.conv} ${run.self} (the current user's own)`, `an invitation window: ${JSON.stringify(r.invitations[0]!.text)}`)
        : pass();
    },
  },
  {
    id: 'conv.invite.multi',
    run: 'session',
    phase: 3,
    script: (run) => checkInvite(run, 'two', 2),
  },
];
