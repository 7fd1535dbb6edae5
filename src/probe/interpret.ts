// Turns the Tk agent's flat widget tree into the semantic ChatUi. Every
// heuristic here is documented in docs/PROBE.md ("How the widget tree is
// read") and unit-tested against fixture trees in test/fixtures/trees/.
// The analysis also keeps the Tk paths behind each semantic item, so the
// driver acts on the very widgets the interpretation was based on.

import type { ChatUi, UiConversation, UiInvitation, UiWindow } from './ui.js';
import type { WidgetRecord, WidgetTree } from './widgets.js';

/** Widgets named by Tk path in a config's "ui" section; window-scoped roles may be given relative to their window (".bottom.entry"). */
export interface UiOverrides {
  main?: string;
  users?: string;
  invite?: string;
  status?: string;
  input?: string;
  send?: string;
  transcript?: string;
  members?: string;
  accept?: string;
  decline?: string;
  leave?: string;
  quit?: string;
}

/** What the interpreter needs to know besides the tree. */
export interface InterpretContext {
  /** The current user's name. */
  self: string;
  /** Every user name the grader has announced so far. */
  knownUsers: readonly string[];
  ui?: UiOverrides;
}

/** One user as shown in the online list, with the widget that shows it. */
export interface UserEntry {
  user: string;
  /** The entry's whole text ("bob (away)"). */
  text: string;
  /** The list widget, or the user's own Label/Button/Checkbutton. */
  path: string;
  /** Item index in a Listbox/Treeview, raw line index in a Text. */
  index?: number;
  /** Lower-cased words shown next to the user, if any. */
  status?: string;
  /** True when the name is one the grader announced (or self). */
  known: boolean;
}

/** The widget(s) that show the online users. */
export interface UsersView {
  kind: 'listbox' | 'treeview' | 'text' | 'widgets';
  /** The list widget; for 'widgets', the class of the per-user widgets. */
  path: string;
  window: string;
  entries: UserEntry[];
}

/** The widgets of one conversation window. */
export interface ConversationView {
  window: string;
  inputPath: string;
  transcriptPath: string;
  sendPath?: string;
  membersPath?: string;
}

/** The answer buttons of one invitation window. */
export interface InvitationView {
  window: string;
  acceptPath: string;
  declinePath?: string;
}

/** The interpretation plus the widgets behind it. */
export interface Analysis {
  ui: ChatUi;
  users?: UsersView;
  conversations: Map<string, ConversationView>;
  invitations: Map<string, InvitationView>;
}

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
// A lone "Join" (no decline button) is invitation enough; "OK" alone is not.
const STRONG_ACCEPT = /\b(accept|join)\b/i;
const MEMBERS_WORDS = /\b(members?|participants?|users?|people|in (this )?(chat|conversation|room))\b/i;

const USER_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const NAME_RUN = /[A-Za-z0-9_-]+/g;
const TTK = new Set(['Button', 'Label', 'Entry', 'Combobox', 'Checkbutton', 'Radiobutton', 'Menubutton', 'Frame', 'Labelframe', 'Scrollbar', 'Notebook', 'Spinbox', 'Separator', 'Scale', 'Progressbar']);

/** Name-like tokens of a text: maximal runs of user-name characters, in order. */
export function nameTokens(text: string): string[] {
  return text.match(NAME_RUN) ?? [];
}

/** True for a valid user name ([A-Za-z0-9_-]{1,32}). */
export function isUserName(s: string): boolean {
  return USER_NAME.test(s);
}

/** Lines of a transcript that contain `text` (each line counted once). */
export function countLinesContaining(transcript: readonly string[], text: string): number {
  return transcript.filter((line) => line.includes(text)).length;
}

