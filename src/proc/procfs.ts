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

/** True when /proc/<pid>/environ holds `entry` ("NAME=value") exactly. */
export function hasEnvEntry(pid: number, entry: string): boolean {
  let env: Buffer;
  try {
    env = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  const needle = Buffer.from(`${entry}\0`);
  const at = env.indexOf(needle);
  return at === 0 || (at > 0 && env[at - 1] === 0);
}

/** What is known of a process since it was first seen: its uid, and the marker entries in its environment. */
interface Known {
  start: number;
  uid?: number | undefined;
  markers: Map<string, boolean>;
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

/** Whether a process's environment holds `entry`, read once per process and entry. */
function carries(p: ProcInfo, entry: string): boolean {
  const k = knownOf(p);
  let has = k.markers.get(entry);
  if (has === undefined) {
    has = hasEnvEntry(p.pid, entry);
    k.markers.set(entry, has);
  }
  return has;
}

/** Every live process, forgetting what was known of the ones gone. */
function listAndForget(): ProcInfo[] {
  const procs = listProcesses();
  const alive = new Set(procs.map((p) => p.pid));
  for (const pid of known.keys()) if (!alive.has(pid)) known.delete(pid);
  return procs;
}

/** Pids of every live process of `uid` (a sandbox's own uid). */
export function processesOf(uid: number): number[] {
  return listAndForget().filter((p) => uidOf(p) === uid).map((p) => p.pid);
}

/**
 * The pids that belong to a tracked tree: members of process group `pgid`,
 * every descendant of `rootPid` (or of a group member), every process
 * whose environment carries `marker`, and every process of `uid` (a
 * sandbox's own uid, which nothing else runs as). Excludes this process.
 */
export function findTree(rootPid: number, pgid: number, marker: string, uid?: number): number[] {
  const procs = listAndForget();
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
