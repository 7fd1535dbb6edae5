// The launcher picks the driver from the client's hello: the Tk agent for
// Python clients, the explicit probe for a configured command in another language.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, type PythonInfo } from '../src/env/index.js';
import { OUTPUT_CAP, makeLauncher, stderrTracebacks } from '../src/launcher.js';
import { ExplicitDriver } from '../src/probe/explicit.js';
import { chatClient, type LaunchedClient } from '../src/packs/chat/scenarios/session-run.js';
import { Sandbox, type SandboxRun } from '../src/sandbox/index.js';

const fixture = fileURLToPath(new URL('./fixtures/explicit-client.mjs', import.meta.url));
let python: PythonInfo;
let sandbox: Sandbox;
let run: SandboxRun;
const folder = mkdtempSync(join(tmpdir(), 'chatgrade-launcher-'));
const started: LaunchedClient[] = [];
beforeAll(async () => {
  python = await findPython();
  copyFileSync(fixture, join(folder, 'explicit-client.mjs'));
  sandbox = await Sandbox.open({ dir: folder, mode: 'auto', python: { executable: python.executable, prefixes: python.prefixes }, display: false });
  run = await sandbox.newRun();
});
afterAll(async () => {
  for (const c of started) await c.kill();
  await run?.dispose();
  await sandbox?.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('makeLauncher', () => {
  it('drives a configured non-Python command through the explicit probe, losing no early event', async () => {
    const launch = makeLauncher({ python: python.executable, launch: { command: [process.execPath, '{dir}/explicit-client.mjs', '--user', '{user}'], ui: {}, explicitProbe: true }, entry: 'main.py', timeoutScale: 1 })(run);
    const proc = await launch({ args: [], vars: { host: '127.0.0.1', port: '1', user: 'alice' } });
    const client = chatClient(proc, { self: 'alice', knownUsers: ['alice'], ui: {}, commandTimeoutMs: 2000 });
    started.push(client);
    expect(proc.probeMode).toBe('explicit');
    expect(client.driver).toBeInstanceOf(ExplicitDriver);
    const ui = await client.driver!.waitFor((u) => (u.users?.length && u.invitations.length ? u : undefined), { within: 5000, step: 'early events' });
    expect(ui.users).toEqual(['bob', 'carol']);
    expect(ui.statuses).toEqual({ bob: 'away' });
    await client.driver!.accept(ui.invitations[0]!.window);
    const conv = await client.driver!.waitFor((u) => u.conversations[0], { within: 5000, step: 'conversation' });
    expect(conv.members).toEqual(['alice', 'bob']);
  });

  it('keeps the first 256 KiB of what a client prints, and says how much more there was', async () => {
    const noisy = "process.stderr.write('e'.repeat(300 * 1024)); process.stdout.write('o'.repeat(1024));";
    const launch = makeLauncher({ python: python.executable, launch: { command: [process.execPath, '-e', noisy], ui: {}, explicitProbe: true }, entry: 'main.py', timeoutScale: 1 })(run);
    const proc = await launch({ args: [], vars: {} });
    expect(proc.link).toBeUndefined();
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    await proc.kill();
    const text = proc.stderr();
    expect(text.slice(0, OUTPUT_CAP)).toBe('e'.repeat(256 * 1024));
    expect(text.slice(OUTPUT_CAP)).toBe(`\n[... output truncated: ${300 * 1024 - 256 * 1024} more bytes not kept]\n`);
  });

  it('finds each traceback on stderr, up to its exception line', () => {
    const err = 'noise\nTraceback (most recent call last):\n  File "a.py", line 1, in <module>\n    x()\nNameError: name \'x\' is not defined\nmore\nTraceback (most recent call last):\n  File "b.py", line 2\nKeyError: 1\n';
    expect(stderrTracebacks(err).map((t) => t.split('\n').at(-1))).toEqual(["NameError: name 'x' is not defined", 'KeyError: 1']);
  });
});
