// Starting a conversation from the main window as a person does it, on the
// live screen: choose the users in the online list, then press the chat
// button; without one, use what the list itself offers (a double-click, or
// the item of a menu a right-click opens). The screen is read again before
// every step, since a list may be rebuilt after each click (new widgets,
// new paths): a person clicks what is there now, never a remembered widget.

import { q, type Attempt } from './attempt.js';
import { CHAT_WORDS, caption, isButton, matchesOverride, nameTokens, type Analysis, type UserEntry } from './interpret.js';
import type { PostedMenu, WidgetRecord } from './widgets.js';

/** What startChat needs of the driver: a fresh look at the screen, and the reach of a window. */
export interface Screen {
  /** Let the GUI finish drawing, then read it. */
  look(): Promise<Analysis>;
  /** Read it again as it changes until `ok` holds of what is read, for as long as a change may take to show; then the last read. */
  lookUntil(ok: (a: Analysis) => boolean): Promise<Analysis>;
  region(a: Analysis, window: string): WidgetRecord[];
  record(path: string): WidgetRecord | undefined;
  showTabOf(run: Attempt, a: Analysis, path: string): Promise<void>;
  /** The `invite` override, if the config names one. */
  inviteOverride?: string;
}

/** An item of a right-click menu that starts a conversation. */
export const MENU_CHAT_WORDS = /\b(chat|invite|talk|start|new|message|dm|pm|whisper)\b/i;
const SEVERAL_WORDS = /\b(selected|all|them|users|group|everyone)\b/i;

const list = (users: readonly string[]): string => users.map(q).join(', ');
const NO_CHAT = 'no button labelled chat/invite/talk/start/new in the main window';

/** The chat button of the main window, read now. */
function chatButton(s: Screen, a: Analysis): WidgetRecord | undefined {
  const main = a.ui.main;
  if (main === undefined) return undefined;
  const users = new Set(a.users?.kind === 'widgets' ? a.users.entries.map((e) => e.path) : []);
  const widgets = s.region(a, main).filter((w) => !users.has(w.path));
  return widgets.find((w) => matchesOverride(w, s.inviteOverride)) ?? widgets.find((w) => isButton(w) && CHAT_WORDS.test(caption(w)));
}

/** The entries of `users` in the online list read now; fails naming who is missing. */
function entriesOf(run: Attempt, a: Analysis, users: readonly string[]): UserEntry[] {
  const main = a.ui.main;
  if (main === undefined) throw run.missing('no main window on screen');
  const view = a.users;
  if (!view) throw run.missing(`no list of online users in the main window '${main}'`);
  return users.map((u) => {
    const e = view.entries.find((x) => x.user === u);
    if (!e) throw run.fail(`${q(u)} is not in the online list (shown: ${list(view.entries.map((x) => x.user)) || 'nobody'})`);
    return e;
  });
}

/** Start a conversation with `users` from the online list. */
export async function startChat(s: Screen, run: Attempt, users: string[]): Promise<void> {
  let a = await s.look();
  const entries = entriesOf(run, a, users);
  const view = a.users!;
  const one = entries.length === 1 ? entries[0] : undefined;
  await s.showTabOf(run, a, entries[0]?.path ?? view.path);

  if (view.kind === 'listbox' || view.kind === 'treeview') {
    const mode = view.selectmode ?? '';
    if (!one && ['single', 'browse', 'none'].includes(mode)) {
      throw run.fail(`${view.path} lets one user be selected at a time (selectmode ${mode}), so ${list(users)} cannot be selected together`);
    }
    await run.exec({ cmd: 'select', path: view.path, indices: entries.map((e) => e.index ?? -1) }, `selected ${list(users)} in ${view.path}`);
    return pressChatOr(s, run, users);
  }
  if (view.kind === 'text') {
    const lines = entries.map((e) => e.index ?? 0);
    const [first, last] = [Math.min(...lines), Math.max(...lines)];
    if (chatButton(s, a) || !one) {
      const between = view.entries.filter((e) => !users.includes(e.user) && (e.index ?? -1) > first && (e.index ?? -1) < last);
      if (between.length) throw run.fail(`${list(users)} are not on adjacent lines of ${view.path} (${list(between.map((e) => e.user))} in between), and a drag selects one run of lines`);
      const range = Array.from({ length: last - first + 1 }, (_, i) => first + i);
      await run.exec({ cmd: 'select', path: view.path, indices: range }, `selected the line${range.length > 1 ? 's' : ''} of ${list(users)} in ${view.path}`);
    }
    return pressChatOr(s, run, users);
  }
  // One widget per user: a list of them may be rebuilt after each click, so each is found anew.
  const cls = view.path;
  if (cls === 'Checkbutton') {
    const listed = (x: Analysis): boolean => users.every((u) => x.users?.entries.some((e) => e.user === u));
    for (let round = 0; round <= view.entries.length; round++) {
      // A list caught between its rebuild and its drawing shows fewer boxes: never take that for "all set".
      a = await s.lookUntil(listed);
      if (!listed(a)) entriesOf(run, a, users); // throws, naming who is missing
      const wrong = a.users?.entries.find((e) => Boolean(s.record(e.path)?.selected) !== users.includes(e.user));
      if (!wrong) return pressChatOr(s, run, users);
      const want = users.includes(wrong.user);
      await run.exec({ cmd: 'invoke', path: wrong.path }, `${want ? 'ticked' : 'unticked'} ${q(wrong.user)} (${wrong.path})`);
    }
    throw run.fail(`the ticks in the online list did not stay as set (${list(users)} wanted)`);
  }
  if (!chatButton(s, a)) {
    if (cls === 'Label' || !one) return withoutButton(s, run, a, users);
    // A user's own button with no chat button beside it starts a chat with that user.
    run.note(NO_CHAT);
    await run.exec({ cmd: 'invoke', path: one.path }, `pressed ${q(one.user)} (${one.path})`);
    return;
  }
  if (cls === 'Radiobutton' && !one) throw run.fail('one user at a time can be chosen with Radiobuttons');
  for (const user of users) {
    a = await s.look();
    const [e] = entriesOf(run, a, [user]);
    await run.exec({ cmd: 'invoke', path: e!.path }, `${cls === 'Label' ? 'clicked' : 'pressed'} ${q(user)} (${e!.path})`);
  }
  return pressChatOr(s, run, users);
}

