// Start one client with the probe wired in: a probe server for it, then the
// client itself, as `python agent/run_client.py main.py ...args` (or the
// configured command), in its folder, on the given display. The client's
// whole process tree is tracked, so kill() leaves nothing behind.

import { setTimeout as delay } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:net';
import { spawnTracked, type ExitInfo, type TrackedProcess } from '../proc/index.js';
import { AgentLink, ProbeError } from './link.js';
import { ProbeServer } from './server.js';

/** Options for launchClient. */
export interface LaunchOptions {
  /** The submission folder: the client's working directory. */
  dir: string;
  /** Entry file, relative to dir. Default "main.py". */
  entry?: string;
  /** The student's arguments (--host ... --port ... --user ...). */
  args?: string[];
  /** The Python executable (from findPython). */
  python: string;
  /** DISPLAY for the client; undefined keeps the environment's. */
  display?: string | undefined;
  /** Base environment; default process.env. Probe variables are added. */
  env?: NodeJS.ProcessEnv;
  /** Replaces the whole command line (placeholders already filled in). */
  command?: string[] | undefined;
  /** Per-stream output cap, bytes. Default 1 MiB. */
  outputCapBytes?: number;
  /** How long to wait for the agent's hello, ms. Default 10000. */
  helloWithin?: number;
  /** Accept a client that describes its own GUI (explicit probe). Default true. */
  acceptExplicit?: boolean;
  /**
   * Where the client runs (a sandbox): opens the probe's listener and starts
   * the command (already the full command line, with `runner` for the agent).
   * Default: a listener on 127.0.0.1 and spawnTracked with opts.env.
   */
  place?: {
    /** The agent's runner script as the client sees it. */
    runner: string;
    listen(): Promise<{ host: string; port: number; server: Promise<Server> }>;
    spawn(command: string[], env: Record<string, string>, outputCapBytes: number | undefined): Promise<TrackedProcess>;
  };
}

/** A running client. */
export interface LaunchedClient {
  proc: TrackedProcess;
  /** The probe connection, when the agent (or an explicit client) said hello. */
  link: AgentLink | undefined;
  /** Why there is no link ('probe.noHello'), when there is none. */
  linkError: ProbeError | undefined;
  server: ProbeServer;
  /** The direct child's exit. */
  exited: Promise<ExitInfo>;
  /** Kill the client's whole tree and close the probe. */
  kill(graceMs?: number): Promise<void>;
}

/** The folder holding run_client.py: ../../agent from both src/probe and dist/probe. */
export function agentDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent');
}

/** Without a sandbox: the client in its folder, in our environment plus the probe's. */
function directPlace(opts: LaunchOptions): NonNullable<LaunchOptions['place']> {
  return {
    runner: agentRunner(),
    listen: () => Promise.reject(new Error('unused')),
    spawn: (command, env, outputCapBytes) => {
      const full: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), ...env };
      if (opts.display !== undefined) full.DISPLAY = opts.display;
      return spawnTracked(command[0]!, command.slice(1), { cwd: opts.dir, env: full, outputCapBytes, dieWithParent: true });
    },
  };
}

/** Path of the runner script. */
export function agentRunner(): string {
  return join(agentDir(), 'run_client.py');
}

/**
 * Start the client and wait (bounded) for its hello. A spawn failure rejects
 * with 'client.spawnFailed'; a client that never says hello (crashed before
 * Tk, or not Python) resolves with link undefined and linkError set.
 */
export async function launchClient(opts: LaunchOptions): Promise<LaunchedClient> {
  if (!opts.command && !existsSync(agentRunner())) {
    throw new ProbeError('env.noAgent', `the probe agent is missing: ${agentRunner()} does not exist`);
  }
  const place = opts.place ?? directPlace(opts);
  const probeOpts = { acceptExplicit: opts.acceptExplicit ?? true };
  const server = opts.place ? ProbeServer.adopt(await place.listen(), probeOpts) : await ProbeServer.start(probeOpts);
  const env: Record<string, string> = { ...server.env(), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const command = opts.command ?? [opts.python, place.runner, opts.entry ?? 'main.py', ...(opts.args ?? [])];
  const [cmd, ...args] = command;
  if (!cmd) {
    await server.close();
    throw new ProbeError('client.spawnFailed', 'the launch command is empty');
  }
  let proc: TrackedProcess;
  try {
    proc = await place.spawn(command, env, opts.outputCapBytes);
  } catch (e) {
    await server.close();
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('sandbox.')) throw err;
    throw new ProbeError('client.spawnFailed', err.message);
  }
  const kill = async (graceMs = 1000): Promise<void> => {
    try {
      await proc.kill(graceMs);
    } finally {
      await server.close();
    }
  };

  const within = opts.helloWithin ?? 10_000;
  let link: AgentLink | undefined;
  let linkError: ProbeError | undefined;
  const outcome = await Promise.race([
    server.waitHello(within).then(
      (l) => l,
      (e: ProbeError) => e,
    ),
    proc.exited.then((x) => x),
  ]);
  if (outcome instanceof AgentLink) {
    link = outcome;
  } else if (outcome instanceof Error) {
    linkError = new ProbeError('probe.noHello', `${outcome.message} (${[cmd, ...args].join(' ')})`);
  } else {
    // Exited first; a hello sent just before the exit may still be in flight.
    link = await server.waitHello(250).catch(() => undefined);
    if (!link) {
      // Its last words may still be in the pipe (bounded: a grandchild may hold it open).
      await Promise.race([proc.closed, delay(1000, undefined, { ref: false })]);
      const tail = proc.stderr().text.trim().split('\n').slice(-5).join('\n');
      linkError = new ProbeError(
        'probe.noHello',
        `the client exited (code ${outcome.code}, signal ${outcome.signal}) before the probe agent said hello` +
          (tail ? `; stderr ends:\n${tail}` : ''),
      );
    }
  }
  return { proc, link, linkError, server, exited: proc.exited, kill };
}
