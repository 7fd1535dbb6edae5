// Reads the online list of the main window: which widget shows it, which
// user each entry names, the status shown beside each, and which rows are
// decoration (headers, counts, separators). docs/PROBE.md rules 3-5.

import { baseClass, isUserName, matchesOverride, nameRuns, nameTokens, textLines } from './tk-tree.js';
import type { WidgetRecord } from './widgets.js';

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
  /** Listbox/Treeview selection mode as reported (single, browse, multiple, extended, none). */
  selectmode?: string;
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
const HEADER_WORDS = /\b(online|offline|users?|people|contacts?|friends?|buddies|members?|list|total|count|connected|nobody|no ?one|none|who'?s)\b/i;
const COUNT = /[([]\s*\d+\s*[)\]]|^\s*\d+\s+\w+/;

/** The user an entry names and the rest of its text; undefined when it names nobody. */
export function entryUser(text: string, known: ReadonlySet<string>): { user: string; rest: string; known: boolean } | undefined {
  let fallback: { user: string; at: number } | undefined;
  for (const { tok, at } of nameRuns(text)) {
    if (known.has(tok)) return { user: tok, rest: cut(text, at, tok.length), known: true };
    if (!fallback && isUserName(tok) && /[A-Za-z0-9]/.test(tok)) fallback = { user: tok, at };
  }
  if (!fallback) return undefined;
  return { user: fallback.user, rest: cut(text, fallback.at, fallback.user.length), known: false };
}

function cut(text: string, at: number, len: number): string {
  return text.slice(0, at) + ' ' + text.slice(at + len);
}

/**
 * A row of a user list that names no announced user and reads as a caption,
 * not a name: a header ("Online users:", "Contacts"), a count ("3 online",
 * "(3)") or a separator. A single unknown name ("Kalo_3") is not decoration:
 * a name the grader never announced, or no longer does, is still shown.
 */
export function isDecoration(text: string): boolean {
  const t = text.trim();
  if (!/[A-Za-z0-9]/.test(t)) return true;
  return t.endsWith(':') || HEADER_WORDS.test(t) || COUNT.test(t);
}

/** Status words: lower-cased letters-only words of a text, joined by one space. */
export function statusWords(text: string): string {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).join(' ');
}

function listCandidate(w: WidgetRecord, kind: 'listbox' | 'treeview' | 'text', known: ReadonlySet<string>, order: number): Candidate {
  const rows = kind === 'text' ? textLines(w.text) : (w.items ?? []).map((line, index) => ({ line, index }));
  const entries: UserEntry[] = [];
  let matched = 0;
  let unmatched = 0;
  for (const { line, index } of rows) {
    const e = entryUser(line, known);
    if (!e || (!e.known && isDecoration(line))) continue;
    if (e.known) matched++;
    else unmatched++;
    const status = statusWords(e.rest);
    entries.push({ user: e.user, text: line, path: w.path, index, known: e.known, ...(status ? { status } : {}) });
  }
  const mode = w.selectmode;
  return {
    view: { kind, path: w.path, window: w.window, entries, ...(mode ? { selectmode: mode } : {}) },
    matched,
    unmatched,
    rank: KIND_RANK[kind],
    multi: mode === 'multiple' || mode === 'extended',
    order,
  };
}

const PER_USER_CLASSES = ['Label', 'Button', 'Checkbutton', 'Radiobutton'];
const firstToken = (w: WidgetRecord): string | undefined => nameTokens(w.text ?? '').find((t) => /[A-Za-z0-9]/.test(t));

/** Per-user Labels/Buttons/Checkbuttons of one class: a widget counts when its first name token is a known user. */
function widgetCandidates(widgets: readonly WidgetRecord[], known: ReadonlySet<string>, order: number): Candidate[] {
  const out: Candidate[] = [];
  for (const cls of PER_USER_CLASSES) {
    const own = widgets.filter((w) => baseClass(w.cls) === cls);
    const entries: UserEntry[] = [];
    for (const w of own) {
      const first = firstToken(w);
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
  const isUserWidget = (s: WidgetRecord): boolean => users.includes(s) && known.has(firstToken(s) ?? '');
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

function listKind(w: WidgetRecord): 'listbox' | 'treeview' | 'text' | undefined {
  const cls = baseClass(w.cls);
  if (cls === 'Listbox') return 'listbox';
  if (cls === 'Treeview') return 'treeview';
  if (cls === 'Text') return 'text';
  return undefined;
}

/** The users display among one window's widgets, or undefined. */
export function findUsers(widgets: readonly WidgetRecord[], known: ReadonlySet<string>, override: string | undefined): UsersView | undefined {
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
