// The sandbox's command line as data (src/sandbox/plan.ts), checked without
// starting anything: where the process limit is set, and what a private
// /tmp may hide.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, sandboxCommand, type PlanInput, type SandboxCapabilities } from '../src/sandbox/index.js';

const caps = (over: Partial<SandboxCapabilities> = {}): SandboxCapabilities => ({ bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit', root: true, missing: [], ...over });

function plan(over: Partial<PlanInput> = {}): string[] {
  const input: PlanInput = {
    level: 'full',
    caps: caps(),
    uid: 61_000,
    limits: DEFAULT_LIMITS,
    host: { home: '/tmp/sb/run-1/home', snapshot: '/tmp/sb/snapshot', sockets: '/tmp/sb/run-1/sockets', agentDir: '/opt/cg/agent', readOnly: [] },
    env: { PATH: '/usr/bin' },
    command: ['python3', 'main.py'],
    ...over,
  };
  const p = sandboxCommand(input);
  return [p.cmd, ...p.args];
}

describe('sandboxCommand', () => {
  it('binds a Python installed under /tmp after the private /tmp, so that it is not hidden', () => {
    const args = plan({ host: { home: '/h', snapshot: '/snap', sockets: '/s', agentDir: '/a', readOnly: ['/tmp/pythons/3.11'] } });
    const tmpfs = args.findIndex((a, i) => a === '--tmpfs' && args[i + 1] === '/tmp');
    const bind = args.findIndex((a, i) => a === '--ro-bind' && args[i + 1] === '/tmp/pythons/3.11');
    expect(tmpfs).toBeGreaterThan(0);
    expect(bind).toBeGreaterThan(tmpfs);
  });

  it('sets the process limit for a uid of its own, or where the sandbox counts its own processes', () => {
    expect(plan()).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    expect(plan({ uid: undefined, caps: caps({ root: false, nprocPerSandbox: true }) })).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    // Counted per uid, the limit would be shared with the grader's own processes: not set.
    expect(plan({ uid: undefined, caps: caps({ root: false, nprocPerSandbox: false }) }).some((a) => a.startsWith('--nproc'))).toBe(false);
    expect(plan({ level: 'fallback', uid: undefined, caps: caps({ bwrap: undefined, root: false, nprocPerSandbox: true }) }).some((a) => a.startsWith('--nproc'))).toBe(false);
  });
});
