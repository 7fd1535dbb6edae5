// Installing missing system packages: the decision alone (planInstall), the
// flow with an injected probe and installer, and apt-get failures through a
// stand-in apt-get. The real install is tried by hand (see src/env/README.md).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aptGetInstall, ensureSystemPackages, packagesForGrading, planInstall, runBounded,
  type InstallHost, type SystemPackage,
} from '../src/env/install.js';

const root: InstallHost = { isRoot: true, hasAptGet: true };

describe('planInstall', () => {
  const plan = (missing: SystemPackage[], env: NodeJS.ProcessEnv = {}, host = root, allowInstall = true) =>
    planInstall({ missing, allowInstall, env, host });

  it('does nothing when nothing is missing', () => {
    expect(plan([])).toEqual({ action: 'none' });
  });

  it('installs as root with apt-get', () => {
    expect(plan(['xvfb', 'bubblewrap', 'xvfb'])).toEqual({
      action: 'install',
      packages: ['xvfb', 'bubblewrap'],
      command: 'apt-get install -y --no-install-recommends xvfb bubblewrap',
    });
  });

  it('CHATGRADE_NO_INSTALL forbids it, whatever else allows it; "0" and "" do not', () => {
    expect(plan(['xvfb'], { CHATGRADE_NO_INSTALL: '1' })).toMatchObject({ action: 'advise', why: 'CHATGRADE_NO_INSTALL is set' });
    expect(plan(['xvfb'], { CHATGRADE_NO_INSTALL: 'yes' })).toMatchObject({ action: 'advise' });
    expect(plan(['xvfb'], { CHATGRADE_NO_INSTALL: '0' })).toMatchObject({ action: 'install' });
    expect(plan(['xvfb'], { CHATGRADE_NO_INSTALL: '' })).toMatchObject({ action: 'install' });
  });

  it('advises sudo when not root, and never installs', () => {
    expect(plan(['python3-tk'], {}, { isRoot: false, hasAptGet: true })).toEqual({
      action: 'advise',
      packages: ['python3-tk'],
      why: 'not running as root',
      command: 'sudo apt-get install -y --no-install-recommends python3-tk',
    });
  });

  it('without apt-get, points at the package manager and still names the Debian command', () => {
    const p = plan(['xvfb'], {}, { isRoot: true, hasAptGet: false });
    expect(p).toMatchObject({ action: 'advise', why: 'there is no apt-get here' });
    expect(p.action === 'advise' && p.command).toMatch(/package manager.*apt-get install -y --no-install-recommends xvfb/);
  });

  it('advises when the caller did not allow installing', () => {
    expect(plan(['xvfb'], {}, root, false)).toMatchObject({ action: 'advise', why: 'installing was not asked for' });
  });
});

describe('packagesForGrading', () => {
  it('needs Xvfb only without a DISPLAY', () => {
    expect(packagesForGrading({})).toEqual(['xvfb', 'bubblewrap', 'python3-tk', 'python3-seccomp']);
    expect(packagesForGrading({ DISPLAY: ':0' })).toEqual(['bubblewrap', 'python3-tk', 'python3-seccomp']);
  });
});

