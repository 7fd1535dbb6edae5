// What the grader could not find, said as such (RUBRIC.md: "what the grader
// could not find is said as such"). A lost check whose cause may be the
// grader's blindness (no list, window, tab, button or input recognised, or a
// message that showed where the grader did not read it) carries a `review`
// text: what was not found and what was on screen, so that a person looks at
// those few instead of trusting them blindly or re-checking the whole class.

import { hasToken } from '../../../probe/interpret.js';
import type { ChatUi } from '../../../probe/ui.js';
import { describeUi } from '../../../probe/wait.js';
import { ActionError } from '../../../probe/ui.js';

/** The most of the screen a review note quotes. */
const SCREEN_CHARS = 600;

/** A review note: what was not found, then what was on screen. */
export function reviewNote(what: string, ui: ChatUi | undefined): string {
  const screen = ui ? describeUi(ui) : 'nothing could be read';
  return `${what}; on screen: ${screen.length > SCREEN_CHARS ? `${screen.slice(0, SCREEN_CHARS)}...` : screen}`;
}

/** The note for an action that failed because nothing recognisable was there to act on; undefined for any other failure. */
export function actionReview(err: unknown, ui: ChatUi | undefined): string | undefined {
  if (!(err instanceof ActionError) || !err.notFound) return undefined;
  return reviewNote(`the grader recognised nothing to act on: ${err.tried.at(-1) ?? err.message}`, ui);
}

/** What is on screen, as keys to compare: every window, and every notebook tab label of each window. */
export function screenKeys(ui: ChatUi): Set<string> {
  const keys = new Set<string>();
  for (const w of ui.windows) {
    keys.add(`window ${w.id}`);
    for (const t of w.tabs ?? []) keys.add(`tab ${w.id} ${t}`);
  }
  return keys;
}

/**
 * What appeared since `before` that the grader could not read as a main,
 * conversation or invitation window: new windows of kind other or dialog,
 * and new notebook tabs that are no conversation. Empty when nothing did.
 */
export function unrecognisedSince(before: ReadonlySet<string>, ui: ChatUi): string[] {
  const out: string[] = [];
  const convTitles = new Set(ui.windows.filter((w) => w.kind === 'conversation').map((w) => w.title));
  for (const w of ui.windows) {
    if (!before.has(`window ${w.id}`) && (w.kind === 'other' || w.kind === 'dialog')) out.push(`a window '${w.title || w.id}'`);
    for (const t of w.tabs ?? []) if (!before.has(`tab ${w.id} ${t}`) && !convTitles.has(t)) out.push(`a tab '${t}'`);
  }
  return out;
}

/** Where a message token shows on screen outside every transcript the grader read: the message showed, the grader did not see where. */
export function tokenUnread(ui: ChatUi, token: string): string | undefined {
  if (ui.conversations.some((c) => c.transcript.some((l) => hasToken(l, token)))) return undefined;
  const w = ui.windows.find((x) => x.texts.some((t) => hasToken(t, token)));
  return w ? `'${w.title || w.id}'` : undefined;
}
