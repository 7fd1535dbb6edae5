// The sandbox as data: pure functions turn a level, the machine's
// capabilities and a run's paths into the exact command line that starts a
// process inside it (bash's entry step, bubblewrap, setpriv, prlimit), the
// way Flatpak and nsjail callers build theirs, and the command line of the
// helpers we run beside it (its X server, its companions). Tested without
// starting anything.

import { posix } from 'node:path';
import type { SandboxCapabilities } from './detect.js';

/** What a submission's processes are held to; a course may change each (config `limits`). */
export interface SandboxLimits {
  /** Address space of each process. */
  memoryMiB: number;
  /** Processes of one run (its uid). */
  processes: number;
  cpuSeconds: number;
  fileSizeMiB: number;
  openFiles: number;
  /** Memory of the whole submission, its tmpfs files and X servers included (its cgroup). */
  totalMemoryMiB: number;
  /** Processes and threads of the whole submission at once (its cgroup). */
  totalProcesses: number;
  /** Size of each private tmpfs of a process: /tmp, and HOME with its copy of the submission (full level). */
  tmpfsMiB: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { memoryMiB: 1024, processes: 256, cpuSeconds: 300, fileSizeMiB: 64, openFiles: 512, totalMemoryMiB: 4096, totalProcesses: 1024, tmpfsMiB: 256 };

/** Address space of a submission's X server: past it, a client's request gets BadAlloc and the server lives on. */
export const X_SERVER_MiB = 256;

/**
 * How strongly a submission is isolated. `full`: own PID, network, IPC and
 * mount namespaces (bubblewrap), own uid, limits. `fallback`: no namespaces
 * (a container that forbids them): own uid where we are root, limits, a
 * scrubbed environment, a private copy. `off`: as the grader itself (debugging).
 */
export type SandboxLevel = 'full' | 'fallback' | 'off';

/** Host paths a process of the sandbox uses. */
export interface HostPaths {
  /** Fallback and off: the process's HOME, holding its writable copy of the submission in `submission/`. */
  home: string;
  /** Full: the pristine copy of the submission, copied into the process's own HOME (a sized tmpfs) as it starts. */
  snapshot?: string;
  /** The grader's sockets for this run (full level only). */
  sockets: string;
  /** A folder of the run's uid alone, for a secret the process reads once and removes (the probe token). */
  secrets?: string;
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
  secrets?: string;
  xauthority?: string;
}

const IN_HOME = '/home/student';
const IN_AGENT = '/opt/chatgrade/agent';
const IN_SOCKETS = '/run/chatgrade';
const IN_SECRETS = '/run/chatgrade-secret';
const IN_SNAPSHOT = '/run/chatgrade-snapshot';

/** Where things are, as the process sees them: fixed names inside the full sandbox, host paths otherwise. */
export function insidePaths(level: SandboxLevel, host: HostPaths): InsidePaths {
  const secrets = host.secrets ? { secrets: level === 'full' ? IN_SECRETS : host.secrets } : {};
  if (level === 'full') {
    return { home: IN_HOME, workdir: `${IN_HOME}/submission`, sockets: IN_SOCKETS, agentDir: IN_AGENT, ...secrets, ...(host.x11 ? { xauthority: `${IN_HOME}/.Xauthority` } : {}) };
  }
  return { home: host.home, workdir: posix.join(host.home, 'submission'), sockets: host.sockets, agentDir: host.agentDir, ...secrets, ...(host.x11 ? { xauthority: host.x11.xauthority } : {}) };
}

/**
 * What runs first, before anything else of ours or the submission's: join
 * the submission's cgroup (so everything after, to the last fork, is counted
 * in it; there is no window in which a child could start outside it) and
 * close every descriptor but stdio and those meant for the process.
 */
export interface Entry {
  /** cgroup.procs files to write our pid to (none without cgroups). */
  cgroupProcs: readonly string[];
  /** Descriptors above 2 passed on (the IPC channel, a report pipe, the seccomp filter). */
  keepFds: readonly number[];
  /**
   * The OOM killer's bias (/proc/self/oom_score_adj, raised only: no
   * privilege needed, and the submission cannot lower it again): its own
   * processes go before our helpers in its cgroup, its X server among them.
   */
  oomScoreAdj?: number;
}

/** The submission's processes: first in line when its cgroup runs out of memory. */
export const SUBMISSION_OOM_SCORE_ADJ = 500;

// bash, not sh: dash cannot name a descriptor above 9. $1 is the list of
// descriptors kept, $2 the OOM bias or "", then the cgroup.procs files up to "--", then the command.
const ENTRY_SCRIPT = [
  'keep=" 0 1 2 $1 "; [ -z "$2" ] || echo "$2" > /proc/self/oom_score_adj || exit 125; shift 2',
  'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift',
  'for f in /proc/$$/fd/*; do n=${f##*/}; case "$keep" in *" $n "*) ;; *) eval "exec $n>&-" 2>/dev/null;; esac; done',
  'exec "$@"',
].join('\n');

/** The entry step's command line, in front of `command`. */
export function entryArgs(bash: string, entry: Entry, command: readonly string[]): string[] {
  return [bash, '-c', ENTRY_SCRIPT, 'chatgrade-entry', entry.keepFds.join(' '), entry.oomScoreAdj === undefined ? '' : String(entry.oomScoreAdj), ...entry.cgroupProcs, '--', ...command];
}

// Run as the student's uid inside the full sandbox: its HOME is a fresh
// tmpfs; the copy of the submission is made there, then the command starts in it.
const COPY_SCRIPT = 'cp -R -P --preserve=mode,timestamps "$1" "$2" && cd "$2" && shift 2 && exec "$@"';

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
  /** The entry step (full and fallback levels, where bash is found). */
  entry?: Entry;
  /** A descriptor holding the seccomp filter, for bubblewrap to load (full level). */
  seccompFd?: number;
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
  // Sized, so a full /tmp is the submission's own ENOSPC (and its cgroup counts every page).
  // First: a later bind below it (chatgrade installed under /tmp) stays visible on top of it.
  const size = String(input.limits.tmpfsMiB * MiB);
  a.push('--size', size, '--perms', '1777', '--tmpfs', '/tmp');
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
  // HOME: a sized tmpfs of its own (the uid inside cannot own it, hence 1777), filled by the copy step.
  a.push('--perms', '0755', '--dir', '/home', '--size', size, '--perms', '1777', '--tmpfs', inside.home);
  a.push('--perms', '0755', '--dir', '/opt', '--perms', '0755', '--dir', '/opt/chatgrade', '--ro-bind', host.agentDir, inside.agentDir);
  a.push('--perms', '0755', '--dir', '/run', '--bind', host.sockets, inside.sockets);
  if (host.snapshot) a.push('--ro-bind', host.snapshot, IN_SNAPSHOT);
  if (host.secrets && inside.secrets) a.push('--bind', host.secrets, inside.secrets);
  if (host.x11) {
    const name = posix.basename(host.x11.socket);
    a.push('--perms', '1777', '--dir', '/tmp/.X11-unix', '--ro-bind', host.x11.socket, `/tmp/.X11-unix/${name}`);
    a.push('--ro-bind', host.x11.xauthority, inside.xauthority!);
  }
  if (input.seccompFd !== undefined) a.push('--seccomp', String(input.seccompFd));
  a.push('--chdir', inside.home, '--clearenv');
  for (const [k, v] of Object.entries(input.env)) a.push('--setenv', k, v);
  return a;
}

