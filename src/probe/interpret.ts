// Turns the Tk agent's flat widget tree into the semantic ChatUi. Every
// heuristic here is documented in docs/PROBE.md ("How the widget tree is
// read") and unit-tested against fixture trees in test/fixtures/trees/.
// The analysis also keeps the Tk paths behind each semantic item, so the
// driver acts on the very widgets the interpretation was based on. The
// readers live beside it: read-users.ts (the online list) and
// read-windows.ts (conversations, members, invitations).

import { findUsers, type UsersView } from './read-users.js';
import {
  invitationText,
  readConversation,
  readInvitation,
  windowTexts,
  type ConversationView,
  type InvitationView,
  type Learned,
  type UiOverrides,
} from './read-windows.js';
import { baseClass, isOpenWindow, isWithin, matchesOverride, nameTokens, tkPath, treeOrder } from './tk-tree.js';
import type { ChatUi, UiConversation, UiInvitation, UiWindow } from './ui.js';
import type { WidgetRecord, WidgetTree } from './widgets.js';

export {
  ACCEPT_WORDS,
  CHAT_WORDS,
  CONFIRM_WORDS,
  DECLINE_WORDS,
  LEAVE_WORDS,
  QUIT_WORDS,
  SEND_WORDS,
  baseClass,
  caption,
  isButton,
  isOpenWindow,
  isUserName,
  isWithin,
  matchesOverride,
  nameTokens,
  textLines,
  tkPath,
  treeOrder,
  widgetsIn,
} from './tk-tree.js';
export { entryUser, isDecoration, statusWords, type UserEntry, type UsersView } from './read-users.js';
export { hasToken, withoutTime } from './read-windows.js';
export type { ConversationView, InvitationView, Learned, UiOverrides } from './read-windows.js';

/** What the interpreter needs to know besides the tree. */
export interface InterpretContext {
  /** The current user's name. */
  self: string;
  /** Every user name the grader has announced so far. */
  knownUsers: readonly string[];
  ui?: UiOverrides;
  /** What the grader learned by cause (docs/PROBE.md, "Views found by cause"). */
  learned?: Learned;
}

/** A notebook tab holding a conversation: where it lives and whether it is in front. */
export interface TabInfo {
  notebook: string;
  pane: string;
  title: string;
  current: boolean;
}

