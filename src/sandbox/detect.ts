// What isolation this machine allows, found once per process: is bubblewrap
// there and can it create PID and network namespaces here; are we root (so a
// submission can run as a uid of its own); are setpriv and prlimit there.
// Nothing is assumed: each capability is tried, and the reason it is missing
// is kept for `grade doctor` and the reports.

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The isolation a machine gives, and why not more. */
export interface SandboxCapabilities {
  /** bubblewrap, when it ran a command in new PID and network namespaces here. */
  bwrap: string | undefined;
  /** setpriv (util-linux): drops to another uid, ties a process to its parent's life. */
  setpriv: string | undefined;
  /** prlimit (util-linux): resource limits for the command it runs. */
  prlimit: string | undefined;
  /** bash: the entry step of every launch (joins the cgroup, closes inherited descriptors). */
  bash?: string | undefined;
  /** nsenter (util-linux): runs a helper in the sandbox's network and files, outside its processes. */
  nsenter?: string | undefined;
  /** unshare (util-linux): gives an X server that is not root a keymap folder of its own. */
  unshare?: string | undefined;

  /** Running as root: a submission can get a uid of its own. */
  root: boolean;
  /**
   * Without root, bubblewrap puts the sandbox in a user namespace of its
   * own; on Linux 5.14 and later the process limit then counts only the
   * sandbox's processes, not every process of our uid, so it can be set.
   */
  nprocPerSandbox?: boolean;
  /** Why each missing capability is missing, in words for a TA. */
  missing: string[];
}

/** A program on PATH (or in the usual system folders), if executable. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

function tryRun(cmd: string, args: string[], within: number): Promise<{ ok: boolean; why: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: within, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, _out, stderr) => {
      if (!err) return resolve({ ok: true, why: '' });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      resolve({ ok: false, why: e.killed ? `no answer within ${within} ms` : String(stderr).trim().split('\n').pop() || e.message });
    });
  });
}

let cached: Promise<SandboxCapabilities> | undefined;

/** Probe the machine (once per process; `fresh` probes again, e.g. after installing bubblewrap). */
export function sandboxCapabilities(opts: { env?: NodeJS.ProcessEnv; fresh?: boolean } = {}): Promise<SandboxCapabilities> {
  if (!cached || opts.fresh) cached = probe(opts.env ?? process.env);
  return cached;
}

async function probe(env: NodeJS.ProcessEnv): Promise<SandboxCapabilities> {
  const missing: string[] = [];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) missing.push('not running as root: the client cannot get a uid of its own');
  const setpriv = which('setpriv', env);
  const prlimit = which('prlimit', env);
  const [bash, nsenter, unshare] = [which('bash', env), which('nsenter', env), which('unshare', env)];
  if (!setpriv) missing.push('setpriv (util-linux) not found');
  if (!prlimit) missing.push('prlimit (util-linux) not found: no resource limits');
  if (!bash) missing.push('bash not found: inherited descriptors are not closed, and no cgroup is joined');
  let bwrap = which('bwrap', env);
  if (!bwrap) {
    missing.push('bubblewrap not found (apt-get install bubblewrap): no PID, network or mount namespaces');
  } else {
    const ns = ['--unshare-pid', '--unshare-net', '--unshare-ipc', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'];
    const tried = await tryRun(bwrap, [...ns, 'true'], 5000);
    if (!tried.ok) {
      missing.push(`bubblewrap cannot create namespaces here (${tried.why}): is this a container that forbids them?`);
      bwrap = undefined;
    }
  }
  // Under a limit of 3, a fork inside the sandbox (bwrap's init, sh, one child) only works where the
  // count is the sandbox's own: counted per uid, this process's threads alone are more than 3.
  let nprocPerSandbox = false;
  if (bwrap && !root && prlimit) {
    const ns = ['--unshare-pid', '--unshare-net', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'];
    nprocPerSandbox = (await tryRun(bwrap, [...ns, prlimit, '--nproc=3', '--', 'sh', '-c', '/bin/true; /bin/true'], 5000)).ok;
  }
  // Companions enter the sandbox's network from outside it; without nsenter they cannot share it.
  if (bwrap && !nsenter) missing.push('nsenter (util-linux) not found: helpers beside the client cannot share its network');
  return { bwrap, setpriv, prlimit, bash, nsenter, unshare, root, missing, nprocPerSandbox };
}