/**
 * The command line that runs `input.command` at `input.level`. Full:
 * entry -> bwrap -> setpriv (own uid) -> prlimit -> copy into HOME ->
 * command. Fallback: entry -> setpriv (own uid, dies with the grader) ->
 * prlimit -> command. Off: setpriv (dies with the grader) -> command, in
 * the grader's environment.
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
  if (level === 'full') {
    if (!input.host.snapshot) throw new Error('sandboxCommand: the full level copies the submission from a snapshot');
    chain.push('/bin/sh', '-c', COPY_SCRIPT, 'chatgrade-copy', IN_SNAPSHOT, inside.workdir);
  }
  chain.push(...input.command);
  const entered = (cmd: string[]): string[] => (input.entry && caps.bash && level !== 'off' ? entryArgs(caps.bash, input.entry, cmd) : cmd);
  if (level === 'full') {
    if (!caps.bwrap) throw new Error('sandboxCommand: the full level needs bubblewrap');
    const [cmd, ...args] = entered([caps.bwrap, ...bwrapArgs(input, inside), '--', ...chain]);
    return { cmd: cmd!, args, env: { PATH: '/usr/bin:/bin' }, cwd: '/' };
  }
  const [cmd, ...args] = entered(chain);
  return { cmd: cmd!, args, env: input.env, cwd: inside.workdir };
}

/** Input of observerCommand(): a helper of ours beside the sandbox (its X server, a companion). */
export interface ObserverInput {
  caps: SandboxCapabilities;
  /** The uid it runs as (root grader): neither the grader's nor any run's, so no run can signal or trace it. */
  uid: number | undefined;
  entry: Entry;
  /** Address-space cap, MiB: an allocation past it fails in the helper instead of growing it. */
  addressSpaceMiB?: number;
  /** A process of the full sandbox whose mount and network namespaces it enters (and nothing else: not its PID namespace). */
  enter?: number;
  /**
   * A folder of its uid mounted (in a mount namespace of its own) over
   * /var/lib/xkb, where an X server writes its compiled keymap: elsewhere a
   * server that is not root writes /tmp/server-N.xkm, which a later server
   * of another uid on the same display number cannot replace, and fails.
   */
  xkbDir?: string;
  command: string[];
}

