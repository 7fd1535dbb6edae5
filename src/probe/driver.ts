// The Tk driver: reads the UI through interpret.ts and acts as a person would,
// on the widgets the interpretation found, through the agent's low-level
// commands. Each action tries the strategies docs/PROBE.md lists, in order,
// and when none applies throws an ActionError saying what it tried. An action
// resolves once its commands were performed; waiting for effects (a wire
// line, a new window) is the scenario's business.

import { Attempt, q } from './attempt.js';
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
}

const list = (users: readonly string[]): string => users.map(q).join(', ');

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

  constructor(
    private readonly link: ProbeLink,
    opts: TkDriverOptions,
  ) {
    const { timeScale, commandTimeoutMs, confirmWithinMs, ...ctx } = opts;
    this.ctx = { ...ctx, knownUsers: [...ctx.knownUsers] };
    this.scale = timeScale ?? 1;
    this.commandMs = commandTimeoutMs ?? 2000;
    this.confirmMs = confirmWithinMs ?? 1000;
  }

  /** Replace the user names the grader has announced; pending waits re-evaluate. */
  setKnownUsers(users: readonly string[]): void {
    this.ctx = { ...this.ctx, knownUsers: [...users] };
    for (const l of [...this.knownListeners]) l();
  }

  /** The interpretation with the widget paths behind it. */
  analysis(): Analysis {
    return analyze(this.link.tree(), this.ctx);
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
    await this.settle();
    const a = this.analysis();
    const main = a.ui.main;
    if (main === undefined) throw run.fail('no main window on screen');
    const view = a.users;
    if (!view) throw run.fail(`no list of online users in the main window '${main}'`);
    const entries: UserEntry[] = [];
    for (const u of users) {
      const e = view.entries.find((x) => x.user === u);
      if (!e) throw run.fail(`${q(u)} is not in the online list (shown: ${list(view.entries.map((x) => x.user)) || 'nobody'})`);
      entries.push(e);
    }
    const userPaths = new Set(view.kind === 'widgets' ? view.entries.map((e) => e.path) : []);
    const widgets = this.region(a, main).filter((w) => !userPaths.has(w.path));
    const chat = widgets.find((w) => matchesOverride(w, this.ctx.ui?.invite)) ??
      widgets.find((w) => isButton(w) && CHAT_WORDS.test(caption(w)));
    const noChat = 'no button labelled chat/invite/talk/start/new in the main window';
    const one = entries.length === 1 ? entries[0] : undefined;
    const record = (path: string): WidgetRecord | undefined => this.link.tree().get(path);
    await this.showTabOf(run, a, entries[0]?.path ?? view.path);

    if (view.kind === 'listbox' || view.kind === 'treeview') {
      const mode = view.selectmode ?? '';
      if (!one && ['single', 'browse', 'none'].includes(mode)) {
        throw run.fail(`${view.path} lets one user be selected at a time (selectmode ${mode}), so ${list(users)} cannot be selected together`);
      }
      const indices = entries.map((e) => e.index ?? -1);
      await run.exec({ cmd: 'select', path: view.path, indices }, `selected ${list(users)} in ${view.path}`);
      if (chat) return run.invoke(chat);
      run.note(noChat);
      if (!one) throw run.fail('a double-click starts a chat with one user only');
      await run.exec({ cmd: 'double_click', path: view.path, index: one.index ?? 0 }, `double-clicked ${q(one.user)} in ${view.path}`);
      return;
    }
    if (view.kind === 'text') {
      if (chat) {
        const lines = entries.map((e) => e.index ?? 0);
        const [first, last] = [Math.min(...lines), Math.max(...lines)];
        const between = view.entries.filter((e) => !users.includes(e.user) && (e.index ?? -1) > first && (e.index ?? -1) < last);
        if (between.length) throw run.fail(`${list(users)} are not on adjacent lines of ${view.path} (${list(between.map((e) => e.user))} in between), and a drag selects one run of lines`);
        const range = Array.from({ length: last - first + 1 }, (_, i) => first + i);
        await run.exec({ cmd: 'select', path: view.path, indices: range }, `selected the line${range.length > 1 ? 's' : ''} of ${list(users)} in ${view.path}`);
        return run.invoke(chat);
      }
      run.note(noChat);
      if (!one) throw run.fail('a double-click starts a chat with one user only');
      await run.exec({ cmd: 'double_click', path: view.path, index: one.index ?? 0 }, `double-clicked ${q(one.user)} in ${view.path}`);
      return;
    }
    // One widget per user.
    const cls = view.path;
    if (cls === 'Checkbutton') {
      for (const e of view.entries) {
        const want = users.includes(e.user);
        if (Boolean(record(e.path)?.selected) !== want) {
          await run.exec({ cmd: 'invoke', path: e.path }, `${want ? 'ticked' : 'unticked'} ${q(e.user)} (${e.path})`);
        }
      }
      if (chat) return run.invoke(chat);
      throw run.fail(noChat);
    }
    if (cls === 'Button' && chat) {
      for (const e of entries) await run.exec({ cmd: 'invoke', path: e.path }, `pressed ${q(e.user)} (${e.path})`);
      return run.invoke(chat);
    }
    if (cls === 'Radiobutton' || cls === 'Button') {
      if (!one) throw run.fail(chat ? 'one user at a time can be chosen with Radiobuttons' : `${noChat}, and pressing a user's button starts a chat with one user only`);
      if (!chat) run.note(noChat);
      await run.exec({ cmd: 'invoke', path: one.path }, `pressed ${q(one.user)} (${one.path})`);
      if (chat) await run.invoke(chat);
      return;
    }
    // Labels: the agent's invoke clicks a non-button once, as a person selecting it would.
    if (chat) {
      for (const e of entries) await run.exec({ cmd: 'invoke', path: e.path }, `clicked ${q(e.user)} (${e.path})`);
      return run.invoke(chat);
    }
    run.note(noChat);
    if (!one) throw run.fail('a double-click starts a chat with one user only');
    await run.exec({ cmd: 'double_click', path: one.path }, `double-clicked ${q(one.user)} (${one.path})`);
  }

  async accept(invitationWindow: string): Promise<void> {
    const run = this.begin(`could not accept the invitation in '${invitationWindow}'`);
    await this.settle();
    const a = this.analysis();
    this.requireWindow(a, invitationWindow, run);
    const path = a.invitations.get(invitationWindow)?.acceptPath ??
      this.findButton(a, invitationWindow, ACCEPT_WORDS, this.ctx.ui?.accept)?.path;
    if (!path) throw run.fail(`no button labelled accept/join/yes/ok in '${invitationWindow}'${this.buttonList(a, invitationWindow)}`);
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
    await this.settle();
    const a = this.analysis();
    this.requireWindow(a, conversationWindow, run);
    const conv = a.conversations.get(conversationWindow);
    if (!conv) throw run.fail(`'${conversationWindow}' has no input (Entry or small Text) beside a transcript`);
    await this.showTabOf(run, a, conversationWindow);
    await run.exec({ cmd: 'set_text', path: conv.inputPath, text }, `typed the text into ${conv.inputPath}`);
    if (conv.sendPath) return run.invoke(this.link.tree().get(conv.sendPath)!);
    run.note(`no Send button in '${conversationWindow}'`);
    await run.exec({ cmd: 'key', path: conv.inputPath, keysym: 'Return' }, `pressed Return in ${conv.inputPath}`);
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
    if (!closer) throw run.fail(`no button labelled leave/close in the tab '${tab.title}' nor beside its notebook ${tab.notebook}`);
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
    throw run.fail(`no OptionMenu/Combobox option, Radiobutton or button labelled ${q(status)}${menus.length ? '' : ' in the main window'}`);
  }

  async quit(): Promise<void> {
    const run = this.begin('could not quit');
    await this.settle();
    const a = this.analysis();
    const main = a.ui.main;
    if (main === undefined) throw run.fail('no main window on screen');
    const before = new Set(a.ui.windows.map((w) => w.id));
    try {
      await this.closeWindow(run, main);
    } catch (err) {
      if (!(err instanceof ActionError)) throw err;
      const button = this.findButton(a, main, QUIT_WORDS, this.ctx.ui?.quit);
      if (!button) throw run.fail('no button labelled quit/exit in the main window');
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
