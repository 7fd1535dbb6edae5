// The explicit probe: a client in any language reports its UI as semantic
// events and obeys semantic commands over JSON lines (docs/PROBE.md,
// "Explicit mode"). ExplicitDriver folds the events into the same ChatUi the
// Tk interpreter produces, so scenarios cannot tell the two apart.

import type { Socket } from 'node:net';
import { z } from 'zod';
import { deadlineTimer } from '../load/deadlines.js';
import { Backlog } from './backlog.js';
import { ProbeTimeout, waitForUi } from './driver.js';
import { ActionError, type ChatUi, type Driver, type UiWindow } from './ui.js';

/**
 * A message-oriented connection; the driver knows nothing of sockets. A
 * client may report before the driver subscribes (its first events can come
 * in the same read as its hello), so a connection holds what arrives before
 * its first subscriber and hands it over on subscription: no event is lost
 * whatever the timing.
 */
export interface LineConnection {
  send(obj: unknown): void;
  /**
   * Called with every received message, the first subscriber first with
   * those held from before it subscribed, in order; returns an unsubscribe function.
   */
  onMessage(cb: (obj: unknown) => void): () => void;
  /** Called once when the peer goes away; optional for in-process fakes. */
  onClose?(cb: () => void): () => void;
}

const name = z.string().min(1);
const windowKind = z.enum(['main', 'conversation', 'invitation', 'dialog', 'other']);

/** Client -> grader, validated. */
export const explicitEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), token: z.string(), mode: z.literal('explicit'), client: z.string().optional() }),
  z.object({ type: z.literal('window'), id: name, kind: windowKind, title: z.string().default(''), open: z.boolean(), text: z.string().optional() }),
  z.object({ type: z.literal('users'), users: z.array(z.string()), statuses: z.record(z.string(), z.string()).optional() }),
  z.object({ type: z.literal('members'), window: name, members: z.array(z.string()) }),
  z.object({ type: z.literal('transcript'), window: name, lines: z.array(z.string()), append: z.boolean().optional() }),
  z.object({ type: z.literal('status'), user: z.string(), status: z.string() }),
  z.object({ type: z.literal('icon'), user: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/i) }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
]);

/** A validated explicit-probe event. */
export type ExplicitEvent = z.infer<typeof explicitEvent>;

/** Grader -> client. Every command gets exactly one reply with its id. */
export type ExplicitCommand =
  | { id: number; cmd: 'invite'; users: string[] }
  | { id: number; cmd: 'accept' | 'decline' | 'close'; window: string }
  | { id: number; cmd: 'say'; window: string; text: string }
  | { id: number; cmd: 'set_status'; status: string }
  | { id: number; cmd: 'quit' | 'sync' };

type Request = ExplicitCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** Options of an ExplicitDriver. */
export interface ExplicitDriverOptions {
  /** Multiplies every time limit. Default 1. */
  timeScale?: number;
  /** Limit for one command's reply, before timeScale. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** When set, a hello with another token is recorded as a problem. */
  token?: string;
}

interface WindowState {
  kind: UiWindow['kind'];
  title: string;
  text?: string;
}

interface Pending {
  cmd: string;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Drives a client that speaks the explicit probe protocol. */
export class ExplicitDriver implements Driver {
  private readonly windows = new Map<string, WindowState>();
  private users: string[] | undefined;
  private statuses: Record<string, string> = {};
  private readonly members = new Map<string, string[]>();
  private readonly transcripts = new Map<string, string[]>();
  private readonly icons = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Map<number, Pending>();
  private readonly offs: (() => void)[] = [];
  private readonly problemList: string[] = [];
  private nextId = 1;
  private closed = false;
  private readonly scale: number;
  private readonly commandMs: number;
  /** What the last action did, as TkDriver.lastTried. */
  lastTried: readonly string[] = [];
  /** The client's hello, once received. */
  hello: { token: string; client?: string } | undefined;

