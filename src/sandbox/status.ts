// What `chatgrade doctor` says about the layers around the sandbox: whether
// each submission gets a cgroup (and which version), and whether sandboxed
// processes get the seccomp filter. Each line says what is missing and
// what a submission then gets instead.

import { cgroupSupport } from './cgroups.js';
import { DEFAULT_LIMITS } from './plan.js';
import { SECCOMP_POLICY, seccompFilter } from './seccomp.js';

/** One line of the doctor's report (the shape of src/cli/doctor.ts's). */
export interface IsolationCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** The cgroup line: where submissions' cgroups go, or why there are none (grading goes on without). */
export function cgroupCheck(): IsolationCheck {
  const s = cgroupSupport(true);
  const bounds = `memory ${DEFAULT_LIMITS.totalMemoryMiB} MiB with its tmpfs files and X servers, ${DEFAULT_LIMITS.totalProcesses} processes, an equal CPU weight (course config \`limits\`)`;
  if (s.layout?.version === 2) return { name: 'cgroups', ok: true, detail: `v2, one per submission under ${s.layout.parent}: ${bounds}` };
  if (s.layout) return { name: 'cgroups', ok: true, detail: `v1 (${Object.keys(s.layout.parents).join(', ')}), one per submission under ${s.layout.parents.memory}: ${bounds}` };
  return { name: 'cgroups', ok: true, detail: `none: ${s.missing}; each process keeps its own limits, a submission as a whole has none (reports say so)` };
}

/** The seccomp line: the filter compiles here, or what to install. */
export async function seccompCheck(): Promise<IsolationCheck> {
  const f = await seccompFilter();
  const denied = SECCOMP_POLICY.eperm.length + SECCOMP_POLICY.enosys.length;
  return f.file
    ? { name: 'seccomp', ok: true, detail: `filter compiled by libseccomp (python3-seccomp): ${denied} system calls denied, and clone() with namespace flags (no new user namespace, ptrace, pidfd_getfd, mount, bpf, keyctl...)` }
    : { name: 'seccomp', ok: false, detail: `${f.missing}; sandboxed processes run without a filter` };
}