/** Occurrences of `text` across all lines (catches a text shown twice on one line). */
export function countOccurrences(transcript: readonly string[], text: string): number {
  if (!text) return 0;
  let n = 0;
  for (const line of transcript) {
    for (let i = line.indexOf(text); i >= 0; i = line.indexOf(text, i + text.length)) n++;
  }
  return n;
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

/** Does `w` match an override path, absolute or relative to its window (".bottom.entry")? */
export function matchesOverride(w: WidgetRecord, override: string | undefined): boolean {
  if (!override) return false;
  if (w.path === override) return true;
  return w.window !== '.' && override.startsWith('.') && w.path === w.window + override;
}

interface Candidate {
  view: UsersView;
  matched: number;
  unmatched: number;
  rank: number;
  multi: boolean;
  order: number;
}

const KIND_RANK = { listbox: 0, treeview: 1, text: 2, widgets: 3 } as const;

/** The user an entry names and the rest of its text; undefined when it names nobody. */
export function entryUser(text: string, known: ReadonlySet<string>): { user: string; rest: string; known: boolean } | undefined {
  let fallback: { user: string; at: number } | undefined;
  for (const m of text.matchAll(NAME_RUN)) {
    const tok = m[0];
    if (known.has(tok)) return { user: tok, rest: cut(text, m.index, tok.length), known: true };
    if (!fallback && isUserName(tok) && /[A-Za-z0-9]/.test(tok)) fallback = { user: tok, at: m.index };
  }
  if (!fallback) return undefined;
  return { user: fallback.user, rest: cut(text, fallback.at, fallback.user.length), known: false };
}

function cut(text: string, at: number, len: number): string {
  return text.slice(0, at) + ' ' + text.slice(at + len);
}

/** Status words: lower-cased letters-only words of a text, joined by one space. */
export function statusWords(text: string): string {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).join(' ');
}

function selectMode(w: WidgetRecord): string | undefined {
  return w.selectmode;
}

function listCandidate(w: WidgetRecord, kind: 'listbox' | 'treeview' | 'text', known: ReadonlySet<string>, order: number): Candidate {
  const rows = kind === 'text' ? textLines(w.text) : (w.items ?? []).map((line, index) => ({ line, index }));
  const entries: UserEntry[] = [];
  let matched = 0;
  let unmatched = 0;
  for (const { line, index } of rows) {
    const e = entryUser(line, known);
    if (!e) {
      if (line.trim()) unmatched++;
      continue;
    }
    if (e.known) matched++;
    else unmatched++;
    const status = statusWords(e.rest);
    entries.push({ user: e.user, text: line, path: w.path, index, known: e.known, ...(status ? { status } : {}) });
  }
  const mode = selectMode(w);
  return {
    view: { kind, path: w.path, window: w.window, entries },
    matched,
    unmatched,
    rank: KIND_RANK[kind],
    multi: mode === 'multiple' || mode === 'extended',
    order,
  };
}

const PER_USER_CLASSES = ['Label', 'Button', 'Checkbutton', 'Radiobutton'];

/** Per-user Labels/Buttons/Checkbuttons of one class: a widget counts when its first name token is a known user. */
function widgetCandidates(widgets: readonly WidgetRecord[], known: ReadonlySet<string>, order: number): Candidate[] {
  const out: Candidate[] = [];
  for (const cls of PER_USER_CLASSES) {
    const own = widgets.filter((w) => baseClass(w.cls) === cls);
    const entries: UserEntry[] = [];
    for (const w of own) {
      const first = nameTokens(w.text ?? '').find((t) => /[A-Za-z0-9]/.test(t));
      if (first === undefined || !known.has(first)) continue;
      const e = entryUser(w.text ?? '', known);
      if (!e) continue;
      const status = statusWords(e.rest) || labelStatus(w, widgets, own, known);
      entries.push({ user: first, text: w.text ?? '', path: w.path, known: true, ...(status ? { status } : {}) });
    }
    if (entries.length === 0) continue;
    out.push({
      view: { kind: 'widgets', path: cls, window: own[0]?.window ?? '', entries },
      matched: entries.length,
      unmatched: 0,
      rank: KIND_RANK.widgets,
      multi: cls === 'Checkbutton',
      order,
    });
  }
  return out;
}

/** Status shown beside a per-user widget: Labels in the same parent, after it and before the next user's widget (or anywhere in a one-user row). */
function labelStatus(w: WidgetRecord, all: readonly WidgetRecord[], users: readonly WidgetRecord[], known: ReadonlySet<string>): string {
  const siblings = all.filter((s) => s.parent === w.parent);
  const isUserWidget = (s: WidgetRecord): boolean =>
    users.includes(s) && known.has(nameTokens(s.text ?? '').find((t) => /[A-Za-z0-9]/.test(t)) ?? '');
  const userCount = siblings.filter(isUserWidget).length;
  const at = siblings.indexOf(w);
  const span = userCount <= 1 ? siblings : siblings.slice(at + 1, nextIndex(siblings, at + 1, isUserWidget));
  const words = span
    .filter((s) => s !== w && baseClass(s.cls) === 'Label' && s.text && !known.has(s.text.trim()))
    .map((s) => statusWords(s.text ?? ''))
    .filter(Boolean);
  return words.join(' ');
}

