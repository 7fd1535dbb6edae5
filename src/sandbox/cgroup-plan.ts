// A cgroup per submission, as data: where this grader may make cgroups
// (read from /proc/self/cgroup and /proc/self/mountinfo) and, for one
// submission, the folders to create, the files to write and the
// cgroup.procs files its processes join. Pure, so a test reads it without a
// cgroup file system; cgroups.ts carries it out.
//
// Like nsjail and isolate, the cgroups are children of the grader's own
// (delegation: whoever limits the grader limits its submissions too), one per
// submission, named after the grader's pid so that a later grader can tell
// the leftovers of a dead one. cgroup v2 gets one folder; v1 one per
// controller hierarchy (memory, pids, cpu), as isolate did before v2.

import { posix } from 'node:path';

/** Where this grader can make cgroups. */
export type CgroupLayout =
  | {
      version: 2;
      /** The grader's own cgroup folder on the cgroup2 mount. */
      parent: string;
      /** Controllers its children may use (from cgroup.controllers): memory and pids at least. */
      controllers: string[];
    }
  | {
      version: 1;
      /** The grader's own cgroup folder in each hierarchy used; cpu is optional. */
      parents: { memory: string; pids: string; cpu?: string };
    };

/** What one submission's cgroup holds it to. */
export interface CgroupLimits {
  /** Memory of every process of the submission, its tmpfs files and X servers included. */
  memoryBytes: number;
  /** Processes and threads at once. */
  pids: number;
  /** Share of the CPU against its neighbours, on cgroup v2's scale (100 = one ordinary share). */
  cpuWeight: number;
}

/** One file write; optional ones may be missing on a kernel (v1 swap accounting). */
export interface CgroupWrite {
  file: string;
  value: string;
  optional?: boolean;
}

/** What to do for one submission's cgroup. */
export interface CgroupPlan {
  /** Folders to create, parents first (removed in reverse). */
  dirs: string[];
  writes: CgroupWrite[];
  /**
   * The cgroup.procs files (one per hierarchy) a process writes its pid to,
   * to join: the submission's own processes, or its X servers. Both count
   * against its memory and share its CPU weight; only the submission's are
   * held to the process limit, so that a fork bomb cannot keep a run's X
   * server from starting.
   */
  procs: { student: string[]; xserver: string[] };
}

const LEAVES = ['student', 'xserver'] as const;

/** The name of a submission's cgroup: the grader's pid, so a leftover names its dead grader. */
export function cgroupName(pid: number, serial: number): string {
  return `chatgrade-${pid}-${serial}`;
}

