// Carrying out cgroup-plan.ts: find where this grader may make cgroups
// (tried, not assumed: a probe cgroup is created and removed), make one per
// submission, and remove it with everything in it. Where none can be made
// (no root, a read-only /sys/fs/cgroup, v2 without delegated controllers),
// the reason is kept for `doctor` and the reports, and the per-process
// limits are all a submission gets.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { alive } from './support.js';
import { cgroupName, cgroupOwner, cgroupPlan, ownCgroups, type CgroupLayout, type CgroupLimits, type CgroupPlan } from './cgroup-plan.js';

/** What this machine gives: a layout to make cgroups in, or why not. */
export type CgroupSupport = { layout: CgroupLayout; missing?: undefined } | { layout?: undefined; missing: string };

const NEEDED = ['memory', 'pids'];

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** SIGKILL every process in the cgroup folders; true once none is left. */
function killAll(dirs: readonly string[]): boolean {
  let left = false;
  for (const dir of dirs) {
    for (const pid of (read(posix.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number)) {
      left = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  return !left;
}

/** Remove cgroups that graders now dead left behind (they hold no limit anyone needs). */
function sweepLeftovers(parents: readonly string[]): void {
  for (const parent of parents) {
    let names: string[] = [];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      // A submission's cgroup, or the leaf a grader moved itself into (v2).
      const self = /^chatgrade-self-(\d+)$/.exec(name);
      const owner = self ? Number(self[1]) : cgroupOwner(name);
      if (owner === undefined || owner === process.pid || alive(owner)) continue;
      const top = posix.join(parent, name);
      const dirs = self ? [top] : [posix.join(top, 'student'), posix.join(top, 'xserver'), top];
      killAll(dirs);
      for (const dir of dirs) {
        try {
          if (existsSync(dir)) rmdirSync(dir);
        } catch {
          // still busy (a process dying): the next grader tries again
        }
      }
    }
  }
}

/** Make the plan's folders and write its limits; undone on failure. */
function apply(plan: CgroupPlan): void {
  const made: string[] = [];
  try {
    for (const dir of plan.dirs) {
      mkdirSync(dir);
      made.push(dir);
    }
    for (const w of plan.writes) {
      if (w.optional && !existsSync(w.file)) continue;
      writeFileSync(w.file, w.value);
    }
  } catch (e) {
    for (const dir of made.reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // left for the sweep of a later grader
      }
    }
    throw e;
  }
}

/** v2: the grader's cgroup must hand memory and pids to its children (cgroup.subtree_control). */
function delegateV2(parent: string): CgroupLayout | string {
  const controllers = (read(posix.join(parent, 'cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean);
  const lacking = NEEDED.filter((c) => !controllers.includes(c));
  if (lacking.length) return `cgroup v2 does not give ${lacking.join(' and ')} to ${parent}`;
  const wanted = controllers.filter((c) => [...NEEDED, 'cpu'].includes(c));
  const enable = (): void => writeFileSync(posix.join(parent, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
  try {
    enable();
  } catch (e) {
    // A cgroup with processes of its own cannot hand controllers down. Alone
    // in it (a scope made for the grader, e.g. `systemd-run --scope -p Delegate=yes`),
    // the grader moves into a leaf of its own first, as nsjail does.
    const procs = (read(posix.join(parent, 'cgroup.procs')) ?? '').split('\n').filter(Boolean);
    if ((e as NodeJS.ErrnoException).code !== 'EBUSY' || procs.some((p) => Number(p) !== process.pid)) {
      return `cannot enable ${wanted.join(', ')} for the children of ${parent} (${(e as NodeJS.ErrnoException).code}): run the grader in a cgroup of its own with them delegated (systemd-run --scope -p Delegate=yes)`;
    }
    const self = posix.join(parent, `chatgrade-self-${process.pid}`);
    try {
      mkdirSync(self, { recursive: true });
      writeFileSync(posix.join(self, 'cgroup.procs'), String(process.pid));
      enable();
    } catch (e2) {
      return `cannot enable ${wanted.join(', ')} for the children of ${parent} (${(e2 as NodeJS.ErrnoException).code})`;
    }
  }
  return { version: 2, parent, controllers: wanted };
}

/** Find where cgroups can be made here, and try it once with a probe cgroup. */
function probe(): CgroupSupport {
  if (process.getuid?.() !== 0) return { missing: 'not running as root: no cgroup per submission' };
  const own = ownCgroups(read('/proc/self/cgroup') ?? '', read('/proc/self/mountinfo') ?? '');
  let layout: CgroupLayout | undefined;
  let why = '';
  if (own.v2 && (read(posix.join(own.v2, 'cgroup.controllers')) ?? '').trim()) {
    const got = delegateV2(own.v2);
    if (typeof got === 'string') why = got;
    else layout = got;
  }
  if (!layout) {
    const { memory, pids, cpu } = own.v1;
    if (memory && pids) layout = { version: 1, parents: { memory, pids, ...(cpu ? { cpu } : {}) } };
    else why ||= `no cgroup ${own.v2 ? 'v2 controllers, nor v1' : 'v1'} ${NEEDED.filter((c) => !own.v1[c]).join(' and ')} hierarchy is mounted`;
  }
  if (!layout) return { missing: why };
  const parents = layout.version === 2 ? [layout.parent] : Object.values(layout.parents);
  sweepLeftovers(parents);
  const plan = cgroupPlan(layout, `chatgrade-${process.pid}-probe`, { memoryBytes: 64 << 20, pids: 16, cpuWeight: 100 });
  try {
    apply(plan);
    for (const dir of [...plan.dirs].reverse()) rmdirSync(dir);
  } catch (e) {
    return { missing: `cannot make a cgroup in ${parents.join(', ')} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  return { layout };
}

let cached: CgroupSupport | undefined;

/** Where this grader makes its submissions' cgroups, or why it cannot (probed once per process). */
export function cgroupSupport(fresh = false): CgroupSupport {
  if (!cached || fresh) cached = probe();
  return cached;
}

let serial = 0;

/** One submission's cgroup: its processes join it by writing their pid to `procs` (plan.ts's entry step). */
export class SubmissionCgroup {
  private constructor(
    private readonly plan: CgroupPlan,
    readonly version: 1 | 2,
  ) {}

  /** Make a cgroup for one submission; throws when the machine refuses (the caller says so in the report). */
  static create(layout: CgroupLayout, limits: CgroupLimits): SubmissionCgroup {
    const plan = cgroupPlan(layout, cgroupName(process.pid, ++serial), limits);
    apply(plan);
    return new SubmissionCgroup(plan, layout.version);
  }

  /** The cgroup.procs files to join: the submission's processes, or its X servers. */
  get procs(): CgroupPlan['procs'] {
    return this.plan.procs;
  }

  /** Times the kernel killed a process of the submission for memory (v2 memory.events, v1 memory.oom_control). */
  oomKills(): number {
    // The first folder is the top of the memory hierarchy's tree.
    const dir = this.plan.dirs[0]!;
    const text = read(posix.join(dir, this.version === 2 ? 'memory.events' : 'memory.oom_control')) ?? '';
    return Number(/^oom_kill (\d+)/m.exec(text)?.[1] ?? 0);
  }

  /** The most memory the submission has held at once (its tmpfs files included), in bytes. */
  memoryPeak(): number {
    const dir = this.plan.dirs[0]!;
    return Number(read(posix.join(dir, this.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes')) ?? 0);
  }

  /** Kill what is left in it and remove it, bounded; a cgroup still busy after that is left for the next grader to sweep. */
  async remove(within = 3000): Promise<void> {
    const deadline = Date.now() + within;
    for (;;) {
      const empty = killAll(this.plan.dirs);
      if (empty) {
        try {
          for (const dir of [...this.plan.dirs].reverse()) if (existsSync(dir)) rmdirSync(dir);
          return;
        } catch {
          // a process still exiting
        }
      }
      if (Date.now() > deadline) return;
      await delay(10);
    }
  }
}
