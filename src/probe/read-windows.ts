// Reads the windows other than the main one: a conversation (a Toplevel or a
// notebook tab) with its input, transcript and member display; an
// invitation with its answer buttons; and every window's visible texts.
// docs/PROBE.md rules 7-10.

import {
  ACCEPT_WORDS,
  DECLINE_WORDS,
  MEMBERS_WORDS,
  SEND_WORDS,
  baseClass,
  caption,
  isButton,
  isWithin,
  matchesOverride,
  nameTokens,
  textLines,
} from './tk-tree.js';
import type { WidgetRecord } from './widgets.js';

// A lone "Join" (no decline button) is invitation enough; "OK" alone is not.
const STRONG_ACCEPT = /\b(accept|join)\b/i;

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

/** The widgets of one conversation window (or tab). */
export interface ConversationView {
  window: string;
  inputPath: string;
  transcriptPath: string;
  sendPath?: string;
  membersPath?: string;
  /** For a conversation in a notebook tab: the notebook, to bring the tab to the front. */
  notebook?: string;
}

/** The answer buttons of one invitation window. */
export interface InvitationView {
  window: string;
  acceptPath: string;
  declinePath?: string;
}

/**
 * What the grader learned by cause, not by layout: from the wire it spoke and
 * from its own actions. The readers prefer it to any guess.
 */
export interface Learned {
  /**
   * Views (window paths, tab panes) that were on screen before the first
   * conversation event: a welcome, lobby or server tab is never a
   * conversation. 'all' while no conversation event has happened yet.
   */
  lobby?: ReadonlySet<string> | 'all';
  /** The unique token of every text the server sent in SEND_MESSAGE: a conversation's transcript is where they show. */
  tokens?: readonly string[];
  /** Widgets the grader typed into: true when the text went in, false when the widget did not take it. */
  typed?: ReadonlyMap<string, boolean>;
}

/** A region to read: a window, or a notebook tab (its widgets whether shown or not). */
export interface Region {
  /** Window path, or the tab's pane path. */
  id: string;
  title: string;
  widgets: WidgetRecord[];
  notebook?: string;
}

/** The visible texts of a window, in tree order. */
export function windowTexts(win: WidgetRecord | undefined, widgets: readonly WidgetRecord[]): string[] {
  const out: string[] = [];
  if (win?.text) out.push(win.text);
  for (const w of widgets) {
    const t = w.text ?? (isButton(w) ? caption(w) : '');
    if (t) out.push(t);
    for (const item of w.items ?? []) if (item) out.push(item);
  }
  return out;
}

/** An invitation's text: the dialog message and the window's Labels, Messages and Texts. */
export function invitationText(win: WidgetRecord, widgets: readonly WidgetRecord[]): string {
  const parts = [win.text ?? ''];
  for (const w of widgets) {
    const cls = baseClass(w.cls);
    if (cls === 'Label' || cls === 'Message' || cls === 'Text') parts.push(w.text ?? '');
  }
  return parts.map((p) => p.trim()).filter(Boolean).join(' ');
}

function findButton(widgets: readonly WidgetRecord[], words: RegExp, override: string | undefined, region?: string): WidgetRecord | undefined {
  return widgets.find((w) => matchesOverride(w, override, region)) ?? widgets.find((w) => isButton(w) && words.test(caption(w)));
}

/** The answer buttons when the window is an invitation. */
export function readInvitation(win: WidgetRecord, widgets: readonly WidgetRecord[], o: UiOverrides): InvitationView | undefined {
  if (widgets.some((w) => baseClass(w.cls) === 'Entry')) return undefined;
  const accept = findButton(widgets, ACCEPT_WORDS, o.accept);
  if (!accept) return undefined;
  const decline = widgets.find((w) => w !== accept && matchesOverride(w, o.decline)) ??
    widgets.find((w) => w !== accept && isButton(w) && DECLINE_WORDS.test(caption(w)));
  if (decline) return { window: win.path, acceptPath: accept.path, declinePath: decline.path };
  if (STRONG_ACCEPT.test(caption(accept)) || matchesOverride(accept, o.accept)) return { window: win.path, acceptPath: accept.path };
  return undefined;
}

/** One conversation as read. */
export interface ConversationRead {
  view: ConversationView;
  members: string[] | undefined;
  transcript: string[];
}

const saysMembers = (w: WidgetRecord): boolean => MEMBERS_WORDS.test(w.text ?? '') || MEMBERS_WORDS.test(w.items?.[0] ?? '');

/** A leading time on a transcript line: `[10:21] `, `10:21:05 `, `(9:05 pm) `. */
const LEADING_TIME = /^\s*[[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?[\])]?\s*[-|]?\s*/;

/** A transcript line as a person reads it: a leading time is no part of who said what. */
export function withoutTime(line: string): string {
  const m = LEADING_TIME.exec(line);
  return m && m[0].length < line.length ? line.slice(m[0].length) : line;
}

/** Does a line show this token (a whole run of name characters, not part of a longer one)? */
export function hasToken(line: string, token: string): boolean {
  return nameTokens(line).includes(token);
}