/** The interpretation plus the widgets behind it. */
export interface Analysis {
  ui: ChatUi;
  users?: UsersView;
  conversations: Map<string, ConversationView>;
  invitations: Map<string, InvitationView>;
  /** The widgets of every window and conversation tab, by its id (what a person can reach there). */
  regions: Map<string, WidgetRecord[]>;
  /** Every tab of a notebook on screen, by pane path. */
  tabs: Map<string, TabInfo>;
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

/** Does line `index` of a transcript name `user` as its author: on the line itself, or on the line above it? */
export function saidBy(transcript: readonly string[], index: number, user: string): boolean {
  const names = (i: number): string[] => (i >= 0 && i < transcript.length ? nameTokens(transcript[i]!) : []);
  return names(index).includes(user) || names(index - 1).includes(user);
}

/** Notebook tabs in the open windows: each pane with the widgets inside it, shown or not (a person can bring any tab to the front). */
function notebookTabs(order: readonly WidgetRecord[], open: ReadonlySet<string>, tree: WidgetTree): TabInfo[] {
  const out: TabInfo[] = [];
  for (const nb of order) {
    if (baseClass(nb.cls) !== 'Notebook' || !nb.mapped || !open.has(nb.window) || !nb.tabs) continue;
    nb.tabs.forEach((pane, i) => {
      if (tree.has(pane)) out.push({ notebook: nb.path, pane, title: nb.items?.[i] ?? '', current: nb.value === pane });
    });
  }
  return out;
}

/** Read the tree: the semantic UI plus the widgets behind it. */
export function analyze(tree: WidgetTree, ctx: InterpretContext): Analysis {
  const o = ctx.ui ?? {};
  const learned = ctx.learned ?? {};
  // A view on screen before the first conversation event is never a conversation (a welcome or lobby tab).
  const lobby = learned.lobby;
  const inLobby = (id: string): boolean => lobby === 'all' || (lobby?.has(id) ?? false);
  const known = new Set<string>([...ctx.knownUsers, ctx.self]);
  const order = treeOrder(tree);
  const windows = order.filter(isOpenWindow);
  const open = new Set(windows.map((w) => w.path));
  const tabList = notebookTabs(order, open, tree);
  const tabs = new Map(tabList.map((t) => [t.pane, t]));
  // Each widget belongs to its innermost tab, else to its window; a tab's widgets count whether shown or not.
  const paneOf = (w: WidgetRecord): string | undefined => {
    let best: string | undefined;
    for (const t of tabList) if (isWithin(w.path, t.pane) && (!best || t.pane.length > best.length)) best = t.pane;
    return best;
  };
  const byWindow = new Map<string, WidgetRecord[]>(windows.map((w) => [w.path, []]));
  const byPane = new Map<string, WidgetRecord[]>(tabList.map((t) => [t.pane, []]));
  for (const w of order) {
    if (!open.has(w.window) || w.path === w.window) continue;
    const pane = paneOf(w);
    if (pane !== undefined && w.path !== pane) byPane.get(pane)!.push(w);
    else if (pane === undefined && w.mapped) byWindow.get(w.window)!.push(w);
  }

  const conversations: UiConversation[] = [];
  const convViews = new Map<string, ConversationView>();
  const regions = new Map<string, WidgetRecord[]>();
  const convTabs: UiWindow[] = [];
  for (const t of tabList) {
    const widgets = byPane.get(t.pane) ?? [];
    const conv = inLobby(t.pane) ? undefined : readConversation({ id: t.pane, title: t.title, widgets, notebook: t.notebook }, known, o, learned);
    if (conv) {
      convViews.set(t.pane, conv.view);
      conversations.push({ window: t.pane, title: t.title, members: conv.members, transcript: conv.transcript });
      regions.set(t.pane, widgets);
      convTabs.push({ id: t.pane, title: t.title, kind: 'conversation', texts: windowTexts(undefined, widgets) });
    } else {
      // A tab that is no conversation (a users tab, say) is part of its window.
      const win = tree.get(t.notebook)?.window ?? '';
      byWindow.get(win)?.push(...widgets);
    }
  }
  const rank = new Map(order.map((w, i) => [w.path, i]));
  for (const [win, widgets] of byWindow) {
    widgets.sort((a, b) => rank.get(a.path)! - rank.get(b.path)!);
    regions.set(win, widgets);
  }

  // The main window: override, the Tk root, else the window holding the best users list.
  let main: string | undefined;
  const overridden = o.main ? windows.find((w) => tkPath(w.path) === o.main) : undefined;
  const usersOverride = o.users ? order.find((w) => open.has(w.window) && matchesOverride(w, o.users) && w.mapped) : undefined;
  if (overridden) main = overridden.path;
  else if (usersOverride) main = usersOverride.window;
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
  const users = main !== undefined ? findUsers(byWindow.get(main) ?? [], known, o.users) : undefined;

  const statuses: Record<string, string> = {};
  for (const e of users?.entries ?? []) if (e.status && !(e.user in statuses)) statuses[e.user] = e.status;

  const mainImages: string[] = [];
  for (const w of main !== undefined ? (byWindow.get(main) ?? []) : []) {
    for (const img of [w.image, ...(w.images ?? [])]) {
      if (img?.sha256 && !mainImages.includes(img.sha256)) mainImages.push(img.sha256);
    }
  }

  const invitations: UiInvitation[] = [];
  const uiWindows: UiWindow[] = [];
  const invViews = new Map<string, InvitationView>();
  for (const win of windows) {
    const widgets = byWindow.get(win.path) ?? [];
    const title = win.title ?? '';
    let kind: UiWindow['kind'] = win.path.startsWith('dialog#') ? 'dialog' : 'other';
    if (win.path === main) kind = 'main';
    else {
      const conv = inLobby(win.path) ? undefined : readConversation({ id: win.path, title, widgets }, known, o, learned);
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
    const own = tabList.filter((t) => tree.get(t.notebook)?.window === win.path).map((t) => t.title);
    uiWindows.push({ id: win.path, title, kind, texts: windowTexts(win, widgets), ...(own.length ? { tabs: own } : {}) });
    uiWindows.push(...convTabs.filter((c) => tree.get(tabs.get(c.id)!.notebook)?.window === win.path));
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
    regions,
    tabs,
  };
}

/** The semantic UI a person would see in this widget tree. */
export function interpret(tree: WidgetTree, ctx: InterpretContext): ChatUi {
  return analyze(tree, ctx).ui;
}
