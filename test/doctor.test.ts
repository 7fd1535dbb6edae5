// `chatgrade doctor` runs what grading runs: in a container that refuses
// namespaces (scripts/without-namespaces.py, a seccomp filter like Docker's
// default profile) with the Python under a private folder, every client run
// would fail to start as the run's own uid; doctor's canary grade meets the
// same fault, fails, and names the fix.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython } from '../src/env/index.js';
import { sandboxCapabilities } from '../src/sandbox/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const caps = await sandboxCapabilities({});
// The run's own uid needs root and setpriv; the filter is written for x86_64.
const CAN = caps.root && caps.setpriv && arch() === 'x64';
if (!CAN) console.warn('doctor test skipped: needs root, setpriv and x86_64 (scripts/without-namespaces.py)');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, env, timeout: 120_000, killSignal: 'SIGKILL' }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: String(out), err: String(err) });
    });
  });
}

describe.skipIf(!CAN)('doctor runs what grading runs', () => {
  it('under a filter that refuses namespaces, with the Python in a private folder, the canary grade fails and names the fix', async () => {
    const python = await findPython();
    // A folder only its owner may enter, holding the interpreter: as a Python under /root/.pyenv is.
    const secret = mkdtempSync(join(tmpdir(), 'chatgrade-private-'));
    dirs.push(secret);
    chmodSync(secret, 0o700);
    symlinkSync(python.executable, join(secret, 'python3'));
    const env = { ...process.env, CHATGRADE_PYTHON: join(secret, 'python3'), CHATGRADE_NO_INSTALL: '1', NO_COLOR: '1' };
    const r = await run('python3', ['scripts/without-namespaces.py', process.execPath, 'bin/chatgrade', 'doctor'], env);
    expect(r.out).toMatch(/^ok {4}sandbox level {10}fallback: /m);
    const canary = r.out.split('\n').find((l) => l.includes('canary grade'));
    expect(canary).toMatch(/^FAIL {2}canary grade {11}grading fails here: .*cannot use the Python in .*chatgrade-private-.* \[sandbox\.setupFailed\]\. Fix: .*CHATGRADE_PYTHON=\//);
    expect(r.code).toBe(2);
  }, 150_000);
});
