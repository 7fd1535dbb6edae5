// Linux /proc reading: who is alive, who descends from whom, who carries our
// marker. Zombies count as gone: in a container PID 1 may never reap the
// orphans a killed client leaves, and a zombie holds no resources anyway.

import { readdirSync, readFileSync } from 'node:fs';

/** One live (non-zombie) process as /proc shows it. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
}

/** The real uid of a process, from /proc/<pid>/status; undefined when it is gone. */
export function realUid(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Parse /proc/<pid>/stat; undefined when the process is gone or a zombie. */
export function readStat(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return undefined;
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]) };
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

/**
 * The pids that belong to a tracked tree: members of process group `pgid`,
 * every descendant of `rootPid` (or of a group member), every process
 * whose environment carries `marker`, and every process of `uid` (a
 * sandbox's own uid, which nothing else runs as). Excludes this process.
 */
export function findTree(rootPid: number, pgid: number, marker: string, uid?: number): number[] {
  const procs = listProcesses();
  const found = new Set<number>();
  for (const p of procs) {
    if (p.pid === rootPid || p.pgid === pgid || (uid !== undefined && realUid(p.pid) === uid)) found.add(p.pid);
  }
  for (const p of procs) {
    if (!found.has(p.pid) && hasEnvEntry(p.pid, marker)) found.add(p.pid);
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