function nextIndex<T>(list: readonly T[], from: number, pred: (x: T) => boolean): number {
  for (let i = from; i < list.length; i++) if (pred(list[i] as T)) return i;
  return list.length;
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.matched !== b.matched) return a.matched > b.matched;
  if (a.unmatched !== b.unmatched) return a.unmatched < b.unmatched;
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.multi !== b.multi) return a.multi;
  return a.order < b.order;
}

/** The users display of one window, or undefined. */
function findUsers(widgets: readonly WidgetRecord[], known: ReadonlySet<string>, override: string | undefined): UsersView | undefined {
  const forced = widgets.find((w) => matchesOverride(w, override));
  if (forced) {
    const kind = listKind(forced);
    if (kind) return listCandidate(forced, kind, known, 0).view;
    return widgetCandidates([forced], known, 0)[0]?.view ?? { kind: 'widgets', path: forced.path, window: forced.window, entries: [] };
  }
  const candidates: Candidate[] = [];
  widgets.forEach((w, i) => {
    const kind = listKind(w);
    if (kind) candidates.push(listCandidate(w, kind, known, i));
  });
  candidates.push(...widgetCandidates(widgets, known, widgets.length));
  // A Listbox/Treeview naming anyone wins over per-user widgets and Texts: icon
  // Labels captioned with names (self's included) must not outvote the list.
  const isList = (c: Candidate): boolean => c.view.kind === 'listbox' || c.view.kind === 'treeview';
  for (const tier of [candidates.filter(isList), candidates.filter((c) => !isList(c))]) {
    let best: Candidate | undefined;
    for (const c of tier) if (c.matched > 0 && (!best || better(c, best))) best = c;
    if (best) return best.view;
  }
  // Nobody announced is shown (yet): an empty list is still the list.
  const listboxes = candidates.filter((c) => c.view.kind === 'listbox');
  const multi = listboxes.filter((c) => c.multi);
  if (multi.length >= 1) return multi[0]!.view;
  if (listboxes.length === 1) return listboxes[0]!.view;
  const trees = candidates.filter((c) => c.view.kind === 'treeview');
  if (trees.length === 1 && listboxes.length === 0) return trees[0]!.view;
  return undefined;
}

function listKind(w: WidgetRecord): 'listbox' | 'treeview' | 'text' | undefined {
  const cls = baseClass(w.cls);
  if (cls === 'Listbox') return 'listbox';
  if (cls === 'Treeview') return 'treeview';
  if (cls === 'Text') return 'text';
  return undefined;
}

/** Read the tree: the semantic UI plus the widgets behind it. */
export function analyze(tree: WidgetTree, ctx: InterpretContext): Analysis {
  const o = ctx.ui ?? {};
  const known = new Set<string>([...ctx.knownUsers, ctx.self]);
  const order = treeOrder(tree);
  const windows = order.filter(isOpenWindow);
  const byWindow = new Map(windows.map((w) => [w.path, widgetsIn(order, w.path)]));

  // The main window: override, the Tk root, else the window holding the best users list.
  let main: string | undefined;
  let users: UsersView | undefined;
  const overridden = o.main ? windows.find((w) => w.path === o.main) : undefined;
  const usersOverride = o.users ? tree.get(o.users) : undefined;
  if (overridden) main = overridden.path;
  else if (usersOverride && byWindow.has(usersOverride.window)) main = usersOverride.window;
  else if (windows.some((w) => w.path === '.')) main = '.';
  else {
    let bestMatched = 0;
    for (const win of windows) {
      if (win.path.startsWith('dialog#')) continue;
      const view = findUsers(byWindow.get(win.path) ?? [], known, undefined);
      const matched = view?.entries.filter((e) => e.known).length ?? 0;
      if (view && matched > bestMatched) {
        bestMatched = matched;
        main = win.path;
      }
    }
  }
  if (main !== undefined) users = findUsers(byWindow.get(main) ?? [], known, o.users);

  const statuses: Record<string, string> = {};
  for (const e of users?.entries ?? []) if (e.status && !(e.user in statuses)) statuses[e.user] = e.status;

  const mainImages: string[] = [];
  for (const w of main !== undefined ? (byWindow.get(main) ?? []) : []) {
    for (const img of [w.image, ...(w.images ?? [])]) {
      if (img?.sha256 && !mainImages.includes(img.sha256)) mainImages.push(img.sha256);
    }
  }

  const conversations: UiConversation[] = [];
  const invitations: UiInvitation[] = [];
  const uiWindows: UiWindow[] = [];
  const convViews = new Map<string, ConversationView>();
  const invViews = new Map<string, InvitationView>();

  for (const win of windows) {
    const widgets = byWindow.get(win.path) ?? [];
    const title = win.title ?? '';
    let kind: UiWindow['kind'] = win.path.startsWith('dialog#') ? 'dialog' : 'other';
    if (win.path === main) kind = 'main';
    else {
      const conv = readConversation(win, widgets, known, o);
      const inv = conv ? undefined : readInvitation(win, widgets, o);
      if (conv) {
        kind = 'conversation';
        convViews.set(win.path, conv.view);
        conversations.push({ window: win.path, title, members: conv.members, transcript: conv.transcript });
      } else if (inv) {
        kind = 'invitation';
        invViews.set(win.path, inv);
        invitations.push({ window: win.path, title, text: invitationText(win, widgets) });
      }
    }
    uiWindows.push({ id: win.path, title, kind, texts: windowTexts(win, widgets) });
  }

  return {
    ui: {
      main,
      users: users?.entries.map((e) => e.user),
      statuses,
      mainImages,
      conversations,
      invitations,
      windows: uiWindows,
    },
    ...(users ? { users } : {}),
    conversations: convViews,
    invitations: invViews,
  };
}