  constructor(
    private readonly conn: LineConnection,
    private readonly opts: ExplicitDriverOptions = {},
  ) {
    this.scale = opts.timeScale ?? 1;
    this.commandMs = opts.commandTimeoutMs ?? 2000;
    this.offs.push(conn.onMessage((m) => this.receive(m)));
    if (conn.onClose) this.offs.push(conn.onClose(() => this.lost()));
  }

  /** Events that did not follow the protocol, in arrival order (for the report). */
  problems(): readonly string[] {
    return this.problemList;
  }

  /** Stop listening; pending commands are rejected. */
  dispose(): void {
    for (const off of this.offs.splice(0)) off();
    this.lost();
  }

  ui(): ChatUi {
    const open = [...this.windows];
    const conversations = open.filter(([, w]) => w.kind === 'conversation');
    return {
      main: open.find(([, w]) => w.kind === 'main')?.[0],
      users: this.users ? [...this.users] : undefined,
      statuses: { ...this.statuses },
      mainImages: [...new Set(this.icons.values())],
      conversations: conversations.map(([id, w]) => ({
        window: id,
        title: w.title,
        members: this.members.has(id) ? [...this.members.get(id)!] : undefined,
        transcript: [...(this.transcripts.get(id) ?? [])],
      })),
      invitations: open
        .filter(([, w]) => w.kind === 'invitation')
        .map(([id, w]) => ({ window: id, title: w.title, text: w.text ?? w.title })),
      windows: open.map(([id, w]) => ({
        id,
        title: w.title,
        kind: w.kind,
        texts: [
          ...(w.text ? [w.text] : []),
          ...(w.kind === 'main' ? (this.users ?? []) : []),
          ...(this.members.get(id) ?? []),
          ...(this.transcripts.get(id) ?? []),
        ],
      })),
    };
  }

  waitFor<T>(fn: (ui: ChatUi) => T | undefined, opts: { within: number; step: string }): Promise<T> {
    const subscribe = (l: () => void): (() => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    };
    return waitForUi(() => this.ui(), subscribe, fn, opts.step, opts.within * this.scale);
  }

  async sync(within: number): Promise<void> {
    const ms = within * this.scale;
    try {
      await this.request({ cmd: 'sync' }, ms);
    } catch (err) {
      throw new ProbeTimeout(`the client did not answer a sync within ${Math.round(ms)} ms (${errorText(err)})`, 'sync');
    }
  }

  startChat(users: string[]): Promise<void> {
    return this.act({ cmd: 'invite', users: [...users] }, `invite ${users.join(' ')}`);
  }

  accept(invitationWindow: string): Promise<void> {
    return this.act({ cmd: 'accept', window: invitationWindow }, `accept '${invitationWindow}'`);
  }

  decline(invitationWindow: string): Promise<void> {
    return this.act({ cmd: 'decline', window: invitationWindow }, `decline '${invitationWindow}'`);
  }

  say(conversationWindow: string, text: string): Promise<void> {
    return this.act({ cmd: 'say', window: conversationWindow, text }, `say ${JSON.stringify(text)} in '${conversationWindow}'`);
  }

  closeConversation(conversationWindow: string): Promise<void> {
    return this.act({ cmd: 'close', window: conversationWindow }, `close '${conversationWindow}'`);
  }

  setStatus(status: string): Promise<void> {
    return this.act({ cmd: 'set_status', status }, `set_status ${status}`);
  }

  quit(): Promise<void> {
    return this.act({ cmd: 'quit' }, 'quit');
  }

  private async act(req: Request, what: string): Promise<void> {
    this.lastTried = [`sent ${req.cmd}`];
    try {
      await this.request(req, this.commandMs * this.scale);
    } catch (err) {
      this.lastTried = [`sent ${req.cmd}: ${errorText(err)}`];
      throw new ActionError(`the client did not ${what}`, [...this.lastTried]);
    }
  }

