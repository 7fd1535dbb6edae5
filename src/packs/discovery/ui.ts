// The peer's window as the discovery checks see it: the list of known peers,
// read with the chat pack's conventions for its user list (a Listbox,
// Treeview or Text with one peer per line, or a widget per peer; src/probe/
// interpret.ts finds it), each entry split into name, URL and the rest
// (metadata). The driver waits on this model and acts through the TkDriver.

import { ProbeTimeout, TkDriver } from '../../probe/driver.js';
import { analyze, baseClass, nameTokens, type InterpretContext } from '../../probe/interpret.js';
import type { UiWindow } from '../../probe/ui.js';
import type { ProbeLink, WidgetTree } from '../../probe/widgets.js';

/** One peer as the window shows it. */
export interface UiPeer {
  name: string;
  /** The entry's whole text (with the texts beside it, for a widget per peer). */
  text: string;
  /** The first tcp:// URL in the text. */
  url: string | undefined;
  /** The text without the name and the URL: where metadata shows. */
  rest: string;
  /** True when the name is one the grader announced (or the peer's own). */
  known: boolean;
}

/** What the peer's window shows, interpreted. */
export interface PeerUi {
  main: string | undefined;
  /** The peers listed, or undefined when no list was found. */
  peers: UiPeer[] | undefined;
  windows: UiWindow[];
}

const URL_IN_TEXT = /tcp:\/\/[^\s,;()<>[\]{}"']+/;

/** Read a widget tree as a PeerUi. */
export function readPeerUi(tree: WidgetTree, ctx: InterpretContext): PeerUi {
  const a = analyze(tree, ctx);
  const known = new Set([...ctx.knownUsers, ctx.self]);
  // A caption naming the peer itself ("alice at tcp://...") is not a list of
  // one: while the real list is empty, such a label would otherwise stand in for it.
  const view = a.users?.kind === 'widgets' && a.users.entries.every((e) => e.user === ctx.self) ? { ...a.users, entries: [] } : a.users;
  const peers = view?.entries.map((e): UiPeer => {
    let text = e.text;
    if (view.kind === 'widgets') {
      // A row of widgets for one peer: its name in one label, the URL or status in others.
      const own = tree.get(e.path);
      const row = [...tree.values()].filter((w) => w.parent === own?.parent && w.mapped && w.path !== e.path && ['Label', 'Message', 'Entry'].includes(baseClass(w.cls)));
      const others = row.filter((w) => nameTokens(w.text ?? '').some((t) => known.has(t)));
      if (others.length === 0) text = [e.text, ...row.map((w) => w.text ?? '')].join(' ');
    }
    const url = URL_IN_TEXT.exec(text)?.[0];
    const rest = (url ? text.replace(url, ' ') : text).replace(e.user, ' ').replace(/\s+/g, ' ').trim();
    return { name: e.user, text, url, rest, known: e.known };
  });
  return { main: a.ui.main, peers, windows: a.ui.windows };
}

/** One line for failure messages: what the window lists. */
export function describePeers(ui: PeerUi): string {
  if (ui.main === undefined) return ui.windows.length ? `no main window (windows: ${ui.windows.map((w) => `'${w.title || w.id}'`).join(', ')})` : 'no window on screen';
  if (ui.peers === undefined) return `the window '${ui.main}' has no list of peers`;
  if (ui.peers.length === 0) return 'an empty list of peers';
  return `the list shows ${ui.peers.map((p) => JSON.stringify(p.text.trim())).join(', ')}`;
}

/** Waits on a peer's window and acts on it (sync, quit) through the Tk agent. */
export class PeerDriver {
  private ctx: InterpretContext;
  private readonly tk: TkDriver;
  private readonly knownListeners = new Set<() => void>();

  constructor(
    private readonly link: ProbeLink,
    opts: InterpretContext & { commandTimeoutMs: number },
  ) {
    const { commandTimeoutMs, ...ctx } = opts;
    this.ctx = { ...ctx, knownUsers: [...ctx.knownUsers] };
    this.tk = new TkDriver(link, { ...this.ctx, commandTimeoutMs });
  }

  /** Names the grader has announced; pending waits re-evaluate. */
  setKnown(names: readonly string[]): void {
    this.ctx = { ...this.ctx, knownUsers: [...names] };
    this.tk.setKnownUsers(names);
    for (const l of [...this.knownListeners]) l();
  }

  ui(): PeerUi {
    return readPeerUi(this.link.tree(), this.ctx);
  }

  /** Called on every change of the window (or of the known names); returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    const off = this.link.onChange(listener);
    this.knownListeners.add(listener);
    return () => {
      off();
      this.knownListeners.delete(listener);
    };
  }

  /** Resolve with fn's first non-undefined result as the window changes; reject with a ProbeTimeout naming `step`. */
  waitFor<T>(fn: (ui: PeerUi) => T | undefined, opts: { within: number; step: string }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let off = (): void => {};
      let done = false;
      const finish = (settle: () => void): void => {
        done = true;
        clearTimeout(timer);
        off();
        settle();
      };
      const check = (): void => {
        if (done) return;
        try {
          const value = fn(this.ui());
          if (value !== undefined) finish(() => resolve(value));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      const timer = setTimeout(() => {
        if (!done) finish(() => reject(new ProbeTimeout(`waited ${Math.round(opts.within)} ms for ${opts.step}; last seen: ${describePeers(this.ui())}`, opts.step)));
      }, opts.within);
      off = this.onChange(check);
      check();
    });
  }

  sync(within: number): Promise<void> {
    return this.tk.sync(within);
  }

  /** Close the window as a person would (the window manager's close, else a Quit button). */
  quit(): Promise<void> {
    return this.tk.quit();
  }
}
