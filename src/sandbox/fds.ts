// Descriptors the grader was given by whoever started it (a job runner's
// log, a directory, a socket) are not ours to pass on. Node opens its own
// descriptors close-on-exec, and marks the first few it inherits so (libuv's
// uv_disable_stdio_inheritance stops after 15 or so); any other descriptor
// above 2 without the flag was inherited. Node cannot set the flag on those,
// so the CLI closes them at start (closeInherited). Every sandboxed launch also closes all but the
// descriptors it means to pass, in its first step (plan.ts), which covers a
// grader used as a library as well.

import { closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** An open descriptor of this process that is not close-on-exec. */
export interface InheritedFd {
  fd: number;
  /** What it points to (/proc/self/fd/N), for messages. */
  target: string;
}

/** This process's descriptors above 2 that a child would inherit. */
export function inheritedDescriptors(): InheritedFd[] {
  const out: InheritedFd[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/proc/self/fdinfo');
  } catch {
    return out;
  }
  for (const name of names) {
    const fd = Number(name);
    if (!(fd > 2)) continue;
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))?.[1];
      if (flags === undefined || (parseInt(flags, 8) & O_CLOEXEC) !== 0) continue;
      out.push({ fd, target: readlinkSync(`/proc/self/fd/${fd}`) });
    } catch {
      // closed meanwhile (the descriptor that listed the folder)
    }
  }
  return out;
}

/**
 * Close every inherited descriptor above 2 but `keep` (Node's own IPC
 * channel, when a parent gave us one). Returns what was closed.
 */
export function closeInherited(keep: readonly number[] = []): InheritedFd[] {
  const closed: InheritedFd[] = [];
  for (const d of inheritedDescriptors()) {
    if (keep.includes(d.fd)) continue;
    try {
      closeSync(d.fd);
      closed.push(d);
    } catch {
      // already gone
    }
  }
  return closed;
}