  private request(req: Request, ms: number): Promise<void> {
    if (this.closed) {
      // A client that quit may close before answering: that is the answer.
      return req.cmd === 'quit' ? Promise.resolve() : Promise.reject(new Error('the probe connection is closed'));
    }
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = deadlineTimer(ms, () => {
        this.pending.delete(id);
        reject(new Error(`no reply within ${Math.round(ms)} ms`));
      });
      this.pending.set(id, { cmd: req.cmd, resolve, reject, timer });
      try {
        this.conn.send({ id, ...req });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private lost(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      if (p.cmd === 'quit') p.resolve();
      else p.reject(new Error('the probe connection closed before the reply'));
    }
  }

  private receive(raw: unknown): void {
    const parsed = explicitEvent.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      const problem = `${JSON.stringify(raw).slice(0, 200)}: ${issue?.message ?? 'invalid'}${where}`;
      this.problemList.push(problem);
      // A malformed reply still answers its command: fail it now rather than at its deadline.
      const id = (raw as { type?: unknown; id?: unknown } | null)?.id;
      const p = typeof id === 'number' && (raw as { type?: unknown }).type === 'reply' ? this.pending.get(id) : undefined;
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id as number);
        p.reject(new Error(`malformed reply (${issue?.message ?? 'invalid'}${where})`));
      }
      return;
    }
    const e = parsed.data;
    switch (e.type) {
      case 'hello':
        this.hello = { token: e.token, ...(e.client ? { client: e.client } : {}) };
        if (this.opts.token !== undefined && e.token !== this.opts.token) this.problemList.push('hello: wrong token');
        return;
      case 'reply': {
        const p = this.pending.get(e.id);
        if (!p) {
          this.problemList.push(`reply to unknown command id ${e.id}`);
          return;
        }
        clearTimeout(p.timer);
        this.pending.delete(e.id);
        if (e.ok) p.resolve();
        else p.reject(new Error(e.error ? `the client answered: ${e.error}` : 'the client refused'));
        return;
      }
      case 'window':
        if (e.open) this.windows.set(e.id, { kind: e.kind, title: e.title, ...(e.text !== undefined ? { text: e.text } : {}) });
        else {
          this.windows.delete(e.id);
          this.members.delete(e.id);
          this.transcripts.delete(e.id);
        }
        break;
      case 'users':
        this.users = [...e.users];
        if (e.statuses) this.statuses = { ...e.statuses };
        break;
      case 'members':
        this.members.set(e.window, [...e.members]);
        break;
      case 'transcript':
        this.transcripts.set(e.window, e.append ? [...(this.transcripts.get(e.window) ?? []), ...e.lines] : [...e.lines]);
        break;
      case 'status':
        if (e.status.trim()) this.statuses[e.user] = e.status.trim().toLowerCase();
        else delete this.statuses[e.user];
        break;
      case 'icon':
        this.icons.set(e.user, e.sha256.toLowerCase());
        break;
    }
    for (const l of [...this.listeners]) l();
  }
}

/** JSON lines over a socket; lines that are not JSON go to `onInvalid` (a probe problem, not a crash). */
export function socketLineConnection(socket: Socket, onInvalid?: (line: string) => void): LineConnection {
  let buffer = '';
  const listeners = new Set<(obj: unknown) => void>();
  const early = new Backlog<unknown>();
  const closers = new Set<() => void>();
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        onInvalid?.(line);
        continue;
      }
      if (early.holding) {
        // Nobody listens yet: keep it for the first subscriber.
        if (!early.hold(obj, line.length)) onInvalid?.('(more early events than a connection holds before anyone listens; dropped)');
        continue;
      }
      for (const l of [...listeners]) l(obj);
    }
  });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const c of [...closers]) c();
  };
  socket.on('close', close);
  socket.on('error', close);
  return {
    send: (obj) => {
      if (!socket.writable) throw new Error('the probe connection is closed');
      socket.write(JSON.stringify(obj) + '\n');
    },
    onMessage: (cb) => {
      listeners.add(cb);
      for (const obj of early.take()) cb(obj);
      return () => listeners.delete(cb);
    },
    onClose: (cb) => {
      closers.add(cb);
      return () => closers.delete(cb);
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
