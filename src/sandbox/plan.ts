// The sandbox as data: one pure function turns a level, the machine's
// capabilities and a run's paths into the exact command line that starts a
// process inside it (bubblewrap, setpriv, prlimit), the way Flatpak and
// nsjail callers build theirs. Tested without starting anything.

import { posix } from 'node:path';
import type { SandboxCapabilities } from './detect.js';

/** What a submission's processes are held to; a course may change each (config `limits`). */
export interface SandboxLimits {
  memoryMiB: number;
  processes: number;
  cpuSeconds: number;
  fileSizeMiB: number;
  openFiles: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { memoryMiB: 1024, processes: 256, cpuSeconds: 300, fileSizeMiB: 64, openFiles: 512 };

/**
 * How strongly a submission is isolated. `full`: own PID, network, IPC and
 * mount namespaces (bubblewrap), own uid, limits. `fallback`: no namespaces
 * (a container that forbids them): own uid where we are root, limits, a
 * scrubbed environment, a private copy. `off`: as the grader itself (debugging).
 */
export type SandboxLevel = 'full' | 'fallback' | 'off';

/** A TCP address inside the sandbox forwarded to a Unix socket of the grader. */
export interface Forward {
  host: string;
  port: number;
  /** The socket's path as the sandbox sees it. */
  path: string;
}

/** Host paths a process of the sandbox uses. */
export interface HostPaths {
  /** The process's private HOME, holding its writable copy of the submission in `submission/`. */
  home: string;
  /** The grader's sockets for this run (full level only). */
  sockets: string;
  /** chatgrade's agent/ folder. */
  agentDir: string;
  /** Folders the command needs read-only, e.g. the Python installation when it lives outside /usr. */
  readOnly: string[];
  /** The X display's socket and cookie, when the process may open windows. */
  x11?: { socket: string; xauthority: string };
}

/** The same paths as the process sees them. */
export interface InsidePaths {
  home: string;
  workdir: string;
  sockets: string;
  agentDir: string;
  xauthority?: string;
}

const IN_HOME = '/home/student';
const IN_AGENT = '/opt/chatgrade/agent';
const IN_SOCKETS = '/run/chatgrade';

/** Where things are, as the process sees them: fixed names inside the full sandbox, host paths otherwise. */
export function insidePaths(level: SandboxLevel, host: HostPaths): InsidePaths {
  if (level === 'full') {
    return { home: IN_HOME, workdir: `${IN_HOME}/submission`, sockets: IN_SOCKETS, agentDir: IN_AGENT, ...(host.x11 ? { xauthority: `${IN_HOME}/.Xauthority` } : {}) };
  }
  return { home: host.home, workdir: posix.join(host.home, 'submission'), sockets: host.sockets, agentDir: host.agentDir, ...(host.x11 ? { xauthority: host.x11.xauthority } : {}) };
}

/** Input of sandboxCommand(). */
export interface PlanInput {
  level: SandboxLevel;
  caps: SandboxCapabilities;
  /** The uid (and gid) the process runs as, when the grader is root and may switch. */
  uid: number | undefined;
  limits: SandboxLimits;
  host: HostPaths;
  /** The whole environment of the process (already scrubbed by the caller, inside paths). */
  env: Record<string, string>;
  /** The command, with inside paths. */
  command: string[];
  /** Loopback addresses to forward into the grader (full level): run by agent/netrelay.py with `python`. */
  forwards?: { python: string; list: Forward[] };
  /** Host root entries that are symlinks (merged /usr): name -> target. Default: Debian's. */
  rootLinks?: Record<string, string>;
}

/** A ready command line. */
export interface Plan {
  cmd: string;
  args: string[];
  /** The environment to spawn with (for bubblewrap, only what it needs itself: the process gets `--setenv`s). */
  env: Record<string, string>;
  /** Working directory to spawn in (host path). */
  cwd: string;
}

const DEBIAN_ROOT_LINKS: Record<string, string> = { bin: 'usr/bin', lib: 'usr/lib', lib64: 'usr/lib64', sbin: 'usr/sbin' };

const MiB = 1024 * 1024;

/**
 * prlimit's arguments for the limits. The process limit counts every
 * process of a uid: it is set only where that count is the sandbox's own
 * (a uid of its own, or a user namespace that counts per sandbox).
 */
export function limitArgs(limits: SandboxLimits, ownUid: boolean): string[] {
  return [
    `--as=${limits.memoryMiB * MiB}`,
    `--cpu=${limits.cpuSeconds}`,
    `--fsize=${limits.fileSizeMiB * MiB}`,
    `--nofile=${limits.openFiles}`,
    ...(ownUid ? [`--nproc=${limits.processes}`] : []),
    '--core=0',
  ];
}

/** Folders to create (mode 0755) so that `path` can be bound where /usr and the like are not. */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

function bwrapArgs(input: PlanInput, inside: InsidePaths): string[] {
  const { host } = input;
  const a = ['--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session', '--hostname', 'sandbox'];
  a.push('--ro-bind', '/usr', '/usr');
  for (const [name, target] of Object.entries(input.rootLinks ?? DEBIAN_ROOT_LINKS)) a.push('--symlink', target, `/${name}`);
  a.push('--ro-bind', '/etc', '/etc');
  // Without its cache, fontconfig rescans every font at each Tk start (half a second or more);
  // bubblewrap makes missing parents 0700, which the run's uid could not cross to reach it.
  a.push('--perms', '0755', '--dir', '/var', '--perms', '0755', '--dir', '/var/cache');
  a.push('--ro-bind-try', '/var/cache/fontconfig', '/var/cache/fontconfig');
  a.push('--proc', '/proc', '--dev', '/dev');
  // /tmp first: a later bind below it (chatgrade installed under /tmp) stays visible on top of it.
  a.push('--perms', '1777', '--tmpfs', '/tmp');
  const made = new Set<string>(['/usr', '/etc', '/tmp']);
  for (const dir of host.readOnly) {
    if (dir === '/usr' || dir.startsWith('/usr/') || dir.startsWith('/etc/')) continue;
    for (const anc of ancestors(dir)) {
      if (made.has(anc)) continue;
      made.add(anc);
      a.push('--perms', '0755', '--dir', anc);
    }
    a.push('--ro-bind', dir, dir);
  }
  a.push('--perms', '0755', '--dir', '/home', '--bind', host.home, inside.home);
  a.push('--perms', '0755', '--dir', '/opt', '--perms', '0755', '--dir', '/opt/chatgrade', '--ro-bind', host.agentDir, inside.agentDir);
  a.push('--perms', '0755', '--dir', '/run', '--bind', host.sockets, inside.sockets);
  if (host.x11) {
    const name = posix.basename(host.x11.socket);
    a.push('--perms', '1777', '--dir', '/tmp/.X11-unix', '--ro-bind', host.x11.socket, `/tmp/.X11-unix/${name}`);
  }
  a.push('--chdir', inside.workdir, '--clearenv');
  for (const [k, v] of Object.entries(input.env)) a.push('--setenv', k, v);
  return a;
}

/**
 * The command line that runs `input.command` at `input.level`. Full:
 * bwrap -> setpriv (own uid) -> prlimit -> netrelay -> command. Fallback:
 * setpriv (own uid, dies with the grader) -> prlimit -> command. Off:
 * setpriv (dies with the grader) -> command, in the grader's environment.
 */
export function sandboxCommand(input: PlanInput): Plan {
  const { caps, level } = input;
  const inside = insidePaths(level, input.host);
  const ownUid = input.uid !== undefined && caps.root && caps.setpriv !== undefined;
  const chain: string[] = [];
  if (caps.setpriv) {
    chain.push(caps.setpriv);
    if (ownUid && level !== 'off') chain.push(`--reuid=${input.uid}`, `--regid=${input.uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all');
    // bubblewrap's --die-with-parent ties the full sandbox to us; elsewhere setpriv does.
    if (level !== 'full') chain.push('--pdeathsig=KILL');
    chain.push('--');
  }
  const ownCount = ownUid || (level === 'full' && caps.nprocPerSandbox === true);
  if (level !== 'off' && caps.prlimit) chain.push(caps.prlimit, ...limitArgs(input.limits, ownCount), '--');
  if (level === 'full' && input.forwards?.list.length) {
    chain.push(input.forwards.python, '-I', '-S', posix.join(inside.agentDir, 'netrelay.py'));
    for (const f of input.forwards.list) chain.push('--forward', `${f.host}:${f.port}=${f.path}`);
    chain.push('--');
  }
  chain.push(...input.command);
  if (level === 'full') {
    if (!caps.bwrap) throw new Error('sandboxCommand: the full level needs bubblewrap');
    return { cmd: caps.bwrap, args: [...bwrapArgs(input, inside), '--', ...chain], env: { PATH: '/usr/bin:/bin' }, cwd: '/' };
  }
  const [cmd, ...args] = chain;
  return { cmd: cmd!, args, env: input.env, cwd: inside.workdir };
}
