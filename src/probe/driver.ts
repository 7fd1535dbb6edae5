// The Tk driver: reads the UI through interpret.ts and acts as a person would,
// on the widgets the interpretation found, through the agent's low-level
// commands. Each action tries the strategies docs/PROBE.md lists, in order,
// and when none applies throws an ActionError saying what it tried. An action
// resolves once its commands were performed; waiting for effects (a wire
// line, a new window) is the scenario's business.

import { Attempt, q } from './attempt.js';
import { startChat, type Screen } from './start-chat.js';
import { ActionError, type ChatUi, type Driver } from './ui.js';
import { ProbeTimeout, waitForUi } from './wait.js';
import {
  ACCEPT_WORDS,
  CHAT_WORDS,
  CONFIRM_WORDS,
  DECLINE_WORDS,
  LEAVE_WORDS,
  QUIT_WORDS,
  analyze,
  baseClass,
  caption,
  isButton,
  isWithin,
  matchesOverride,
  statusWords,
  treeOrder,
  widgetsIn,
  type Analysis,
  type InterpretContext,
  type UserEntry,
} from './interpret.js';
import type { ProbeLink, WidgetRecord } from './widgets.js';

export { ProbeTimeout, describeUi, waitForUi } from './wait.js';

/** Options of a TkDriver besides the interpretation context. */
export interface TkDriverOptions extends InterpretContext {
  /** Multiplies every time limit (slow machines, CI). Default 1. */
  timeScale?: number;
  /** Limit for one agent command, before timeScale. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** How long quit() watches for a question ("Really log out?") or the main window going, before timeScale. Default 1000 ms. */
  confirmWithinMs?: number;
  /**
   * Read every view as a lobby view (no conversation) until freezeLobby():
   * for a caller that knows when the first conversation event comes (the chat
   * pack's session). Default: no view is a lobby view.
   */
  lobby?: boolean;
}

const list = (users: readonly string[]): string => users.map(q).join(', ');

/** The key an input binds to send (its own bindings and its window's), in the order a person tries them. */
export function sendKey(binds: readonly string[]): string | undefined {
  const has = (re: RegExp): boolean => binds.some((b) => re.test(b));
  if (has(/^<(?:Key-|KeyPress-)?Return>$/)) return 'Return';
  if (has(/^<Control-(?:Key-|KeyPress-)?Return>$/)) return 'Control-Return';
  if (has(/^<(?:Key-|KeyPress-)?KP_Enter>$/)) return 'KP_Enter';
  return undefined;
}

/** Drives a Tk client through the agent's ProbeLink. */
/** A sync slower than this came from a blocked event loop, not from drawing. */
const SLOW_SYNC_MS = 300;

export class TkDriver implements Driver {
  private ctx: InterpretContext;
  private readonly scale: number;
  private readonly commandMs: number;
  private readonly confirmMs: number;
  private readonly knownListeners = new Set<() => void>();
  /** What the last action did (or tried), in order: for "the click had no effect" messages. */
  lastTried: readonly string[] = [];
  /** Learned by cause (read-windows.ts Learned): views before the first conversation, message tokens, inputs typed into. */
  private lobby: ReadonlySet<string> | 'all';
  private tokens: string[] = [];
  private readonly typed = new Map<string, boolean>();

  constructor(
    private readonly link: ProbeLink,
    opts: TkDriverOptions,
  ) {
    const { timeScale, commandTimeoutMs, confirmWithinMs, lobby, ...ctx } = opts;
    this.lobby = lobby ? 'all' : new Set();
    this.ctx = { ...ctx, knownUsers: [...ctx.knownUsers] };
    this.scale = timeScale ?? 1;
    this.commandMs = commandTimeoutMs ?? 2000;
    this.confirmMs = confirmWithinMs ?? 1000;
  }

  /** Replace the user names the grader has announced; pending waits re-evaluate. */
  setKnownUsers(users: readonly string[]): void {
    this.ctx = { ...this.ctx, knownUsers: [...users] };
    this.changed();
  }

  /** Every view on screen now is a lobby view, never a conversation (call before the first conversation event). */
  freezeLobby(): void {
    if (this.lobby !== 'all') return;
    const a = this.analysis();
    this.lobby = new Set([...a.ui.windows.map((w) => w.id), ...a.tabs.keys()]);
    this.changed();
  }

