// JavaScript clients inside the grader: each run's client in a worker
// thread (agent/js/worker.mjs) whose global WebSocket is mock-socket's. The
// mock Server must share the client's realm, so it lives in the worker as a
// relay; this side turns the relayed sockets into the fake server's
// Connections and the relayed probe into a message channel for the
// ExplicitDriver. No port is opened. Trusted code only: nothing is sandboxed,
// but a client that loops, throws or never answers cannot hang the grader,
// since every wait is bounded and kill() terminates the thread.

import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Listener } from '../fake-server/transport.js';
import { ListenError } from '../fake-server/tcp.js';
import { WsConnection, manualListener, wsUrl, type MessageSocket } from '../fake-server/ws.js';
import type { ClientProcess, Launcher } from '../launcher.js';
import { deadlineTimer } from '../load/deadlines.js';
import { Backlog } from '../probe/backlog.js';
import type { LineConnection } from '../probe/explicit.js';
import { ProbeError } from '../probe/link.js';
import { crashText } from './crashes.js';
import { jsWorker } from './runner.js';

/** Output kept from a worker's stderr. */
const OUTPUT_CAP = 256 * 1024;
/** Heap of one client's thread. */
const HEAP_MB = 256;

type FromWorker =
  | { t: 'conn'; id: number; server: number }
  | { t: 'msg'; id: number; data: string | Uint8Array; binary?: boolean }
  | { t: 'closed'; id: number; code?: number }
  | { t: 'probe'; event: unknown }
  | { t: 'crash'; kind: string; text: string }
  | { t: 'started' | 'stopped' }
  | { t: 'report'; report: unknown };

/** One relayed socket: the MessageSocket the core's WsConnection reads, fed by the worker's messages. */
function relayedSocket(worker: Worker, id: number, url: string) {
  let onMessage: (data: string | Uint8Array, binary: boolean) => void = () => undefined;
  let onClose: (info: { error?: string }) => void = () => undefined;
  const post = (m: object): void => {
    try {
      worker.postMessage({ ...m, id });
    } catch {
      // The thread is gone: its exit closes the socket.
    }
  };
  const socket: MessageSocket = {
    remote: 'worker client',
    local: url,
    send: (text) => post({ t: 'send', text }),
    close: () => post({ t: 'close' }),
    terminate: () => post({ t: 'reset' }),
    onMessage: (cb) => (onMessage = cb),
    onClose: (cb) => (onClose = cb),
  };
  return { socket, message: (d: string | Uint8Array, b: boolean) => onMessage(d, b), closed: (error?: string) => onClose(error ? { error } : {}) };
}

/** Text kept from a stream, up to the cap. */
function capture(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (text.length < OUTPUT_CAP) text += chunk.slice(0, OUTPUT_CAP - text.length);
  });
  return () => text;
}

type HubListener = ReturnType<typeof manualListener>;

