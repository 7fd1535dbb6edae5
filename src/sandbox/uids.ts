// A uid of its own for each sandboxed submission, so that its processes can
// neither signal nor starve another submission's (RLIMIT_NPROC counts per
// uid), and so its files are its own. Uids come from a range nothing else
// uses; a lock file per uid keeps two graders on one machine apart, and a
// lock whose grader is dead is taken over.

import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The first uid handed out; 64 000 uids above it are free on Debian and Ubuntu (system users are below 1000, people below 60 000). */
export const UID_BASE = 61_000;
const UID_COUNT = 1_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A uid held until release(). */
export interface UidLease {
  uid: number;
  release(): void;
}

/** Take the lowest free uid of the range; throws 'sandbox.noUid' when all are in use. */
export function allocateUid(dir = join(tmpdir(), 'chatgrade-uids')): UidLease {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let uid = UID_BASE; uid < UID_BASE + UID_COUNT; uid++) {
    const file = join(dir, String(uid));
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch {
      const owner = Number(readFileSafe(file));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
      // A stale lock: its grader died. Take it over.
      rmSync(file, { force: true });
      try {
        fd = openSync(file, 'wx', 0o600);
      } catch {
        continue;
      }
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    let released = false;
    return {
      uid,
      release() {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      },
    };
  }
  throw Object.assign(new Error(`all ${UID_COUNT} sandbox uids from ${UID_BASE} are in use`), { code: 'sandbox.noUid' });
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
