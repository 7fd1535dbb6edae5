// One live connection to a Tk agent: applies its tree and diffs to a flat
// widget map, numbers commands and matches their replies, keeps crash
// evidence. Every wait is bounded and ends in a ProbeError with a code.

import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { deadlineTimer } from '../load/deadlines.js';
import { Backlog, MAX_HELD, MAX_HELD_BYTES } from './backlog.js';
import type { AgentEvent, AgentRequest, ProbeLink, WidgetRecord, WidgetTree } from './widgets.js';

/** A probe fault, with a stable dotted code ('probe.timeout', 'probe.closed', ...). */
export class ProbeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** A hello as received: the Tk agent's (pid, python, tk, argv) or an explicit client's (mode: 'explicit'). */
export type HelloEvent = { type: 'hello'; token: string; mode?: string } & Partial<Omit<Extract<AgentEvent, { type: 'hello' }>, 'type' | 'token'>>;

/** Agent -> grader events beyond widgets.ts: faults of the agent itself. */
export type AgentExtraEvent = { type: 'agent_error'; text: string };

/** Any event the link may receive. */
export type LinkEvent = AgentEvent | AgentExtraEvent | { type: string; [key: string]: unknown };

/** Default limit for a command's reply, ms. */
export const DEFAULT_COMMAND_WITHIN = 5000;

/**
 * What a client may send on the probe channel: one message (a whole tree of
 * a large GUI takes a few kB; the reference's largest is under 2 kB), and
 * in all over a run (the reference sends about 30 kB). The code inside the
 * client can write to this channel too, so past either cap the grader stops
 * listening: the client's failure, never the grader's memory.
 */
export const PROBE_CAPS = { messageBytes: 4 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  what: string;
}

function describe(req: Record<string, unknown>): string {
  const target = req.path ?? req.window;
  return target === undefined ? String(req.cmd) : `${String(req.cmd)} ${String(target)}`;
}

/** A ProbeLink over a TCP socket whose hello was already read. */
export class AgentLink implements ProbeLink {
  /** Resolves when the connection is gone (the agent exited, or close()). */
  readonly closed: Promise<void>;
  private widgets: Map<string, WidgetRecord> = new Map();
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(ev: LinkEvent) => void>();
  private readonly pending = new Map<number, Pending>();
  private readonly crashList: { kind: string; text: string }[] = [];
  private readonly agentErrorList: string[] = [];
  /** Events the link does not apply itself, held for the message channel's first subscriber. */
  private readonly early = new Backlog<LinkEvent>();
  private nextId = 1;
  private lastSeq = 0;
  private buffer = '';
  private readonly decoder = new StringDecoder('utf8');
  private isClosed = false;
  private received = 0;
  /** Set when the client broke a cap: every later wait fails with it. */
  private flooded: ProbeError | undefined;

