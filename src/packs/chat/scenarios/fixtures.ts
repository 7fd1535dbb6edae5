// The conversation fixture: a conversation opened in the client the way a
// user opens one (a peer invites, the user accepts), memoized per key, and
// bound to its view by cause: the window or tab that this conversation's
// events brought on screen, never one that was there before them.

import { StepFailed } from '../../../check.js';
import type { Inbound, Outcome } from '../../../fake-server/session.js';
import { actionReview, reviewNote, screenKeys, unrecognisedSince } from './review.js';
import type { SessionRun } from './session-run.js';

/** A conversation the run opened in the client. */
export interface ConversationFixture {
  conv: string;
  peer: string;
  /** The invitation window for the peer's INVITATION, or why there was none. */
  invitation: Outcome<string>;
  /** Set when no invitation window was recognised though something appeared (for a person to look at). */
  invitationReview?: string;
  /** The JOIN sent on accepting, or why there was none. */
  join: Outcome<Inbound> | undefined;
  /** Set when accepting failed for want of a recognisable button. */
  joinReview?: string;
  /** The conversation's window in the client. */
  window: Outcome<string>;
  /** Set when no conversation view was recognised though something appeared. */
  windowReview?: string;
}

/**
 * Open a conversation with a peer, as a user would: the peer invites, the
 * user accepts. When no invitation window shows, fall back to the user
 * starting the chat, so conversation checks are still measured.
 */
export function conversation(run: SessionRun, key: string): Promise<ConversationFixture> {
  return run.once(`conversation:${key}`, async () => {
    await run.ready();
    const d = await run.driver();
    const peer = run.online.find((u) => ![...run.conversations.values()].some((m) => m.includes(u))) ?? (await run.newPeer());
    const conv = run.names.conv();
    await run.beginConversations();
    const windowsBefore = await run.windowIds();
    const screenBefore = screenKeys(d.ui());
    await run.send({ type: 'INVITATION', conv, inviter: peer });
    const step = `an invitation window for ${conv} from ${peer}`;
    const invitation: Outcome<string> = run.invitationBlind
      ? { ok: false, failure: { step, expected: step, actual: 'no invitation window appeared for an earlier INVITATION either', reason: 'timeout' } }
      : await run.gui((ui) => ui.invitations.find((i) => !windowsBefore.has(i.window))?.window, step);
    if (!invitation.ok && invitation.failure.reason === 'timeout') run.invitationBlind = true;
    const fixture: Omit<ConversationFixture, 'window'> = { conv, peer, invitation, join: undefined };
    if (invitation.ok) {
      const before = await run.windowIds();
      try {
        await d.accept(invitation.value);
        fixture.join = await run.expectAfter(before, 'JOIN', `accepting the invitation to ${conv}`, `JOIN ${conv}`);
      } catch (err) {
        fixture.join = { ok: false, failure: { step: `accepting the invitation to ${conv}`, expected: `JOIN ${conv}`, actual: (err as Error).message, reason: 'mismatch' } };
        const review = actionReview(err, d.ui());
        if (review) fixture.joinReview = review;
      }
    } else {
      const appeared = unrecognisedSince(screenBefore, d.ui());
      if (appeared.length) fixture.invitationReview = reviewNote(`no invitation window was recognised, though ${appeared.join(', ')} appeared after INVITATION`, d.ui());
      // Fallback: the user starts the chat; the server confirms as it would.
      await d.startChat([peer]).catch(() => undefined);
      await run.expectLine('INVITE', 'starting a chat (fallback)', `INVITE ${peer}`);
      await run.send({ type: 'INVITATION', conv, inviter: run.self });
    }
    run.conversations.set(conv, [peer, run.self]);
    await run.sendConversations();
    const window = await claimNewWindow(run, `a conversation window for ${conv}`, windowsBefore);
    if (window.ok) return { ...fixture, window };
    const appeared = unrecognisedSince(screenBefore, d.ui());
    const windowReview = appeared.length ? reviewNote(`no conversation window or tab was recognised, though ${appeared.join(', ')} appeared`, d.ui()) : undefined;
    return { ...fixture, window, ...(windowReview ? { windowReview } : {}) };
  });
}

/**
 * Wait for the view this conversation's events brought: a conversation
 * window or tab that appeared since `before` (the screen just before the
 * conversation's first event) and that no other conversation claimed.
 */
async function claimNewWindow(run: SessionRun, step: string, before: ReadonlySet<string>): Promise<Outcome<string>> {
  const found = await run.gui((ui) => ui.conversations.find((c) => !run.claimed.has(c.window) && !before.has(c.window))?.window, step);
  if (found.ok) run.claimed.add(found.value);
  return found;
}

/** The window of a conversation fixture, or StepFailed. */
export async function windowOf(run: SessionRun, key: string): Promise<{ fixture: ConversationFixture; window: string }> {
  const fixture = await conversation(run, key);
  if (!fixture.window.ok) throw new StepFailed('a conversation window to open', `no conversation window appeared: ${fixture.window.failure.actual}`, fixture.windowReview);
  return { fixture, window: fixture.window.value };
}
