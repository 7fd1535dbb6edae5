// findPython and acquireDisplay against the real machine: a real Python with
// tkinter, a real Xvfb that is gone again after release().

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acquireDisplay, findPython } from '../src/env/index.js';
import { doctor } from '../src/cli/doctor.js';
import { readStat } from '../src/proc/procfs.js';

describe('findPython', () => {
  it('finds a real (non-shim) Python with tkinter', async () => {
    const py = await findPython();
    expect(py.executable).not.toMatch(/shims/);
    expect(existsSync(py.executable)).toBe(true);
    expect(py.tkVersion).toMatch(/^8\.\d|^9\.\d/);
    const out = execFileSync(py.executable, ['-c', 'import tkinter, sys; print(sys.executable)'], { timeout: 10_000 });
    expect(out.toString().trim()).toBe(py.executable);
    // Cached: the same answer, without asking again.
    expect(await findPython()).toBe(py);
  });

  it('says what it tried and what to install when nothing works', async () => {
    const err = await findPython({ candidates: ['/nonexistent/python3', 'chatgrade-no-such-python'] }).catch((e) => e);
    expect(err.code).toBe('env.noPython');
    expect(err.message).toMatch(/\/nonexistent\/python3: not found/);
    expect(err.message).toMatch(/chatgrade-no-such-python: not found/);
    expect(err.message).toMatch(/python3-tk/);
    expect(err.message).toMatch(/CHATGRADE_PYTHON/);
  });
});

describe('acquireDisplay', () => {
  it('uses DISPLAY when it is set', async () => {
    const lease = await acquireDisplay({ env: { DISPLAY: ':42' } });
    expect(lease).toMatchObject({ display: ':42', source: 'env' });
    await lease.release();
  });

  it('starts one shared Xvfb when DISPLAY is unset and kills it after the last release', async () => {
    const env = { PATH: process.env.PATH };
    const [a, b] = await Promise.all([acquireDisplay({ env }), acquireDisplay({ env })]);
    expect(a.source).toBe('xvfb');
    expect(a.display).toMatch(/^:\d+$/);
    expect(b.display).toBe(a.display);
    const pid = a.xvfb!.pid;
    expect(b.xvfb!.pid).toBe(pid);
    expect(readStat(pid)).toBeDefined();
    expect(existsSync(`/tmp/.X11-unix/X${a.display.slice(1)}`)).toBe(true);
    await a.release();
    expect(readStat(pid)).toBeDefined();
    await b.release();
    expect(readStat(pid)).toBeUndefined();
  });

  it('explains how to get a display when Xvfb is missing', async () => {
    const err = await acquireDisplay({ env: {}, xvfbPath: '/nonexistent/Xvfb' }).catch((e) => e);
    expect(err.code).toBe('env.noDisplay');
    expect(err.message).toMatch(/apt-get install xvfb/);
    expect(err.message).toMatch(/DISPLAY/);
  });
});

describe('doctor', () => {
  it('checks node, python with tkinter, a display, bubblewrap, the sandbox level, cgroups, seccomp and the agent files, then grades the reference client as grading would', async () => {
    const checks = await doctor({ env: { PATH: process.env.PATH } });
    expect(checks.map((c) => c.name)).toEqual(['node', 'python with tkinter', 'display', 'bubblewrap', 'sandbox level', 'cgroups', 'seccomp', 'probe agent', 'canary grade']);
    expect(checks[4]!.detail).toMatch(/^(full|fallback): /);
    // Which cgroups a machine gives varies; the line always says which, or why none.
    expect(checks[5]!.detail).toMatch(/^(v2, one per submission under |v1 \(memory, pids(, cpu)?\), one per submission under |none: )/);
    expect(checks[6]!.detail).toMatch(/^filter compiled by libseccomp/);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks[2]!.detail).toMatch(/Xvfb/);
    expect(checks[8]!.detail).toMatch(/^the reference client graded at the (full|fallback) level: basic\.register\.sent passed/);
  }, 120_000);
});
