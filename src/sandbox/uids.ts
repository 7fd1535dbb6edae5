// A uid of its own for each sandboxed run, so that its processes can
// neither signal nor starve another run's (RLIMIT_NPROC counts per uid, and
// ending a run kills every process of its uid), and so its files are its own.
// Uids come from a range nothing else uses. A lock file per uid keeps the
// graders of one machine apart (tests run several at once): it is created
// whole with link(2), which fails if the name exists, and a lock whose
// grader is dead is taken over through rename(2), which only one taker wins.

import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './support.js';

/** The first uid handed out; the range above it is free on Debian and Ubuntu (system users are below 1000, people below 60 000). */
export const UID_BASE = 61_000;
const UID_COUNT = 1_000;

function owner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A uid held until release(). */
export interface UidLease {
  uid: number;
  release(): void;
}

let serial = 0;

/** Take the lowest free uid of the range; throws 'sandbox.noUid' when all are in use. */
export function allocateUid(dir = join(tmpdir(), 'chatgrade-uids')): UidLease {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Our lock, written whole before it gets a uid's name.
  const mine = join(dir, `.${process.pid}-${++serial}`);
  const fd = openSync(mine, 'w', 0o600);
  writeSync(fd, String(process.pid));
  closeSync(fd);
  try {
    for (let uid = UID_BASE; uid < UID_BASE + UID_COUNT; uid++) {
      const file = join(dir, String(uid));
      if (take(file, mine, dir)) return lease(uid, file);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw Object.assign(new Error(`all ${UID_COUNT} sandbox uids from ${UID_BASE} are in use`), { code: 'sandbox.noUid' });
}

/** Give `file` our lock: free, or held by a grader that is gone. */
function take(file: string, mine: string, dir: string): boolean {
  try {
    linkSync(mine, file);
    return true;
  } catch {
    // Held: by a live grader, or a stale lock to take over.
  }
  const holder = owner(file);
  if (holder === undefined || alive(holder)) return false;
  const tomb = join(dir, `.stale-${process.pid}-${++serial}`);
  try {
    renameSync(file, tomb);
  } catch {
    return false; // another grader took it first
  }
  // If what we moved away was not the stale lock we read, it was a live one: put it back.
  const moved = owner(tomb);
  if (moved !== holder) {
    try {
      linkSync(tomb, file);
    } catch {
      // Its name was taken meanwhile; that grader's claim stands.
    }
    rmSync(tomb, { force: true });
    return false;
  }
  rmSync(tomb, { force: true });
  try {
    linkSync(mine, file);
    return true;
  } catch {
    return false;
  }
}

function lease(uid: number, file: string): UidLease {
  let released = false;
  return {
    uid,
    release() {
      if (released) return;
      released = true;
      // Only our own lock: never one a later grader took over.
      if (owner(file) === process.pid) rmSync(file, { force: true });
    },
  };
}