  /** The unique tokens of the texts the server sent: a transcript is where they show. */
  setTokens(tokens: readonly string[]): void {
    this.tokens = [...tokens];
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.knownListeners]) l();
  }

  /** The interpretation with the widget paths behind it. */
  analysis(): Analysis {
    return analyze(this.link.tree(), { ...this.ctx, learned: { lobby: this.lobby, tokens: this.tokens, typed: this.typed } });
  }

  ui(): ChatUi {
    return this.analysis().ui;
  }

  waitFor<T>(fn: (ui: ChatUi) => T | undefined, opts: { within: number; step: string }): Promise<T> {
    const subscribe = (listener: () => void): (() => void) => {
      const off = this.link.onChange(listener);
      this.knownListeners.add(listener);
      return () => {
        off();
        this.knownListeners.delete(listener);
      };
    };
    // A link the client flooded will show nothing new: fail with why, not after the wait.
    const unlessBroken = (ui: ChatUi): T | undefined => {
      const broken = this.link.broken?.();
      if (broken) throw broken;
      return fn(ui);
    };
    return waitForUi(() => this.ui(), subscribe, unlessBroken, opts.step, opts.within * this.scale);
  }

  async sync(within: number): Promise<void> {
    const ms = within * this.scale;
    try {
      await this.link.command({ cmd: 'sync' }, ms);
    } catch (err) {
      throw new ProbeTimeout(`the GUI did not answer a sync within ${Math.round(ms)} ms (${err instanceof Error ? err.message : String(err)})`, 'sync');
    }
  }

  async startChat(users: string[]): Promise<void> {
    const run = this.begin(`could not start a chat with ${list(users)}`);
    return startChat(this.screen(), run, users);
  }

  /** What start-chat.ts acts through: a fresh look before every step. */
  private screen(): Screen {
    return {
      look: async () => {
        await this.settle();
        return this.analysis();
      },
      lookUntil: async (ok) => {
        await this.settle();
        const now = this.analysis();
        if (ok(now)) return now;
        const step = 'the online list to show the users again';
        await this.waitFor(() => (ok(this.analysis()) ? true : undefined), { within: this.confirmMs, step }).catch(() => undefined);
        return this.analysis();
      },
      region: (a, window) => this.region(a, window),
      record: (path) => this.link.tree().get(path),
      showTabOf: (run, a, path) => this.showTabOf(run, a, path),
      ...(this.ctx.ui?.invite ? { inviteOverride: this.ctx.ui.invite } : {}),
    };
  }

  async accept(invitationWindow: string): Promise<void> {
    const run = this.begin(`could not accept the invitation in '${invitationWindow}'`);
    await this.settle();
    const a = this.analysis();
    this.requireWindow(a, invitationWindow, run);
    const path = a.invitations.get(invitationWindow)?.acceptPath ??
      this.findButton(a, invitationWindow, ACCEPT_WORDS, this.ctx.ui?.accept)?.path;
    if (!path) throw run.missing(`no button labelled accept/join/yes/ok in '${invitationWindow}'${this.buttonList(a, invitationWindow)}`);
    return run.invoke(this.link.tree().get(path)!);
  }

  async decline(invitationWindow: string): Promise<void> {
    const run = this.begin(`could not decline the invitation in '${invitationWindow}'`);
    await this.settle();
    const a = this.analysis();
    this.requireWindow(a, invitationWindow, run);
    const path = a.invitations.get(invitationWindow)?.declinePath ??
      this.findButton(a, invitationWindow, DECLINE_WORDS, this.ctx.ui?.decline)?.path;
    if (path) return run.invoke(this.link.tree().get(path)!);
    run.note(`no button labelled decline/no/cancel/reject in '${invitationWindow}'${this.buttonList(a, invitationWindow)}`);
    await run.exec({ cmd: 'close', window: invitationWindow }, `closed '${invitationWindow}' through the window manager`);
  }

  async say(conversationWindow: string, text: string): Promise<void> {
    const run = this.begin(`could not send ${JSON.stringify(text)} in '${conversationWindow}'`);
    // Type where a person types; a box that does not take the text is no input, so try the next one.
    for (let attempt = 0; ; attempt++) {
      await this.settle();
      const a = this.analysis();
      this.requireWindow(a, conversationWindow, run);
      const conv = a.conversations.get(conversationWindow);
      if (!conv) throw run.missing(`'${conversationWindow}' has no input (Entry or small Text) beside a transcript`);
      await this.showTabOf(run, a, conversationWindow);
      try {
        await run.exec({ cmd: 'set_text', path: conv.inputPath, text }, `typed the text into ${conv.inputPath}`);
        this.typed.set(conv.inputPath, true);
        break;
      } catch (err) {
        if (!(err instanceof ActionError) || !/did not take the typed text/.test(err.message) || attempt >= 2) throw err;
        this.typed.set(conv.inputPath, false);
      }
    }
    await this.settle();
    const a = this.analysis();
    const conv = a.conversations.get(conversationWindow);
    const input = conv ? this.link.tree().get(conv.inputPath) : undefined;
    if (!conv || !input) throw run.fail(`'${conversationWindow}' went away after typing`);
    if (conv.sendPath) return run.invoke(this.link.tree().get(conv.sendPath)!);
    run.note(`no Send button in '${conversationWindow}'`);
    const key = sendKey([...(input.binds ?? []), ...(this.link.tree().get(input.window)?.binds ?? [])]);
    const image = key ? undefined : this.region(a, conversationWindow).find((w) => isButton(w) && !caption(w) && w.image && w.parent === input.parent);
    if (image) return run.invoke(image);
    await run.exec({ cmd: 'key', path: conv.inputPath, keysym: key ?? 'Return' }, `pressed ${key ?? 'Return'} in ${conv.inputPath}`);
  }

  async closeConversation(conversationWindow: string): Promise<void> {
    const run = this.begin(`could not close the conversation '${conversationWindow}'`);
    await this.settle();
    const a = this.analysis();
    this.requireWindow(a, conversationWindow, run);
    const send = a.conversations.get(conversationWindow)?.sendPath;
    const leave = this.findButton(a, conversationWindow, LEAVE_WORDS, this.ctx.ui?.leave, send);
    const tab = a.tabs.get(conversationWindow);
    if (leave) {
      await this.showTabOf(run, a, conversationWindow);
      return run.invoke(leave);
    }
    if (!tab) {
      run.note(`no button labelled leave/close in '${conversationWindow}'`);
      return this.closeWindow(run, conversationWindow);
    }
    // A tab has no window-manager close: a "Close tab" button beside the notebook acts on the tab in front.
    const host = this.link.tree().get(tab.notebook)?.window ?? '';
    const outside = (this.region(a, host)).filter((w) => !isWithin(w.path, tab.notebook));
    const closer = outside.find((w) => matchesOverride(w, this.ctx.ui?.leave)) ??
      outside.find((w) => isButton(w) && LEAVE_WORDS.test(caption(w)) && !QUIT_WORDS.test(caption(w)));
    if (!closer) throw run.missing(`no button labelled leave/close in the tab '${tab.title}' nor beside its notebook ${tab.notebook}`);
    await this.showTabOf(run, a, conversationWindow);
    return run.invoke(closer);
  }

  async setStatus(status: string): Promise<void> {
    const run = this.begin(`could not set the status to ${q(status)}`);
    await this.settle();
    const a = this.analysis();
    const wanted = status.toLowerCase();
    const others = a.ui.windows.filter((w) => w.id !== a.ui.main && w.kind !== 'conversation').map((w) => w.id);
    const windows = [...(a.ui.main !== undefined ? [a.ui.main] : []), ...others];
    const widgets = windows.flatMap((w) => this.region(a, w));
    const forced = widgets.find((w) => matchesOverride(w, this.ctx.ui?.status));
    const menus = forced ? [forced] : widgets.filter((w) => ['Menubutton', 'Combobox'].includes(baseClass(w.cls)) && w.items?.length);
    for (const m of menus) {
      const option = m.items?.find((i) => i.trim().toLowerCase() === wanted);
      if (option !== undefined) {
        await run.exec({ cmd: 'set_value', path: m.path, value: option }, `chose ${q(option)} in ${m.path}`);
        return;
      }
      if (m === forced && (isButton(m) || baseClass(m.cls) === 'Radiobutton')) return run.invoke(m);
      run.note(`${m.path} has no option ${q(status)} (options: ${list(m.items ?? [])})`);
    }
    const says = (w: WidgetRecord): boolean =>
      (w.value ?? '').trim().toLowerCase() === wanted || statusWords(caption(w)).split(' ').includes(wanted);
    const radio = widgets.find((w) => baseClass(w.cls) === 'Radiobutton' && says(w));
    if (radio) return run.invoke(radio);
    const button = widgets.find((w) => isButton(w) && says(w));
    if (button) return run.invoke(button);
    throw run.missing(`no OptionMenu/Combobox option, Radiobutton or button labelled ${q(status)}${menus.length ? '' : ' in the main window'}`);
  }

  async quit(): Promise<void> {
    const run = this.begin('could not quit');
    await this.settle();
    const a = this.analysis();
    const main = a.ui.main;
    if (main === undefined) throw run.missing('no main window on screen');
    const before = new Set(a.ui.windows.map((w) => w.id));
    try {
      await this.closeWindow(run, main);
    } catch (err) {
      if (!(err instanceof ActionError)) throw err;
      const button = this.findButton(a, main, QUIT_WORDS, this.ctx.ui?.quit);
      if (!button) throw run.missing('no button labelled quit/exit in the main window');
      await run.invoke(button);
    }
    await this.confirmQuit(run, main, before);
  }

  /**
   * A question that pops up on quitting ("Really log out?") is answered the
   * way a person who wants to quit answers it (yes, OK, quit); watching ends
   * as soon as the main window goes.
   */
  private async confirmQuit(run: Attempt, main: string, seen: Set<string>): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const next = await this.waitFor((ui) => {
        if (ui.main !== main) return { gone: true as const };
        const a = this.analysis();
        for (const w of ui.windows) {
          if (seen.has(w.id) || w.kind === 'main' || w.kind === 'conversation') continue;
          const yes = this.region(a, w.id).find((b) => isButton(b) && CONFIRM_WORDS.test(caption(b)));
          if (yes) return { window: w.id, yes };
        }
        return undefined;
      }, { within: this.confirmMs, step: 'a question after quitting' }).catch(() => undefined);
      if (!next || 'gone' in next) return;
      seen.add(next.window);
      const text = this.link.tree().get(next.window)?.text;
      run.note(`a question appeared${text ? ` ("${text.slice(0, 80)}")` : ''} in '${next.window}'`);
      await run.invoke(next.yes);
    }
  }

  /** Bring the notebook tab holding `path` to the front when it is not (a person clicks the tab first). */
  private async showTabOf(run: Attempt, a: Analysis, path: string): Promise<void> {
    for (const tab of a.tabs.values()) {
      if (tab.current || !isWithin(path, tab.pane)) continue;
      await run.exec({ cmd: 'show', path: tab.notebook, tab: tab.pane }, `brought the tab '${tab.title}' to the front`);
    }
  }

  /**
   * Let the GUI finish drawing what just appeared: sync until a round trip
   * flushes no change (three at most), since a Frame's children are mapped
   * an event-loop turn after the Frame.
   */
  private async settle(): Promise<void> {
    let last: number | undefined = this.link.seq?.();
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const seq = await this.link.command({ cmd: 'sync' }, this.commandMs * this.scale).then(
        (r) => (r as { seq?: number } | undefined)?.seq,
        () => undefined,
      );
      if (seq === undefined || seq === last) return;
      // A round trip this slow means the event loop was blocked (a frozen GUI): by the time it
      // answered it had drawn all it had queued, and each further sync would only cost another freeze.
      if (performance.now() - t0 > SLOW_SYNC_MS * this.scale) return;
      last = seq;
    }
  }

  private async closeWindow(run: Attempt, window: string): Promise<void> {
    const handler = this.link.tree().get(window)?.hasDeleteHandler;
    const how = handler === false ? ' (no WM_DELETE_WINDOW handler: Tk destroys it)' : '';
    await run.exec({ cmd: 'close', window }, `closed '${window}' through the window manager${how}`);
  }

  /** What a person can reach in a window or conversation tab. */
  private region(a: Analysis, window: string): WidgetRecord[] {
    return a.regions.get(window) ?? widgetsIn(treeOrder(this.link.tree()), window);
  }

  private findButton(a: Analysis, window: string, words: RegExp, override?: string, exclude?: string): WidgetRecord | undefined {
    const widgets = this.region(a, window);
    return widgets.find((w) => matchesOverride(w, override, window)) ??
      widgets.find((w) => isButton(w) && w.path !== exclude && words.test(caption(w)));
  }

  private buttonList(a: Analysis, window: string): string {
    const captions = this.region(a, window).filter(isButton).map(caption).filter(Boolean);
    return captions.length ? ` (buttons: ${list(captions)})` : ' (it has no buttons)';
  }

  private requireWindow(a: Analysis, window: string, run: Attempt): void {
    if (!a.ui.windows.some((w) => w.id === window)) {
      const open = a.ui.windows.map((w) => `'${w.id}'`).join(', ') || 'none';
      throw run.fail(`no window '${window}' on screen (open: ${open})`);
    }
  }

  private begin(what: string): Attempt {
    const run = new Attempt(what, this.link, this.commandMs * this.scale);
    this.lastTried = run.tried;
    return run;
  }
}