/** The lines a Text or Listbox shows. */
function linesOf(w: WidgetRecord): string[] {
  return baseClass(w.cls) === 'Text' ? textLines(w.text).map((l) => l.line) : (w.items ?? []).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

/** The conversation in a region, when it has an input and a transcript. */
export function readConversation(region: Region, known: ReadonlySet<string>, o: UiOverrides, learned: Learned = {}): ConversationRead | undefined {
  const { widgets, id } = region;
  const typed = learned.typed ?? new Map<string, boolean>();
  // A widget that did not take typed text is no input, whatever it claims about itself.
  const takes = (w: WidgetRecord): boolean => typed.get(w.path) !== false;
  const entries = widgets.filter((w) => baseClass(w.cls) === 'Entry' && takes(w));
  const texts = widgets.filter((w) => baseClass(w.cls) === 'Text');
  const listboxes = widgets.filter((w) => baseClass(w.cls) === 'Listbox');
  const forcedInput = widgets.find((w) => matchesOverride(w, o.input, id));
  const typedInput = widgets.find((w) => typed.get(w.path) === true);

  // By cause first: the transcript is where the server's message tokens show.
  const tokens = learned.tokens ?? [];
  const tokenLines = (w: WidgetRecord): number => (tokens.length ? linesOf(w).filter((l) => tokens.some((t) => hasToken(l, t))).length : 0);
  let transcript = widgets.find((w) => w !== forcedInput && matchesOverride(w, o.transcript, id));
  if (!transcript) {
    for (const w of [...texts, ...listboxes]) {
      if (w === forcedInput || w === typedInput || tokenLines(w) === 0) continue;
      if (!transcript || tokenLines(w) > tokenLines(transcript)) transcript = w;
    }
  }

  const send = findButton(widgets, SEND_WORDS, o.send, id);
  const sameParentAsSend = (w: WidgetRecord): boolean => send !== undefined && w.parent === send.parent;
  let input = forcedInput ?? typedInput;
  if (!input && entries.length) input = entries.find(sameParentAsSend) ?? entries[entries.length - 1];
  if (!input) {
    // Not the transcript, not a box that refused typed text, not a disabled one.
    const editable = texts.filter((t) => t !== transcript && takes(t) && !t.disabled);
    // Two Texts: the input is the editable one beside Send, else the last one; one editable Text is an input only when a Listbox can be the transcript.
    if (texts.length >= 2 && editable.length) input = editable.find(sameParentAsSend) ?? editable[editable.length - 1];
    else if (texts.length === 1 && editable.length === 1 && listboxes.length && (send || transcript)) input = editable[0];
  }
  if (!input) return undefined;

  // An item that is one known name and nothing else looks like a member, not a message.
  const membersLike = (w: WidgetRecord): number => (w.items ?? []).filter((i) => {
    const toks = nameTokens(i);
    return toks.length === 1 && known.has(toks[0] ?? '');
  }).length;

  if (transcript === input) transcript = undefined;
  if (!transcript) {
    const textPool = texts.filter((t) => t !== input);
    const listPool = listboxes.filter((l) => !matchesOverride(l, o.members, id));
    // A list headed "Members" is the member display, whatever it holds.
    const unheaded = listPool.filter((l) => !saysMembers(l));
    const pool = textPool.length ? textPool : unheaded.length ? unheaded : listPool;
    const lines = (w: WidgetRecord): number => (baseClass(w.cls) === 'Text' ? textLines(w.text).length : (w.items?.length ?? 0));
    // Among Listboxes, the one that looks least like a list of names is the transcript.
    const score = (w: WidgetRecord): number => (textPool.length ? lines(w) : lines(w) - 2 * membersLike(w));
    for (const w of pool) if (!transcript || score(w) > score(transcript)) transcript = w;
  }
  if (!transcript) return undefined;

  const transcriptLines = linesOf(transcript).map(withoutTime);

  const membersDisplay = findMembers(region, [input, transcript, send], known, o.members);
  const view: ConversationView = {
    window: id,
    inputPath: input.path,
    transcriptPath: transcript.path,
    ...(send ? { sendPath: send.path } : {}),
    ...(membersDisplay ? { membersPath: membersDisplay.path } : {}),
    ...(region.notebook ? { notebook: region.notebook } : {}),
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

/**
 * The member display: the override; a widget that says "members" (its own
 * names, the Labels inside a LabelFrame so captioned, or the widgets beside
 * a caption); a Listbox of names; the Label naming the most users; the
 * window or tab title naming users.
 */
function findMembers(
  region: Region,
  exclude: readonly (WidgetRecord | undefined)[],
  known: ReadonlySet<string>,
  override: string | undefined,
): { path: string; names: string[] } | undefined {
  const { widgets } = region;
  const forced = widgets.find((w) => matchesOverride(w, override, region.id));
  if (forced) return { path: forced.path, names: namesIn(shownTexts(forced), known) };
  const pool = widgets.filter((w) => !exclude.includes(w) && ['Label', 'Message', 'Listbox', 'Text'].includes(baseClass(w.cls)));

  const frame = widgets.find((w) => baseClass(w.cls) === 'Labelframe' && MEMBERS_WORDS.test(w.text ?? ''));
  if (frame) {
    const inside = pool.filter((w) => w.path !== frame.path && isWithin(w.path, frame.path));
    return { path: frame.path, names: namesIn(inside.flatMap(shownTexts), known) };
  }
  const keyword = pool.find(saysMembers);
  if (keyword) {
    const own = namesIn(shownTexts(keyword), known);
    if (own.length || baseClass(keyword.cls) === 'Listbox') return { path: keyword.path, names: own };
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
  if (best) return best;
  const titled = namesIn([region.title], known);
  if (titled.length) return { path: region.id, names: titled };
  return keyword ? { path: keyword.path, names: [] } : undefined;
}
