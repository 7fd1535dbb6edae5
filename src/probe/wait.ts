// Waiting on a GUI as it changes, shared by the Tk and explicit drivers: a
// bounded wait re-evaluated on every change, and when it runs out, a
// ProbeTimeout that names the step and says what the GUI last showed.

import { deadlineTimer } from '../load/deadlines.js';
import type { ChatUi } from './ui.js';

/** A bounded wait ran out; `step` names what was awaited, `lastSeen` what the GUI showed. */
export class ProbeTimeout extends Error {
  readonly code = 'probe.timeout';
  constructor(
    message: string,
    readonly step: string,
    readonly lastSeen?: ChatUi,
  ) {
    super(message);
  }
}

/** One line per window, for timeout messages and reports: what the GUI showed. */
export function describeUi(ui: ChatUi): string {
  if (ui.windows.length === 0) return 'no window on screen';
  const parts: string[] = [];
  for (const w of ui.windows) {
    if (w.kind === 'main') {
      const users = ui.users === undefined ? 'no users list' : `users [${ui.users.join(', ')}]`;
      const statuses = Object.entries(ui.statuses).map(([u, s]) => `${u}: ${s}`);
      const tabs = w.tabs?.length ? `, tabs [${w.tabs.join(', ')}]` : '';
      parts.push(`main window '${w.id}' with ${users}${statuses.length ? `, statuses {${statuses.join(', ')}}` : ''}${tabs}`);
    } else if (w.kind === 'conversation') {
      const c = ui.conversations.find((x) => x.window === w.id);
      const members = c?.members === undefined ? 'no member display' : `members [${c.members.join(', ')}]`;
      const last = c?.transcript.at(-1);
      parts.push(`conversation '${w.id}' (${members}; ${c?.transcript.length ?? 0} lines${last ? `, last "${last}"` : ''})`);
    } else if (w.kind === 'invitation') {
      const text = ui.invitations.find((x) => x.window === w.id)?.text ?? '';
      parts.push(`invitation '${w.id}' "${text}"`);
    } else {
      const tabs = w.tabs?.length ? ` with tabs [${w.tabs.join(', ')}]` : '';
      parts.push(`${w.kind} window '${w.id}' "${w.title}"${tabs}${w.texts.length ? ` showing "${w.texts.slice(0, 3).join(' | ')}"` : ''}`);
    }
  }
  return parts.join('; ');
}

/**
 * Resolve with fn's first non-undefined result, re-evaluated on every change;
 * reject with a ProbeTimeout after `ms`. Shared by the Tk and explicit drivers.
 */
export function waitForUi<T>(
  read: () => ChatUi,
  subscribe: (listener: () => void) => () => void,
  fn: (ui: ChatUi) => T | undefined,
  step: string,
  ms: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let last: ChatUi | undefined;
    let done = false;
    let unsubscribe = (): void => {};
    const finish = (settle: () => void): void => {
      done = true;
      clearTimeout(timer);
      unsubscribe();
      settle();
    };
    const check = (): void => {
      if (done) return;
      try {
        last = read();
        const result = fn(last);
        if (result !== undefined) finish(() => resolve(result));
      } catch (err) {
        finish(() => reject(err));
      }
    };
    const timer = deadlineTimer(ms, () => {
      if (done) return;
      const seen = last ?? safeRead(read);
      const what = seen ? describeUi(seen) : 'nothing (the UI could not be read)';
      finish(() => reject(new ProbeTimeout(`waited ${Math.round(ms)} ms for ${step}; last seen: ${what}`, step, seen)));
    });
    unsubscribe = subscribe(check);
    check();
  });
}

function safeRead(read: () => ChatUi): ChatUi | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
