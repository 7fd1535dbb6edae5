// Starts a submission's client for one run: under the Tk agent (default), or
// a configured command. Adapts the probe's launch to what runs need.

import type { LaunchConfig } from '../config.js';
import { launchClient } from '../probe/launch.js';
import { TkDriver } from '../probe/driver.js';
import { ExplicitDriver } from '../probe/explicit.js';
import type { LaunchedClient, Launcher } from './session-run.js';

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

export interface LauncherOptions {
  dir: string;
  python: string;
  display: string | undefined;
  launch: LaunchConfig;
  timeoutScale: number;
}

/** Output kept per client stream. */
const OUTPUT_CAP = 256 * 1024;

export function makeLauncher(opts: LauncherOptions): () => Launcher {
  return () => async ({ host, port, user, knownUsers }) => {
    const args = ['--host', host, '--port', String(port), '--user', user];
    const fill = (s: string) => s.replaceAll('{host}', host).replaceAll('{port}', String(port)).replaceAll('{user}', user).replaceAll('{dir}', opts.dir);
    const client = await launchClient({
      dir: opts.dir,
      entry: opts.launch.entry ?? 'main.py',
      args,
      python: opts.python,
      display: opts.display,
      command: opts.launch.command?.map(fill),
      outputCapBytes: OUTPUT_CAP,
      helloWithin: 10_000 * opts.timeoutScale,
    });
    const commandTimeoutMs = 2000 * opts.timeoutScale;
    // A client in another language speaks the semantic probe itself; a Python client has our Tk agent inside.
    const link = client.link;
    const tk = link && link.hello?.mode !== 'explicit' ? new TkDriver(link, { self: user, knownUsers, ui: opts.launch.ui, timeScale: 1, commandTimeoutMs }) : undefined;
    const driver = tk ?? (link ? new ExplicitDriver(link.connection(), { timeScale: 1, commandTimeoutMs }) : undefined);
    const launched: LaunchedClient = {
      driver,
      setKnownUsers: (users) => tk?.setKnownUsers(users),
      exitStatus: () => client.proc.exitInfo(),
      exited: client.exited,
      stderr: () => client.proc.stderr().text,
      tracebacks() {
        const fromAgent = client.link?.crashes().map((c) => c.text) ?? [];
        const fromStderr = stderrTracebacks(client.proc.stderr().text);
        return fromAgent.length >= fromStderr.length ? fromAgent : fromStderr;
      },
      kill: () => client.kill(),
    };
    return launched;
  };
}
