// What holds around a real sandbox (src/sandbox/), tried with processes:
// a grader's inherited descriptors never reach a client; the seccomp filter,
// the submission's cgroup, the sized tmpfs mounts and the probe token's file
// are what a process inside finds; each run has an X server of its own, so
// one run's screen never shows another run's window; a companion shares the
// client's network but not its processes. Parts need the full level, root
// (cgroups) or python3-seccomp, and say so when skipped.

import { spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, type PythonInfo } from '../src/env/index.js';
import { readXwdHeader, xwdToRgb } from '../src/env/screenshot.js';
import { DEFAULT_LIMITS, Sandbox, cgroupSupport, seccompFilter, type SandboxRun } from '../src/sandbox/index.js';

const REFERENCE = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'chatgrade-isolation-'));
let python: PythonInfo;
let sandbox: Sandbox;

beforeAll(async () => {
  python = await findPython();
  sandbox = await Sandbox.open({ dir: REFERENCE, mode: 'auto', python: { executable: python.executable, prefixes: python.prefixes }, display: true, screenshots: true });
});
afterAll(async () => {
  await sandbox?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** Run `command` in a new run of the sandbox; its stdout once it ended. */
async function inRun(run: SandboxRun, command: string[], opts: Parameters<SandboxRun['spawn']>[1] = {}): Promise<string> {
  const proc = await run.spawn(command, opts);
  await proc.closed;
  return proc.stdout().text;
}

describe('descriptors', () => {
  it('a grader started with descriptors of a job runner (a log, a folder, a pipe) passes none of them to a client', async () => {
    const log = openSync(join(root, 'runner.log'), 'a');
    const folder = openSync(root, 'r');
    writeFileSync(join(root, 'fifo'), '');
    const pipe = openSync(join(root, 'fifo'), constants.O_RDWR);
    // From 19 up: Node marks the first few descriptors it inherits close-on-exec itself (libuv's
    // uv_disable_stdio_inheritance), and a job runner's are past them.
    const stdio = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(16).fill('ignore'), log, folder, pipe] as const;
    const child = spawn(process.execPath, [fileURLToPath(new URL('./helpers/sandbox-fds.mjs', import.meta.url)), REFERENCE], { stdio: [...stdio] });
    for (const fd of [log, folder, pipe]) closeSync(fd);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c));
    child.stderr!.on('data', (c: Buffer) => (err += c));
    await new Promise((r) => child.once('close', r));
    const seen = JSON.parse(out || '{}') as { given?: number[]; inside?: string };
    // The grader really had them (the test can fail), and the client got none.
    expect(seen.given, err).toEqual(expect.arrayContaining([19, 20, 21]));
    expect(seen.inside).toBe('');
  }, 60_000);
});

describe('inside a full sandbox', () => {
  it('seccomp refuses a new user namespace and ptrace; /tmp and HOME are tmpfs of the set size, charged to the submission\'s cgroup; the token comes in a file', async (ctx) => {
    if (sandbox.level !== 'full') return ctx.skip();
    const run = await sandbox.newRun({ display: false });
    const script = [
      'import ctypes, json, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'r = {}',
      'r["unshare_user"] = libc.unshare(0x10000000) == -1 and ctypes.get_errno()',
      'r["ptrace"] = libc.ptrace(16, 1, 0, 0) == -1 and ctypes.get_errno()',
      'fs = lambda p: os.statvfs(p).f_blocks * os.statvfs(p).f_frsize',
      'r["tmp"], r["home"] = fs("/tmp"), fs(os.environ["HOME"])',
      // 48 MiB in /tmp: pages of a tmpfs, charged to whoever wrote them.
      'open("/tmp/fill", "wb").write(b"x" * (48 << 20))',
      'path = os.environ.get("CHAT_PROBE_TOKEN_FILE")',
      'r["token"] = open(path).read() if path else None',
      'r["environ"] = "sekrit" in open("/proc/self/environ").read()',
      'print(json.dumps(r))',
    ].join('\n');
    const out = await inRun(run, [python.executable, '-c', script], { secrets: { CHAT_PROBE_TOKEN: 'sekrit' } });
    await run.dispose();
    const r = JSON.parse(out) as Record<string, unknown>;
    const tmpfs = DEFAULT_LIMITS.tmpfsMiB * 1024 * 1024;
    expect([r.tmp, r.home]).toEqual([tmpfs, tmpfs]);
    expect(r.token).toBe('sekrit');
    expect(r.environ).toBe(false);
    if ((await seccompFilter()).file) expect([r.unshare_user, r.ptrace]).toEqual([1, 1]); // EPERM
    if (cgroupSupport().layout) expect(sandbox.cgroup?.memoryPeak()).toBeGreaterThanOrEqual(48 << 20);
  }, 60_000);
});