/** Start `entry` in a worker thread, given `url`; a mock server at each listener's URL feeds that listener. */
function startWorkerClient(opts: { entry: string; url: string; user: string; listeners: HubListener[]; timeScale: number }): ClientProcess {
  const worker = new Worker(jsWorker(), {
    workerData: { mode: 'client', entry: pathToFileURL(opts.entry).href, url: opts.url, serverUrls: opts.listeners.map((l) => l.url), user: opts.user },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
  });
  const stderr = capture(worker.stderr);
  capture(worker.stdout);
  const sockets = new Map<number, ReturnType<typeof relayedSocket>>();
  const crashes: string[] = [];
  const probeListeners = new Set<(obj: unknown) => void>();
  const closeListeners = new Set<() => void>();
  const early = new Backlog<unknown>();
  let exit: { code: number | null; signal: string | null } | undefined;
  let terminated = false;
  let stopped: (() => void) | undefined;

  worker.on('message', (m: FromWorker) => {
    switch (m.t) {
      case 'conn': {
        const listener = opts.listeners[m.server];
        if (!listener) break;
        const relay = relayedSocket(worker, m.id, listener.url);
        sockets.set(m.id, relay);
        listener.accept(new WsConnection(relay.socket));
        break;
      }
      case 'msg':
        sockets.get(m.id)?.message(m.data, m.binary === true);
        break;
      case 'closed':
        sockets.get(m.id)?.closed(m.code === 1006 ? 'connection reset' : undefined);
        sockets.delete(m.id);
        break;
      case 'probe':
        // Events before the driver subscribes are kept (bounded in number), as on a probe socket.
        if (early.holding) early.hold(m.event, 0);
        else for (const l of [...probeListeners]) l(m.event);
        break;
      case 'crash':
        crashes.push(crashText(m.kind, m.text));
        break;
      case 'stopped':
        stopped?.();
        break;
    }
  });
  // An error that escaped the client's realm (e.g. out of memory) ends the thread.
  worker.on('error', (err) => crashes.push(crashText('fatal', err.stack ?? String(err))));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    worker.once('exit', (code) => {
      exit = { code: terminated ? null : code, signal: terminated ? 'terminated' : null };
      for (const [, s] of sockets) s.closed();
      sockets.clear();
      for (const l of [...closeListeners]) l();
      resolve(exit);
    });
  });

  const channel: LineConnection = {
    send: (command) => {
      if (exit) throw new Error('the probe connection is closed');
      worker.postMessage({ t: 'cmd', command });
    },
    onMessage: (cb) => {
      probeListeners.add(cb);
      for (const e of early.take()) cb(e);
      return () => probeListeners.delete(cb);
    },
    onClose: (cb) => {
      closeListeners.add(cb);
      return () => closeListeners.delete(cb);
    },
  };

  return {
    link: undefined,
    channel,
    probeMode: 'explicit',
    exitStatus: () => exit,
    exited,
    stderr,
    tracebacks: () => [...crashes],
    async kill() {
      if (exit) return;
      // The client's own stop() first, briefly; then the thread ends regardless.
      const asked = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ t: 'stop' });
      await Promise.race([asked, exited, new Promise((r) => setTimeout(r, 200 * opts.timeScale).unref())]);
      if (!exit) {
        terminated = true;
        await worker.terminate();
      }
      await exited;
    },
  };
}

/**
 * The in-process runtime of one grading: `listen` is the fake server's
 * transport (no port opened; the number only names the URL) and `launcher`
 * starts the client of the run whose URL it is given.
 */
export function inProcessClients(entryPath: string, timeScale = 1): { listen: (host: string, port?: number) => Promise<Listener>; launcher: Launcher } {
  const servers = new Map<string, HubListener>();
  let nextPort = 20_000 + randomInt(30_000);
  return {
    listen: async (host, port) => {
      const listener = manualListener(host, port ?? nextPort++, async () => {
        servers.delete(listener.url);
      });
      if (servers.has(listener.url)) throw new ListenError('server.portInUse', `${listener.url} is already in use`);
      servers.set(listener.url, listener);
      return listener;
    },
    launcher: async ({ vars }) => {
      const url = wsUrl(vars.host ?? '127.0.0.1', Number(vars.port));
      const given = servers.get(url);
      if (!given) throw new ProbeError('client.spawnFailed', `no in-process server listens at ${url}`);
      // The other servers on that port (a trap on another host) are reachable too, as on a network.
      const others = [...servers.values()].filter((l) => l !== given && l.port === given.port);
      return startWorkerClient({ entry: entryPath, url, user: vars.user ?? '', listeners: [given, ...others], timeScale });
    },
  };
}

/** Import one module in a throwaway worker (the structure checks' import check); undefined when it did not return in time. */
export async function inspectInWorker(file: string, within: number): Promise<unknown> {
  const worker = new Worker(jsWorker(), { workerData: { mode: 'inspect', entry: pathToFileURL(file).href }, stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
  capture(worker.stdout);
  capture(worker.stderr);
  try {
    return await new Promise((resolve) => {
      const timer = deadlineTimer(within, () => resolve(undefined));
      worker.on('message', (m: FromWorker) => {
        if (m.t !== 'report') return;
        clearTimeout(timer);
        resolve(m.report);
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        resolve({ sockets: [], timers: 0, exports: [], error: err.stack ?? String(err) });
      });
    });
  } finally {
    await worker.terminate();
  }
}