  constructor(
    private readonly socket: Socket,
    readonly hello: HelloEvent,
    rest: Buffer = Buffer.alloc(0),
  ) {
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.shutdown('the agent connection closed');
        resolve();
      });
    });
    socket.on('error', () => undefined); // 'close' follows and says it all
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    if (rest.length) this.take(rest);
  }

  tree(): WidgetTree {
    return this.widgets;
  }

  /** Sequence number of the last tree or diff applied. */
  seq(): number {
    return this.lastSeq;
  }

  isOpen(): boolean {
    return !this.isClosed;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every event received from now on, after it was applied (logs, benchmarks, waits). */
  onEvent(listener: (ev: LinkEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  crashes(): readonly { kind: string; text: string }[] {
    return this.crashList;
  }

  broken(): ProbeError | undefined {
    return this.flooded;
  }

  /** Faults the agent reported about itself (not the student's). */
  agentErrors(): readonly string[] {
    return this.agentErrorList;
  }

  command(req: AgentRequest, within = DEFAULT_COMMAND_WITHIN): Promise<unknown> {
    return this.commandRaw(req as unknown as Record<string, unknown>, within);
  }

  /** Send any command object (an id is added); same reply rules as command(). */
  commandRaw(req: Record<string, unknown>, within = DEFAULT_COMMAND_WITHIN): Promise<unknown> {
    const what = describe(req);
    if (this.isClosed) {
      return Promise.reject(this.flooded ?? new ProbeError('probe.closed', `cannot send "${what}": the agent connection is closed`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = deadlineTimer(within, () => {
        this.pending.delete(id);
        reject(new ProbeError('probe.timeout', `the GUI did not answer "${what}" within ${within} ms`));
      });
      this.pending.set(id, { resolve, reject, timer, what });
      this.socket.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  /**
   * Resolve with fn's first non-undefined result, checked now and after every
   * change; reject with 'probe.timeout' naming `step` after `within` ms, or
   * with 'probe.closed' when the agent goes away first.
   */
  waitForTree<T>(fn: (tree: WidgetTree) => T | undefined, opts: { within: number; step: string }): Promise<T> {
    return this.waitUntil(() => fn(this.widgets), opts);
  }

  /**
   * Like waitForTree, but fn is checked after every event (crashes and
   * replies too), for conditions on crashes() or agentErrors().
   */
  waitUntil<T>(fn: () => T | undefined, opts: { within: number; step: string }): Promise<T> {
    const first = fn();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | undefined, value?: T): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        if (err) reject(err);
        else resolve(value as T);
      };
      const timer = deadlineTimer(opts.within, () => finish(new ProbeError('probe.timeout', `waited ${opts.within} ms for ${opts.step}`)));
      const unsubscribe = this.onEvent(() => {
        let value: T | undefined;
        try {
          value = fn();
        } catch (e) {
          finish(e as Error);
          return;
        }
        if (value !== undefined) finish(undefined, value);
      });
      void this.closed.then(() =>
        finish(this.flooded ?? new ProbeError('probe.closed', `the agent connection closed while waiting for ${opts.step}`)),
      );
    });
  }

  /** Write one raw JSON line (explicit-probe commands; Tk commands go through command()). */
  send(obj: unknown): void {
    if (!this.isClosed) this.socket.write(`${JSON.stringify(obj)}\n`);
  }

  /**
   * The connection as a plain message channel (the explicit probe's
   * LineConnection): raw sends, every received event, close notification.
   * The channel's first subscriber is first handed, in order, every event
   * the link did not apply itself that arrived before it subscribed (the
   * link applies trees, diffs, crashes and its own replies; an explicit
   * client's events are all the subscriber's to interpret).
   */
  connection(): {
    send(obj: unknown): void;
    onMessage(cb: (obj: unknown) => void): () => void;
    onClose(cb: () => void): () => void;
  } {
    return {
      send: (obj) => this.send(obj),
      onMessage: (cb) => {
        const off = this.onEvent(cb);
        for (const ev of this.early.take()) guard(() => cb(ev));
        return off;
      },
      onClose: (cb) => {
        let live = true;
        void this.closed.then(() => live && cb());
        return () => {
          live = false;
        };
      },
    };
  }

  /** Close the connection (the client keeps running). */
  close(): void {
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    if (this.flooded) return;
    this.received += chunk.length;
    if (this.received > PROBE_CAPS.totalBytes) return this.drop(`more than ${mib(PROBE_CAPS.totalBytes)} in all`);
    this.receive(this.decoder.write(chunk));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      // Characters, not bytes: a cap in UTF-16 units is at most 3 times looser, and never tighter.
      if (line.length > PROBE_CAPS.messageBytes) return this.drop(`a message longer than ${mib(PROBE_CAPS.messageBytes)}`);
      if (line.trim()) this.handleLine(line);
      if (this.flooded) return;
    }
    if (this.buffer.length > PROBE_CAPS.messageBytes) this.drop(`a message longer than ${mib(PROBE_CAPS.messageBytes)}`);
  }

  /** Stop listening to a client that broke a cap; what it did is its own failure ('probe.flooded'). */
  private drop(what: string): void {
    this.flooded = new ProbeError('probe.flooded', `the client sent ${what} on the probe channel (the grader's limit), so the grader stopped listening to it and can no longer see its GUI`);
    this.agentErrorList.push(this.flooded.message);
    this.buffer = '';
    this.shutdown(this.flooded.message);
    this.socket.destroy();
    // Waits on the tree look again, and see broken().
    for (const l of [...this.listeners]) guard(() => l());
  }

  private handleLine(line: string): void {
    let ev: LinkEvent;
    try {
      ev = JSON.parse(line) as LinkEvent;
    } catch {
      this.agentErrorList.push(`unparsable agent line: ${line.slice(0, 200)}`);
      return;
    }
    let changed = false;
    let applied = true;
    switch (ev.type) {
      case 'tree': {
        const e = ev as Extract<AgentEvent, { type: 'tree' }>;
        this.widgets = new Map(e.widgets.map((w) => [w.path, w]));
        this.lastSeq = e.seq;
        changed = true;
        break;
      }
      case 'diff': {
        const e = ev as Extract<AgentEvent, { type: 'diff' }>;
        // A fresh map per change: trees handed out earlier stay as they were.
        const next = new Map(this.widgets);
        for (const path of e.removed) next.delete(path);
        for (const w of e.set) next.set(w.path, w);
        this.widgets = next;
        this.lastSeq = e.seq;
        changed = true;
        break;
      }
      case 'crash': {
        const e = ev as Extract<AgentEvent, { type: 'crash' }>;
        this.crashList.push({ kind: e.kind, text: e.text });
        // Waits look again: a traceback can decide what they wait for (the GUI may never change after it).
        changed = true;
        break;
      }
      case 'agent_error':
        this.agentErrorList.push(String((ev as AgentExtraEvent).text));
        break;
      case 'reply': {
        const e = ev as Extract<AgentEvent, { type: 'reply' }>;
        const p = this.pending.get(e.id);
        if (!p) {
          // Late for one of ours, or an answer to a command sent with send(): the channel's.
          applied = false;
          break;
        }
        this.pending.delete(e.id);
        clearTimeout(p.timer);
        if (e.ok) p.resolve(e.result);
        else p.reject(new ProbeError('probe.commandFailed', e.error));
        break;
      }
      default:
        applied = false;
        break;
    }
    if (!applied && !this.early.hold(ev, line.length)) {
      this.agentErrorList.push(`more than ${MAX_HELD} events (or ${MAX_HELD_BYTES} bytes) arrived before anyone listened; later early events were dropped`);
    }
    for (const l of [...this.eventListeners]) guard(() => l(ev));
    if (changed) for (const l of [...this.listeners]) guard(() => l());
  }

  private shutdown(why: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(this.flooded ?? new ProbeError('probe.closed', `${why} before answering "${p.what}"`));
    }
    this.pending.clear();
  }
}

function mib(bytes: number): string {
  return `${bytes / 1024 / 1024} MiB`;
}

/** A listener's fault must not break the link for everyone else. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    process.emitWarning(`probe listener failed: ${(e as Error).stack ?? String(e)}`);
  }
}