describe('an X server per run', () => {
  /** A Tk window filling the top left of the run's screen with `colour`; resolves once it is drawn. */
  async function paint(run: SandboxRun, colour: string): Promise<{ kill(): Promise<void> }> {
    const script = `import tkinter as tk\nr = tk.Tk()\nr.geometry("300x200+0+0")\nr.configure(bg="${colour}")\nr.update()\nr.after(300, lambda: print("drawn", flush=True))\nr.mainloop()`;
    const proc = await run.spawn([python.executable, '-c', script]);
    await new Promise<void>((resolve, reject) => {
      proc.child.stdout!.on('data', (c: Buffer) => String(c).includes('drawn') && resolve());
      void proc.exited.then(() => reject(new Error(`the window did not open: ${proc.stderr().text}`)));
    });
    return { kill: () => proc.kill(500) };
  }

  /** Whether the screen in `fb` has a pixel of each colour (RGB). */
  function colours(fb: string, wanted: Record<string, [number, number, number]>): Record<string, boolean> {
    const buf = readFileSync(fb);
    const h = readXwdHeader(buf);
    const rgb = xwdToRgb(buf, h);
    const found = Object.fromEntries(Object.keys(wanted).map((k) => [k, false]));
    for (let i = 0; i < rgb.length; i += 3) {
      for (const [name, [r, g, b]] of Object.entries(wanted)) if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) found[name] = true;
    }
    return found;
  }

  it("two runs' windows at the same place: each run's screen shows its own window and never the other's", async () => {
    const a = await sandbox.newRun();
    const b = await sandbox.newRun();
    try {
      expect(a.display).not.toBe(b.display);
      expect(a.framebuffer).toBeDefined();
      const wa = await paint(a, '#ff0000');
      const wb = await paint(b, '#0000ff');
      const wanted = { red: [255, 0, 0] as [number, number, number], blue: [0, 0, 255] as [number, number, number] };
      expect(colours(a.framebuffer!, wanted)).toEqual({ red: true, blue: false });
      expect(colours(b.framebuffer!, wanted)).toEqual({ red: false, blue: true });
      await wa.kill();
      await wb.kill();
    } finally {
      await a.dispose();
      await b.dispose();
    }
  }, 60_000);
});

describe('companions', () => {
  it("a companion shares the client's network, but not its processes, and runs as another uid", async (ctx) => {
    if (sandbox.level !== 'full') return ctx.skip();
    const run = await sandbox.newRun({ display: false });
    const { inside, server } = await run.unixListen('companion');
    let report = '';
    const reported = new Promise<void>((resolve) => server.once('connection', (s) => s.on('data', (c: Buffer) => (report += c)).once('end', () => resolve())));
    // The sandbox's network is its own and new: any port is free there.
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const companion = [python.executable, '-c', [
      'import json, os, socket',
      `l = socket.create_server(("127.0.0.1", ${port}))`,
      'r = socket.socket(socket.AF_UNIX)',
      `r.connect(${JSON.stringify(inside)})`,
      'r.sendall(json.dumps({"uid": os.getuid(), "pid": os.getpid()}).encode())',
      'r.close()',
      'c, _ = l.accept()',
      'c.sendall(b"hello from beside\\n")',
      'c.close()',
    ].join('\n')];
    const client = [
      'import json, os, socket',
      `line = socket.create_connection(("127.0.0.1", ${port})).makefile().readline().strip()`,
      'procs = [open(f"/proc/{p}/cmdline", "rb").read().decode(errors="replace") for p in os.listdir("/proc") if p.isdigit()]',
      'print(json.dumps({"line": line, "uid": os.getuid(), "procs": procs}))',
    ].join('\n');
    const out = await inRun(run, [python.executable, '-c', client], { companions: [companion], ready: () => reported });
    await run.dispose();
    const c = JSON.parse(report) as { uid: number; pid: number };
    const s = JSON.parse(out) as { line: string; uid: number; procs: string[] };
    expect(s.line).toBe('hello from beside');
    expect(s.procs.some((p) => p.includes('create_server'))).toBe(false);
    expect(s.procs.length).toBeGreaterThan(0);
    if (process.getuid?.() === 0) expect(c.uid).not.toBe(s.uid);
  }, 60_000);
});