/** The semantic UI a person would see in this widget tree. */
export function interpret(tree: WidgetTree, ctx: InterpretContext): ChatUi {
  return analyze(tree, ctx).ui;
}

function windowTexts(win: WidgetRecord, widgets: readonly WidgetRecord[]): string[] {
  const out: string[] = [];
  if (win.text) out.push(win.text);
  for (const w of widgets) {
    const t = w.text ?? (isButton(w) ? caption(w) : '');
    if (t) out.push(t);
    for (const item of w.items ?? []) if (item) out.push(item);
  }
  return out;
}

function invitationText(win: WidgetRecord, widgets: readonly WidgetRecord[]): string {
  const parts = [win.text ?? ''];
  for (const w of widgets) {
    const cls = baseClass(w.cls);
    if (cls === 'Label' || cls === 'Message' || cls === 'Text') parts.push(w.text ?? '');
  }
  return parts.map((p) => p.trim()).filter(Boolean).join(' ');
}

function findButton(widgets: readonly WidgetRecord[], words: RegExp, override: string | undefined): WidgetRecord | undefined {
  return widgets.find((w) => matchesOverride(w, override)) ?? widgets.find((w) => isButton(w) && words.test(caption(w)));
}

function readInvitation(win: WidgetRecord, widgets: readonly WidgetRecord[], o: UiOverrides): InvitationView | undefined {
  if (widgets.some((w) => baseClass(w.cls) === 'Entry')) return undefined;
  const accept = findButton(widgets, ACCEPT_WORDS, o.accept);
  if (!accept) return undefined;
  const decline = widgets.find((w) => w !== accept && matchesOverride(w, o.decline)) ??
    widgets.find((w) => w !== accept && isButton(w) && DECLINE_WORDS.test(caption(w)));
  if (decline) return { window: win.path, acceptPath: accept.path, declinePath: decline.path };
  if (STRONG_ACCEPT.test(caption(accept)) || matchesOverride(accept, o.accept)) return { window: win.path, acceptPath: accept.path };
  return undefined;
}

interface ConversationRead {
  view: ConversationView;
  members: string[] | undefined;
  transcript: string[];
}