/** With the users chosen: press the chat button as it is now, or start the chat as the list offers. */
async function pressChatOr(s: Screen, run: Attempt, users: string[]): Promise<void> {
  const a = await s.look();
  const chat = chatButton(s, a);
  if (chat) return run.invoke(chat);
  return withoutButton(s, run, a, users);
}

/** Sequences that mean "a double-click here does something" / "a right-click opens something". */
const DOUBLE = /^<Double-(?:Button-|ButtonPress-|ButtonRelease-)?1>$/;
const RIGHT = /^<(?:Button-|ButtonPress-|ButtonRelease-)?[23]>$/;

/** No chat button: what the user's item offers, by its own bindings (a double-click, a right-click menu). */
async function withoutButton(s: Screen, run: Attempt, a: Analysis, users: string[]): Promise<void> {
  run.note(NO_CHAT);
  const [first] = entriesOf(run, a, users.slice(0, 1));
  const target = a.users!.kind === 'widgets' ? first!.path : a.users!.path;
  const index = a.users!.kind === 'widgets' ? undefined : first!.index;
  const binds = [...(s.record(target)?.binds ?? []), ...(s.record(s.record(target)?.window ?? '')?.binds ?? [])];
  const menu = binds.some((b) => RIGHT.test(b));
  if (users.length === 1 && (binds.some((b) => DOUBLE.test(b)) || !menu)) {
    await run.exec({ cmd: 'double_click', path: target, ...(index !== undefined ? { index } : {}) }, `double-clicked ${q(first!.user)} in ${target}`);
    return;
  }
  if (!menu) throw run.missing('a double-click starts a chat with one user only, and a right-click on the list opens no menu');
  const reply = (await run.exec({ cmd: 'context_menu', path: target, ...(index !== undefined ? { index } : {}) }, `right-clicked ${q(first!.user)} in ${target}`)) as { menus?: PostedMenu[] } | undefined;
  const menus = reply?.menus ?? [];
  const choice = chooseMenuItem(menus, users, a.users!.entries.map((e) => e.user));
  if (!choice) {
    for (const m of menus) await run.exec({ cmd: 'menu_invoke', path: m.path }, `closed the menu ${m.path}`);
    const offered = menus.flatMap((m) => m.items);
    throw run.missing(menus.length ? `the menu offers ${list(offered)}, none of them a chat/invite/message item` : 'the right-click opened no menu');
  }
  await run.exec({ cmd: 'menu_invoke', path: choice.menu, label: choice.label }, `chose ${q(choice.label)} in the menu`);
}

/**
 * The menu item a person would choose: a chat/invite/message item, never one
 * naming someone else of the list (`listed`); for one user the one naming
 * them, for several one that says "selected".
 */
export function chooseMenuItem(menus: readonly PostedMenu[], users: readonly string[], listed: readonly string[] = []): { menu: string; label: string } | undefined {
  const others = listed.filter((u) => !users.includes(u));
  const items = menus.flatMap((m) => m.items.filter((label) => MENU_CHAT_WORDS.test(label) && !others.some((o) => nameTokens(label).includes(o))).map((label) => ({ menu: m.path, label })));
  if (users.length > 1) return items.find((i) => SEVERAL_WORDS.test(i.label)) ?? items[0];
  return items.find((i) => nameTokens(i.label).includes(users[0] ?? '')) ?? items.find((i) => !SEVERAL_WORDS.test(i.label)) ?? items[0];
}
