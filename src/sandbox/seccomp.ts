// The seccomp filter of every sandboxed process: what it may not ask the
// kernel for, as data (SECCOMP_POLICY), compiled to BPF by libseccomp
// through Debian's python3-seccomp (the system Python, never the student's),
// once per grader. bubblewrap loads it (`--seccomp FD`) just before the
// sandboxed command starts, after its own setup. The policy allows
// everything else: it closes the kernel interfaces a sandbox escape or a
// snoop on our helpers would start from, as Flatpak's does, and is not a
// list of what a Tk client needs.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PYTHON } from '../env/python.js';

/** The denied calls and the error each returns. */
export const SECCOMP_POLICY = {
  /** Refused outright. */
  eperm: [
    // New namespaces (a user namespace gives its creator every capability inside it), and joining others.
    'unshare', 'setns',
    // Reading or steering another process: memory, descriptors (pidfd_getfd), tracing.
    'ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd', 'kcmp',
    // Mounts, old and new API.
    'mount', 'umount2', 'pivot_root', 'chroot', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr',
    // Kernel interfaces with a record of escapes: BPF, keyrings, perf, userfaultfd, modules, handles.
    'bpf', 'keyctl', 'add_key', 'request_key', 'perf_event_open', 'userfaultfd',
    'init_module', 'finit_module', 'delete_module', 'kexec_load', 'kexec_file_load',
    'open_by_handle_at', 'name_to_handle_at', 'lookup_dcookie', 'move_pages',
    'quotactl', 'syslog', 'acct', 'swapon', 'swapoff', 'reboot',
  ],
  /** Answered "not implemented", so callers fall back: clone3 cannot be inspected (its flags are in memory), so glibc uses clone; io_uring bypasses the filter. */
  enosys: ['clone3', 'io_uring_setup', 'io_uring_enter', 'io_uring_register'],
  /** clone() flags that make a new namespace (refused with EPERM; a plain fork or thread is untouched). */
  cloneFlags: {
    CLONE_NEWNS: 0x00020000,
    CLONE_NEWCGROUP: 0x02000000,
    CLONE_NEWUTS: 0x04000000,
    CLONE_NEWIPC: 0x08000000,
    CLONE_NEWUSER: 0x10000000,
    CLONE_NEWPID: 0x20000000,
    CLONE_NEWNET: 0x40000000,
  },
  /** ioctl requests refused: typing into a terminal (TIOCSTI) and the console's (TIOCLINUX). */
  ioctls: { TIOCSTI: 0x5412, TIOCLINUX: 0x541c },
} as const;

/** The Python program that compiles the policy (argv[1], JSON) to BPF on stdout. */
const COMPILER = `
import errno, json, sys
import seccomp
p = json.loads(sys.argv[1])
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in p["eperm"]:
    f.add_rule(seccomp.ERRNO(errno.EPERM), name)
for name in p["enosys"]:
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
for flag in p["cloneFlags"].values():
    f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
for request in p["ioctls"].values():
    f.add_rule(seccomp.ERRNO(errno.EPERM), "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xffffffff, request))
f.export_bpf(sys.stdout)
`;

/** The compiled filter in a file of ours (opened per launch and handed to bubblewrap), or why there is none. */
export type SeccompFilter = { file: string; missing?: undefined } | { file?: undefined; missing: string };

const MAX_BPF = 64 * 1024;

/**
 * Where the compiled filter is kept between graders: a folder of our uid
 * alone (checked, since /tmp is everyone's), named after what it is built
 * from, so a changed policy or machine builds anew.
 */
function cacheFile(): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `chatgrade-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // there already: judged below
  }
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) return undefined;
  const key = createHash('sha256').update(`${process.arch}\0${COMPILER}\0${JSON.stringify(SECCOMP_POLICY)}`).digest('hex').slice(0, 16);
  return join(dir, `seccomp-${key}.bpf`);
}

/** A BPF program is a whole number of 8-byte instructions. */
const isBpf = (b: Buffer): boolean => b.length > 0 && b.length % 8 === 0;

function compile(python: string): Promise<SeccompFilter> {
  const file = cacheFile();
  if (file && existsSync(file) && isBpf(readFileSync(file))) return Promise.resolve({ file });
  return new Promise((resolve) => {
    execFile(python, ['-I', '-c', COMPILER, JSON.stringify(SECCOMP_POLICY)], { encoding: 'buffer', timeout: 10_000, maxBuffer: MAX_BPF }, (err, out, stderr) => {
      if (err) {
        const text = stderr.toString('utf8');
        const why = !existsSync(python) || text.includes("No module named 'seccomp'") ? `python3-seccomp is not installed for ${python} (\`chatgrade doctor --fix\`)` : `compiling it failed: ${text.trim().split('\n').pop() || err.message}`;
        return resolve({ missing: `no seccomp filter: ${why}` });
      }
      if (!isBpf(out)) return resolve({ missing: `no seccomp filter: libseccomp wrote ${out.length} bytes, not a BPF program` });
      if (!file) return resolve({ missing: `no seccomp filter: no private folder of ours in ${tmpdir()} to keep it in` });
      // Whole or not at all: another grader may read it at any moment.
      const part = `${file}.${process.pid}`;
      writeFileSync(part, out, { mode: 0o600 });
      renameSync(part, file);
      resolve({ file });
    });
  });
}

let cached: Promise<SeccompFilter> | undefined;

/** The filter, compiled once per machine (kept in a private folder), found once per process. */
export function seccompFilter(python = SYSTEM_PYTHON): Promise<SeccompFilter> {
  cached ??= compile(python);
  return cached;
}