describe('ensureSystemPackages', () => {
  /** A machine whose packages are a set, and an installer that adds to it. */
  function machine(installed: SystemPackage[], opts: { installerWorks?: boolean; host?: InstallHost } = {}) {
    const have = new Set(installed);
    const calls: SystemPackage[][] = [];
    const lines: string[] = [];
    return {
      calls,
      lines,
      run: (need: SystemPackage[], env: NodeJS.ProcessEnv = {}, allowInstall = true) =>
        ensureSystemPackages({
          need,
          allowInstall,
          env,
          host: opts.host ?? root,
          log: (l) => lines.push(l),
          probe: async (p) => have.has(p),
          installer: async (pkgs) => {
            calls.push(pkgs);
            if (opts.installerWorks !== false) for (const p of pkgs) have.add(p);
          },
        }),
    };
  }

  it('installs only what is missing, saying so in one line', async () => {
    const m = machine(['bubblewrap']);
    const r = await m.run(['xvfb', 'bubblewrap', 'python3-tk']);
    expect(r).toEqual({ present: ['bubblewrap'], installed: ['xvfb', 'python3-tk'], missing: [] });
    expect(m.calls).toEqual([['xvfb', 'python3-tk']]);
    expect(m.lines).toHaveLength(1);
    expect(m.lines[0]).toMatch(/^chatgrade: installing xvfb python3-tk with apt-get .*CHATGRADE_NO_INSTALL=1/);
  });

  it('is silent and installs nothing when all is there', async () => {
    const m = machine(['xvfb', 'bubblewrap']);
    expect(await m.run(['xvfb', 'bubblewrap'])).toEqual({ present: ['xvfb', 'bubblewrap'], installed: [], missing: [] });
    expect(m.calls).toEqual([]);
    expect(m.lines).toEqual([]);
  });

  it('with CHATGRADE_NO_INSTALL=1, prints the one command instead and installs nothing', async () => {
    const m = machine([]);
    const r = await m.run(['xvfb'], { CHATGRADE_NO_INSTALL: '1' });
    expect(r).toMatchObject({ installed: [], missing: ['xvfb'], command: 'apt-get install -y --no-install-recommends xvfb' });
    expect(m.calls).toEqual([]);
    expect(m.lines).toEqual([
      'chatgrade: missing xvfb (Xvfb, the virtual display for GUI clients); CHATGRADE_NO_INSTALL is set, so install with: apt-get install -y --no-install-recommends xvfb',
    ]);
  });

  it('not as root, prints the sudo command and installs nothing', async () => {
    const m = machine([], { host: { isRoot: false, hasAptGet: true } });
    const r = await m.run(['bubblewrap']);
    expect(r.command).toBe('sudo apt-get install -y --no-install-recommends bubblewrap');
    expect(m.calls).toEqual([]);
  });

  it('fails with env.installFailed when the install left the package missing', async () => {
    const m = machine([], { installerWorks: false });
    const err = await m.run(['xvfb']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'env.installFailed' });
    expect((err as Error).message).toMatch(/xvfb still cannot be found/);
  });
});

describe('aptGetInstall (with a stand-in apt-get)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function fakeAptGet(script: string): NodeJS.ProcessEnv {
    const dir = mkdtempSync(join(tmpdir(), 'chatgrade-apt-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "$@" >> "${dir}/calls"\n${script}\n`);
    chmodSync(join(dir, 'apt-get'), 0o755);
    return { PATH: `${dir}:${process.env.PATH}`, CALLS: join(dir, 'calls') };
  }

  it('updates, then installs non-interactively with a lock timeout', async () => {
    const env = fakeAptGet('[ "$DEBIAN_FRONTEND" = noninteractive ] || exit 9');
    await aptGetInstall(['xvfb', 'bubblewrap'], { env });
    expect(readFileSync(env.CALLS!, 'utf8').trim().split('\n')).toEqual([
      'update -qq',
      'install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 xvfb bubblewrap',
    ]);
  });

  it('a failed install is env.installFailed with the tail of apt-get output, and the failed update beside it', async () => {
    const env = fakeAptGet('echo "E: Unable to locate package $4-$5" >&2; exit 100');
    const err = (await aptGetInstall(['xvfb'], { env }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('env.installFailed');
    expect(err.message).toMatch(/apt-get update failed \(exit 100\)/);
    expect(err.message).toMatch(/apt-get install .* xvfb failed \(exit 100\):\nE: Unable to locate package/);
  });

  it('a hung apt-get is stopped at its limit', async () => {
    const env = fakeAptGet('exec sleep 30');
    const err = (await aptGetInstall(['xvfb'], { env, updateMs: 200, installMs: 200 }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('env.installFailed');
    expect(err.message).toMatch(/did not finish within 200 ms/);
  });
});

describe('runBounded', () => {
  it('reports a command that cannot start', async () => {
    const r = await runBounded('/nonexistent/chatgrade-no-such-tool', [], 1000, process.env);
    expect(r).toMatchObject({ code: null, timedOut: false });
    expect(r.tail).toMatch(/ENOENT/);
  });
});
