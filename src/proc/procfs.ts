// Linux /proc reading: who is alive, who descends from whom, who carries our
// marker. Zombies count as gone: in a container PID 1 may never reap the
// orphans a killed client leaves, and a zombie holds no resources anyway.
// Under load these reads were most of the grader's own work (a kill rescans
// the machine every few ms), so a process's uid and marker are read once,
// when it is first seen: a process is known by its pid and start time, and
// neither of those facts changes for the processes we look for.

import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** One scratch buffer for the small /proc files: readFileSync would allocate 64 KiB for each (their size reads as 0). */
const scratch = Buffer.alloc(8192);

/** A small /proc file (at most 8 KiB) as latin1 text; throws when it is gone. */
export function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return scratch.toString('latin1', 0, readSync(fd, scratch, 0, scratch.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** One live (non-zombie) process as /proc shows it. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** R running, S sleeping, D uninterruptible, T stopped, t traced... */
  state: string;
  /** CPU time of all its threads (user + system), in clock ticks. */
  cpuTicks: number;
  /** Its command name (at most 15 characters). */
  comm: string;
  /** When it started, in clock ticks since boot: with the pid, who it is (pids are reused). */
  start: number;
}

/** The real uid of a process, from /proc/<pid>/status; undefined when it is gone. */
export function realUid(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readSmall(`/proc/${pid}/status`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Parse /proc/<pid>/stat; undefined when the process is gone or a zombie. */
export function readStat(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readSmall(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return undefined;
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), state: state ?? '?', cpuTicks: Number(fields[11]) + Number(fields[12]), comm: stat.slice(stat.indexOf('(') + 1, close), start: Number(fields[19]) };
}

/**
 * The scheduler's own account of a process's main thread, from
 * /proc/<pid>/schedstat: nanoseconds on a CPU, and nanoseconds runnable but
 * waiting in the run queue. Undefined when it is gone.
 */
export function readSchedstat(pid: number): { cpuNs: number; waitNs: number } | undefined {
  try {
    const [cpu, wait] = readSmall(`/proc/${pid}/schedstat`).split(' ');
    return { cpuNs: Number(cpu), waitNs: Number(wait) };
  } catch {
    return undefined;
  }
}

/**
 * The children of a process, from /proc/<pid>/task/<pid>/children (the
 * kernel's own list, for a single-threaded parent such as bubblewrap), or
 * where the kernel has no such file, from a scan of every process.
 */
export function childrenOf(pid: number): number[] {
  try {
    return readSmall(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean).map(Number);
  } catch {
    return listProcesses().filter((p) => p.ppid === pid).map((p) => p.pid);
  }
}

/** Every live process on the system. */
export function listProcesses(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const info = readStat(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** The value of `name` in /proc/<pid>/environ; undefined when it has none or is gone. */
function envValue(pid: number, name: string): string | undefined {
  let env: Buffer;
  try {
    env = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
  const needle = Buffer.from(`${name}=`);
  for (let at = env.indexOf(needle); at >= 0; at = env.indexOf(needle, at + 1)) {
    if (at > 0 && env[at - 1] !== 0) continue;
    const end = env.indexOf(0, at);
    return env.toString('utf8', at + needle.length, end < 0 ? env.length : end);
  }
  return undefined;
}

/**
 * What is known of a process since it was first seen: its uid, and the value
 * of each marker variable asked about in its environment (one read per
 * process, however many trees look for their own marker in it).
 */
interface Known {
  start: number;
  uid?: number | undefined;
  markers: Map<string, string | undefined>;
}
const known = new Map<number, Known>();

function knownOf(p: ProcInfo): Known {
  let k = known.get(p.pid);
  if (!k || k.start !== p.start) {
    k = { start: p.start, markers: new Map() };
    known.set(p.pid, k);
  }
  return k;
}

/** The real uid of a live process, read once per process. */
function uidOf(p: ProcInfo): number | undefined {
  const k = knownOf(p);
  if (!('uid' in k)) k.uid = realUid(p.pid);
  return k.uid;
}

/** Whether a process's environment holds `entry` ("NAME=value"), its NAME read once per process. */
function carries(p: ProcInfo, entry: string): boolean {
  const k = knownOf(p);
  const eq = entry.indexOf('=');
  const name = entry.slice(0, eq);
  if (!k.markers.has(name)) k.markers.set(name, envValue(p.pid, name));
  return k.markers.get(name) === entry.slice(eq + 1);
}

/** Every live process, forgetting what was known of the ones gone. */
function listAndForget(): ProcInfo[] {
  const procs = listProcesses();
  const alive = new Set(procs.map((p) => p.pid));
  for (const pid of known.keys()) if (!alive.has(pid)) known.delete(pid);
  return procs;
}

let nextScan: Promise<ProcInfo[]> | undefined;
let lastScanMs = 0;
let lastScanEnd = -Infinity;

/**
 * Every live process, from a scan that begins after this call, shared by
 * everyone who asks before it begins. Scans are paced for the whole grader:
 * each begins at least 10 ms, and four times as long as the last one took,
 * after the last one ended, so however many trees are being killed at once,
 * rescans never take more than a fifth of the grader's time (a class ends
 * several runs together, and one scan of a loaded machine takes tens of ms).
 */
export function scanShared(): Promise<ProcInfo[]> {
  nextScan ??= new Promise((resolve) => {
    const gap = Math.max(10, 4 * lastScanMs) - (performance.now() - lastScanEnd);
    // Not unref'd: a caller awaiting a kill must keep the process alive.
    setTimeout(() => {
      nextScan = undefined;
      const t0 = performance.now();
      const procs = listAndForget();
      lastScanEnd = performance.now();
      lastScanMs = lastScanEnd - t0;
      resolve(procs);
    }, Math.max(0, gap));
  });
  return nextScan;
}

/** Pids of every live process of `uid` (a sandbox's own uid), among `procs` (default: a scan now). */
export function processesOf(uid: number, procs: ProcInfo[] = listAndForget()): number[] {
  return procs.filter((p) => uidOf(p) === uid).map((p) => p.pid);
}

/**
 * The pids that belong to a tracked tree: members of process group `pgid`,
 * every descendant of `rootPid` (or of a group member), every process
 * whose environment carries `marker`, and every process of `uid` (a
 * sandbox's own uid, which nothing else runs as), among `procs` (default:
 * a scan now). Excludes this process.
 */
export function findTree(rootPid: number, pgid: number, marker: string, uid?: number, procs: ProcInfo[] = listAndForget()): number[] {
  const found = new Set<number>();
  for (const p of procs) {
    if (p.pid === rootPid || p.pgid === pgid || (uid !== undefined && uidOf(p) === uid)) found.add(p.pid);
  }
  for (const p of procs) {
    if (!found.has(p.pid) && carries(p, marker)) found.add(p.pid);
  }
  // Descendants: repeat until no new child is found (the list is unordered).
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}