function readConversation(
  win: WidgetRecord,
  widgets: readonly WidgetRecord[],
  known: ReadonlySet<string>,
  o: UiOverrides,
): ConversationRead | undefined {
  const send = findButton(widgets, SEND_WORDS, o.send);
  const sameParentAsSend = (w: WidgetRecord): boolean => send !== undefined && w.parent === send.parent;
  const entries = widgets.filter((w) => baseClass(w.cls) === 'Entry');
  const texts = widgets.filter((w) => baseClass(w.cls) === 'Text');
  const listboxes = widgets.filter((w) => baseClass(w.cls) === 'Listbox');

  let input = widgets.find((w) => matchesOverride(w, o.input));
  if (!input && entries.length) input = entries.find(sameParentAsSend) ?? entries[entries.length - 1];
  if (!input) {
    const editable = texts.filter((t) => !t.disabled);
    // Two Texts: the input is the editable one beside Send, else the last one; one editable Text is an input only when a Listbox can be the transcript.
    if (texts.length >= 2 && editable.length) input = editable.find(sameParentAsSend) ?? editable[editable.length - 1];
    else if (texts.length === 1 && editable.length === 1 && listboxes.length && send) input = editable[0];
  }
  if (!input) return undefined;

  // An item that is one known name and nothing else looks like a member, not a message.
  const membersLike = (w: WidgetRecord): number => (w.items ?? []).filter((i) => {
    const toks = nameTokens(i);
    return toks.length === 1 && known.has(toks[0] ?? '');
  }).length;

  let transcript = widgets.find((w) => w !== input && matchesOverride(w, o.transcript));
  if (!transcript) {
    const textPool = texts.filter((t) => t !== input);
    const listPool = listboxes.filter((l) => !matchesOverride(l, o.members));
    const pool = textPool.length ? textPool : listPool;
    const lines = (w: WidgetRecord): number => (baseClass(w.cls) === 'Text' ? textLines(w.text).length : (w.items?.length ?? 0));
    // Among Listboxes, the one that looks least like a list of names is the transcript.
    const score = (w: WidgetRecord): number => (textPool.length ? lines(w) : lines(w) - 2 * membersLike(w));
    for (const w of pool) if (!transcript || score(w) > score(transcript)) transcript = w;
  }
  if (!transcript) return undefined;

  const transcriptLines = baseClass(transcript.cls) === 'Text'
    ? textLines(transcript.text).map((l) => l.line)
    : (transcript.items ?? []).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');

  const membersDisplay = findMembers(widgets, [input, transcript, send], known, o.members);
  const view: ConversationView = {
    window: win.path,
    inputPath: input.path,
    transcriptPath: transcript.path,
    ...(send ? { sendPath: send.path } : {}),
    ...(membersDisplay ? { membersPath: membersDisplay.path } : {}),
  };
  return { view, members: membersDisplay?.names, transcript: transcriptLines };
}

function namesIn(texts: readonly string[], known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const t of texts) for (const tok of nameTokens(t)) if (known.has(tok) && !out.includes(tok)) out.push(tok);
  return out;
}

function shownTexts(w: WidgetRecord): string[] {
  return w.items ?? (w.text !== undefined ? [w.text] : []);
}

/** The member display: override; a widget that says "members" (with names in it or beside it); a Listbox of names; the Label naming the most users. */
function findMembers(
  widgets: readonly WidgetRecord[],
  exclude: readonly (WidgetRecord | undefined)[],
  known: ReadonlySet<string>,
  override: string | undefined,
): { path: string; names: string[] } | undefined {
  const forced = widgets.find((w) => matchesOverride(w, override));
  if (forced) return { path: forced.path, names: namesIn(shownTexts(forced), known) };
  const pool = widgets.filter((w) => !exclude.includes(w) && ['Label', 'Message', 'Listbox', 'Text'].includes(baseClass(w.cls)));

  const keyword = pool.find((w) => MEMBERS_WORDS.test(w.text ?? ''));
  if (keyword) {
    const own = namesIn(shownTexts(keyword), known);
    if (own.length) return { path: keyword.path, names: own };
    // "Members:" as a caption: the names are in the widgets beside it.
    const beside = pool.filter((w) => w !== keyword && w.parent === keyword.parent);
    if (beside.length) {
      const firstWithNames = beside.find((w) => namesIn(shownTexts(w), known).length) ?? beside[0]!;
      return { path: firstWithNames.path, names: namesIn(beside.flatMap(shownTexts), known) };
    }
  }
  const listbox = pool.find((w) => baseClass(w.cls) === 'Listbox');
  if (listbox) return { path: listbox.path, names: namesIn(listbox.items ?? [], known) };
  let best: { path: string; names: string[] } | undefined;
  for (const w of pool) {
    if (baseClass(w.cls) === 'Text') continue;
    const names = namesIn(shownTexts(w), known);
    if (names.length && (!best || names.length > best.names.length)) best = { path: w.path, names };
  }
  return best ?? (keyword ? { path: keyword.path, names: [] } : undefined);
}
