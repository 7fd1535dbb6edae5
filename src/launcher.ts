// Starts a submission's client for one run, with the probe wired in: under
// the Tk agent (Python clients, the default), a course's command, or as
// another kind of client (JavaScript: src/js builds its kind on this one).
// What the client is told (its arguments) is the pack's business; how it is
// started, watched and killed is the same for every pack. Also the shape of
// a static check run in the sandbox (Exec), which the packs and the client
// kinds below them share.

import { join } from 'node:path';
import type { LineConnection } from './probe/explicit.js';
import type { AgentLink } from './probe/link.js';
import { launchClient } from './probe/launch.js';
import type { SandboxRun } from './sandbox/index.js';

/** How one submission is launched, after the course's rules were applied. */
export interface LaunchConfig {
  command?: string[];
  entry?: string;
  ui: Record<string, string>;
  /** Whether an explicit-probe hello is accepted. */
  explicitProbe: boolean;
}

/** How a static check's process ended. */
export interface ExecOutcome {
  /** False when it did not exit within the limit (it was killed). */
  exited: boolean;
  code: number | null;
  signal: string | null;
  /** The `result` of its fd-3 report when the nonce matched; undefined when there was none, or not ours. */
  result: unknown;
  /** Its fd-3 report said (with our nonce) that it had started the student's code. */
  started: boolean;
  stderr: string;
}

/**
 * Runs a static check in the run's sandbox, with a time limit. Its verdict
 * is trusted only as it comes back on fd 3 as JSON `{ nonce, result }`
 * with the nonce the core wrote on its stdin (read before any student code
 * runs), never from its stdout: nothing a student's module prints can pose
 * as it. A `{ nonce, started: true }` line before it says the student's
 * code was started (so a process that then ends without a result was
 * ended by that code).
 */
export type Exec = (command: (paths: { agentDir: string; workdir: string }) => string[], opts: { within: number }) => Promise<ExecOutcome>;

/** Tracebacks printed on stderr (each from its header to the exception line). */
export function stderrTracebacks(stderr: string): string[] {
  const out: string[] = [];
  const lines = stderr.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('Traceback (most recent call last):')) continue;
    let j = i + 1;
    while (j < lines.length && (lines[j]!.startsWith(' ') || lines[j]!.trim() === '')) j++;
    out.push(lines.slice(i, j + 1).join('\n'));
    i = j;
  }
  return out;
}

/** How the grader sees the GUI: the Tk agent inside the process, or what the client describes itself. */
export type ProbeMode = 'tk-agent' | 'explicit';

/** A client process started for one run, with its probe link. */
export interface ClientProcess {
  /** The probe connection, when the agent (or an explicit client) said hello. */
  link: AgentLink | undefined;
  /** The explicit probe as a message channel, for a client with no probe socket (a JS client in a worker thread). */
  channel?: LineConnection;
  /** Which probe the link speaks; undefined without a link. */
  probeMode: ProbeMode | undefined;
  /** Exit status once the process has exited. */
  exitStatus(): { code: number | null; signal: string | null } | undefined;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Captured stderr so far (capped). */
  stderr(): string;
  /** Tracebacks seen: the agent's crash events and tracebacks on stderr. */
  tracebacks(): string[];
  kill(): Promise<void>;
}

/** What a run asks for: the client's arguments, and the values of a course command's placeholders. */
export interface LaunchRequest {
  args: string[];
  /** Placeholder values ({host}, {port}, {user}, ...); {dir} is added. */
  vars: Record<string, string>;
  /**
   * Helpers of the grader that must share the client's sandbox and network
   * (e.g. a multicast bridge), given the paths as the sandbox sees them;
   * `ready` is awaited before the client starts.
   */
  companions?: (paths: { agentDir: string; python: string }) => string[][];
  ready?: () => Promise<void>;
}

/** Starts the submission's client; the caller owns the result and must kill() it. */
export type Launcher = (req: LaunchRequest) => Promise<ClientProcess>;

/**
 * A kind of client other than the default, Python under the Tk agent: the
 * command that starts it (from the entry and the run's placeholder values,
 * with the agent's folder as the client sees it) and how its crashes read on
 * stderr. Such a client has no Tk agent inside: it describes its own GUI.
 */
export interface ClientKind {
  command(agentDir: string, entry: string, vars: Record<string, string>): string[];
  crashes(stderr: string): string[];
}

/** Options of makeLauncher(). */
export interface LauncherOptions {
  python: string;
  launch: LaunchConfig;
  /** The pack's default entry file (e.g. main.py), used when the config names none. */
  entry: string;
  timeoutScale: number;
  /** A client of another kind than Python under the Tk agent (a JavaScript client: src/js/runner.ts). */
  kind?: ClientKind;
  /** Wait this long before each GUI action (a click, typing), so a person can follow (`--headed --slow-mo`). */
  slowMo?: number;
}

/** Every command but the two that only read (sync, snapshot) waits `ms` first; its own limit grows by as much. */
function slowDown(link: AgentLink, ms: number): void {
  const send = link.commandRaw.bind(link);
  link.commandRaw = async (req, within) => {
    if (req.cmd === 'sync' || req.cmd === 'snapshot') return send(req, within);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return send(req, within === undefined ? undefined : within + ms);
  };
}

/** Output kept per client stream. */
export const OUTPUT_CAP = 256 * 1024;

/** The launcher of one run: clients start in that run's sandbox, in its copy of the submission. */
export function makeLauncher(opts: LauncherOptions): (run: SandboxRun) => Launcher {
  return (run) => async ({ args, vars, companions, ready }) => {
    const { workdir, agentDir } = run.inside;
    const all: Record<string, string> = { ...vars, dir: workdir };
    const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => all[k] ?? m);
    const entry = opts.launch.entry ?? opts.entry;
    const client = await launchClient({
      dir: run.workdir,
      entry,
      args,
      python: opts.python,
      command: opts.launch.command?.map(fill) ?? opts.kind?.command(agentDir, entry, vars),
      outputCapBytes: OUTPUT_CAP,
      helloWithin: 10_000 * opts.timeoutScale,
      acceptExplicit: opts.launch.explicitProbe || opts.kind !== undefined,
      place: {
        runner: join(agentDir, 'run_client.py'),
        listen: () => run.listen('127.0.0.1'),
        spawn: (command, env, outputCapBytes) => {
          // Our runners read the token once from a file of the client's uid (not its environment,
          // which /proc shows to every process of that uid); a course's command gets the variable.
          const { CHAT_PROBE_TOKEN: token, ...rest } = env;
          const secret = opts.launch.command === undefined && token !== undefined;
          return run.spawn(command, {
            env: secret ? rest : env,
            ...(secret ? { secrets: { CHAT_PROBE_TOKEN: token } } : {}),
            outputCapBytes,
            ...(companions ? { companions: companions({ agentDir, python: opts.python }) } : {}),
            ...(ready ? { ready } : {}),
          });
        },
      },
    });
    const link = client.link;
    if (link && opts.slowMo) slowDown(link, opts.slowMo);
    return {
      link,
      probeMode: link ? (link.hello?.mode === 'explicit' ? 'explicit' : 'tk-agent') : undefined,
      exitStatus: () => client.proc.exitInfo(),
      exited: client.exited,
      stderr: () => client.proc.stderr().text,
      tracebacks() {
        const fromAgent = client.link?.crashes().map((c) => c.text) ?? [];
        const fromStderr = (opts.kind?.crashes ?? stderrTracebacks)(client.proc.stderr().text);
        return fromAgent.length >= fromStderr.length ? fromAgent : fromStderr;
      },
      kill: () => client.kill(),
    };
  };
}