/** The grader pid a cgroup name carries, when it is one of ours. */
export function cgroupOwner(name: string): number | undefined {
  const m = /^chatgrade-(\d+)-\d+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** A submission cgroup and its two leaves, in one hierarchy. */
function tree(parent: string, name: string): { top: string; student: string; xserver: string } {
  const top = posix.join(parent, name);
  return { top, student: posix.join(top, 'student'), xserver: posix.join(top, 'xserver') };
}

/** The folders, limits and join points of cgroup `name` for `limits`. */
export function cgroupPlan(layout: CgroupLayout, name: string, limits: CgroupLimits): CgroupPlan {
  if (layout.version === 2) {
    const t = tree(layout.parent, name);
    const writes: CgroupWrite[] = [
      { file: posix.join(t.top, 'memory.max'), value: String(limits.memoryBytes) },
      // Without swap, the limit counts what a tmpfs holds as it would be on disk.
      { file: posix.join(t.top, 'memory.swap.max'), value: '0', optional: true },
    ];
    if (layout.controllers.includes('cpu')) writes.push({ file: posix.join(t.top, 'cpu.weight'), value: String(limits.cpuWeight) });
    // Processes live in the leaves only (cgroup v2 allows no process beside a controller's children);
    // the leaves' pids.max exists once the top hands them the controller.
    writes.push({ file: posix.join(t.top, 'cgroup.subtree_control'), value: '+pids' }, { file: posix.join(t.student, 'pids.max'), value: String(limits.pids) });
    return { dirs: [t.top, t.student, t.xserver], writes, procs: { student: [posix.join(t.student, 'cgroup.procs')], xserver: [posix.join(t.xserver, 'cgroup.procs')] } };
  }
  // The leaves go in the same order in every hierarchy, so that removal in reverse empties each first.
  const { memory, pids, cpu } = layout.parents;
  const trees = [tree(memory, name), tree(pids, name), ...(cpu ? [tree(cpu, name)] : [])];
  const [mem, pid, c] = trees as [ReturnType<typeof tree>, ReturnType<typeof tree>, ReturnType<typeof tree> | undefined];
  const writes: CgroupWrite[] = [
    { file: posix.join(mem.top, 'memory.limit_in_bytes'), value: String(limits.memoryBytes) },
    // Memory plus swap: present only where swap is accounted; the same bound, so swap does not extend it.
    { file: posix.join(mem.top, 'memory.memsw.limit_in_bytes'), value: String(limits.memoryBytes), optional: true },
    { file: posix.join(pid.student, 'pids.max'), value: String(limits.pids) },
  ];
  // v1's shares: 1024 is one ordinary share, as cgroup v2's weight 100 is.
  if (c) writes.push({ file: posix.join(c.top, 'cpu.shares'), value: String(Math.max(2, Math.round((limits.cpuWeight * 1024) / 100))) });
  return {
    dirs: trees.flatMap((t) => [t.top, t.student, t.xserver]),
    writes,
    procs: Object.fromEntries(LEAVES.map((leaf) => [leaf, trees.map((t) => posix.join(t[leaf], 'cgroup.procs'))])) as CgroupPlan['procs'],
  };
}

/** One line of /proc/self/mountinfo that mounts a cgroup hierarchy. */
interface CgroupMount {
  /** The mount's root inside the hierarchy (not "/" in a container that sees only its part). */
  root: string;
  point: string;
  version: 1 | 2;
  /** v1: the controllers of this hierarchy (its super options, e.g. ["cpu", "cpuacct"]). */
  controllers: string[];
}

/** The cgroup mounts in a /proc/self/mountinfo text. */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const [type, , superOpts = ''] = right.split(' ');
    const unescape = (s: string): string => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (type === 'cgroup2') out.push({ root: unescape(f[3]!), point: unescape(f[4]!), version: 2, controllers: [] });
    if (type === 'cgroup') out.push({ root: unescape(f[3]!), point: unescape(f[4]!), version: 1, controllers: superOpts.split(',') });
  }
  return out;
}

/** A cgroup path as seen from a mount whose root is `root`, or undefined when it lies outside it. */
function onMount(m: CgroupMount, path: string): string | undefined {
  const inside = m.root === '/' ? path : path === m.root || path.startsWith(`${m.root}/`) ? path.slice(m.root.length) : undefined;
  if (inside === undefined) return undefined;
  const dir = posix.join(m.point, inside);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/**
 * The grader's own cgroup folders: the v2 one (hierarchy 0) and the v1 one
 * of each controller, from /proc/self/cgroup and /proc/self/mountinfo.
 */
export function ownCgroups(procCgroup: string, mountinfo: string): { v2?: string; v1: Record<string, string> } {
  const mounts = cgroupMounts(mountinfo);
  const v1: Record<string, string> = {};
  let v2: string | undefined;
  for (const line of procCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, names, path] = m as unknown as [string, string, string, string];
    if (id === '0' && names === '') {
      const mount = mounts.find((x) => x.version === 2);
      v2 = mount && onMount(mount, path);
      continue;
    }
    for (const name of names.split(',')) {
      const mount = mounts.find((x) => x.version === 1 && x.controllers.includes(name));
      const dir = mount && onMount(mount, path);
      if (dir) v1[name] = dir;
    }
  }
  return { ...(v2 ? { v2 } : {}), v1 };
}
