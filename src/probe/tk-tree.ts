// Plain helpers over the agent's flat widget tree, shared by the readers
// (read-users.ts, read-windows.ts), the interpreter and the driver: tree
// order, visible widgets, classes, captions, Tk paths and overrides, and the
// caption words that say what a button does.

import type { WidgetRecord, WidgetTree } from './widgets.js';

// Caption patterns, shared with the driver so both agree on what a button means.
/** Starts a conversation from the main window. */
export const CHAT_WORDS = /\b(chat|invite|talk|start|new)\b/i;
/** Accepts an invitation. */
export const ACCEPT_WORDS = /\b(accept|join|yes|ok|okay)\b/i;
/** Declines an invitation. */
export const DECLINE_WORDS = /\b(decline|no|cancel|reject|refuse|ignore)\b/i;
/** Sends the input of a conversation. */
export const SEND_WORDS = /\bsend\b/i;
/** Leaves a conversation. */
export const LEAVE_WORDS = /\b(leave|close|exit|quit|end|bye)\b/i;
/** Quits the client. */
export const QUIT_WORDS = /\b(quit|exit|log ?out|disconnect)\b/i;
/** Confirms a question such as "Really log out?". */
export const CONFIRM_WORDS = /\b(yes|ok|okay|quit|exit|log ?out|leave|confirm|sure)\b/i;
/** Says a widget shows the members of a conversation. */
export const MEMBERS_WORDS = /\b(members?|participants?|users?|people|in (this )?(chat|conversation|room))\b/i;

const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const NAME_RUN = /[A-Za-z0-9_-]+/g;
const TTK = new Set(['Button', 'Label', 'Entry', 'Combobox', 'Checkbutton', 'Radiobutton', 'Menubutton', 'Frame', 'Labelframe', 'Scrollbar', 'Notebook', 'Spinbox', 'Separator', 'Scale', 'Progressbar']);

/** Name-like tokens of a text: maximal runs of user-name characters, in order. */
export function nameTokens(text: string): string[] {
  return text.match(NAME_RUN) ?? [];
}

/** Name-like tokens with their offsets. */
export function nameRuns(text: string): { tok: string; at: number }[] {
  return [...text.matchAll(NAME_RUN)].map((m) => ({ tok: m[0], at: m.index }));
}

/** True for a valid user name ([A-Za-z0-9_-]{1,32}). */
export function isUserName(s: string): boolean {
  return USER_NAME.test(s);
}

/** Tk class without the ttk "T" prefix: TButton -> Button (Tk, Text, Toplevel, Treeview unchanged). */
export function baseClass(cls: string): string {
  return cls.length > 1 && cls[0] === 'T' && TTK.has(cls.slice(1)) ? cls.slice(1) : cls;
}

/** A pressable push button (not a radio/check/menu button), dialog answers included. */
export function isButton(w: WidgetRecord): boolean {
  return baseClass(w.cls) === 'Button';
}

/** A button's caption; a dialog answer without text is known by its path ("dialog#2.yes"). */
export function caption(w: WidgetRecord): string {
  if (w.text) return w.text;
  return w.path.startsWith('dialog#') ? (w.path.split('.').pop() ?? '') : '';
}

/** A window (Tk root, Toplevel or pseudo dialog) that is on screen. */
export function isOpenWindow(w: WidgetRecord): boolean {
  return w.window === w.path && w.mapped && (w.state ?? 'normal') === 'normal';
}

/** Non-empty lines of a Text's content with their raw line index. */
export function textLines(text: string | undefined): { line: string; index: number }[] {
  if (!text) return [];
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trimEnd(), index }))
    .filter((l) => l.line.trim() !== '');
}

/** The widgets of the tree in depth-first order (siblings in report order). */
export function treeOrder(tree: WidgetTree): WidgetRecord[] {
  const children = new Map<string | null, WidgetRecord[]>();
  for (const w of tree.values()) {
    const parent = w.parent !== null && tree.has(w.parent) ? w.parent : null;
    const list = children.get(parent);
    if (list) list.push(w);
    else children.set(parent, [w]);
  }
  const out: WidgetRecord[] = [];
  const seen = new Set<string>();
  const walk = (w: WidgetRecord): void => {
    if (seen.has(w.path)) return;
    seen.add(w.path);
    out.push(w);
    for (const c of children.get(w.path) ?? []) walk(c);
  };
  for (const root of children.get(null) ?? []) walk(root);
  for (const w of tree.values()) walk(w); // parent cycles: keep everything
  return out;
}

/** Visible widgets of one window (the window record excluded), in tree order. */
export function widgetsIn(order: readonly WidgetRecord[], window: string): WidgetRecord[] {
  return order.filter((w) => w.window === window && w.path !== window && w.mapped);
}

/** True when `path` is `ancestor` or lies inside it. */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor.endsWith('.') ? ancestor : `${ancestor}.`);
}

/** The Tk path without the agent's "#N" prefix for a second live root: "#2.users" -> ".users". */
export function tkPath(path: string): string {
  if (!path.startsWith('#')) return path;
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(dot);
}

/**
 * Does `w` match an override path? Overrides are Tk paths as the program
 * names them: absolute in whichever Tk root holds the widget (no "#N"), or
 * relative to the widget's window or to `region` (a conversation tab), since
 * Toplevel paths are generated: ".bottom.entry" matches ".!toplevel3.bottom.entry".
 */
export function matchesOverride(w: WidgetRecord, override: string | undefined, region?: string): boolean {
  if (!override) return false;
  const path = tkPath(w.path);
  if (w.path === override || path === override) return true;
  if (!override.startsWith('.')) return false;
  for (const base of [w.window, region]) {
    if (base === undefined) continue;
    const b = tkPath(base);
    if (b !== '.' && path === b + override) return true;
  }
  return false;
}