// Run as root in a mount namespace of its own (unshare --mount makes its mounts private).
const XKB_SCRIPT = 'mount --bind "$1" /var/lib/xkb && shift && exec "$@"';

/**
 * The command line of a helper of ours: entry (the submission's cgroup,
 * no inherited descriptors) -> [nsenter: the sandbox's files and network,
 * not its processes] -> [unshare: its own keymap folder] -> setpriv (its own uid, no capabilities,
 * dies with the grader) -> [prlimit] -> command.
 */
export function observerCommand(input: ObserverInput): { cmd: string; args: string[] } {
  const { caps } = input;
  const chain: string[] = [];
  if (input.enter !== undefined) {
    if (!caps.nsenter) throw new Error('observerCommand: entering the sandbox needs nsenter');
    chain.push(caps.nsenter, `--target=${input.enter}`, '--mount', '--net', ...(caps.root ? [] : ['--user', '--preserve-credentials']), '--root', '--wd=/', '--');
  }
  if (input.xkbDir && caps.root && caps.unshare) chain.push(caps.unshare, '--mount', '--', '/bin/sh', '-c', XKB_SCRIPT, 'chatgrade-xkb', input.xkbDir);
  if (caps.setpriv) {
    chain.push(caps.setpriv);
    if (input.uid !== undefined && caps.root) chain.push(`--reuid=${input.uid}`, `--regid=${input.uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all');
    chain.push('--pdeathsig=KILL', '--');
  }
  if (input.addressSpaceMiB && caps.prlimit) chain.push(caps.prlimit, `--as=${input.addressSpaceMiB * MiB}`, '--core=0', '--');
  chain.push(...input.command);
  const [cmd, ...args] = caps.bash ? entryArgs(caps.bash, input.entry, chain) : chain;
  return { cmd: cmd!, args };
}
