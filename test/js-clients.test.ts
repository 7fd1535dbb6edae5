// JavaScript clients: detection from package.json, crash reports, the probe
// object's replies, and hostile clients (a loop, a throw, no answers) that
// must end in failed checks within bounded time, never a hung grader.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { chatJs } from '../src/packs/chat/index.js';
import { ProbeServer } from '../src/probe/server.js';
import { crashText, jsCrashes } from '../src/js/crashes.js';
import { detectJsClient, JsClientError } from '../src/js/index.js';
import { codeOnly } from '../src/js/inspect.js';
import { clientOf } from '../src/vitest.js';
import { gradeJs } from './helpers/grading-js.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A submission folder with these files. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chatgrade-js-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('detectJsClient', () => {
  it('takes package.json "main", else client.mjs; a Python folder is not one', () => {
    expect(detectJsClient(folder({ 'package.json': '{"main":"dist/app.js"}', 'dist/app.js': '' }))).toMatchObject({ entry: 'dist/app.js' });
    expect(detectJsClient(folder({ 'package.json': '{"name":"x"}', 'client.mjs': '' }))).toMatchObject({ entry: 'client.mjs' });
    expect(detectJsClient(folder({ 'main.py': '' }))).toBeUndefined();
    expect(detectJsClient(folder({ 'package.json': '{}', 'main.py': '' }))).toBeUndefined();
  });

  it('explains a package.json that points nowhere usable', () => {
    const bad = (files: Record<string, string>) => () => detectJsClient(folder(files));
    expect(bad({ 'package.json': '{"main":"dist/app.js"}' })).toThrow(/does not exist/);
    expect(bad({ 'package.json': '{"main":"src/app.ts"}', 'src/app.ts': '' })).toThrow(/TypeScript source/);
    expect(bad({ 'package.json': '{"main":"../x.js"}' })).toThrow(/inside the submission/);
    expect(bad({ 'package.json': '{' })).toThrow(JsClientError);
    expect(detectJsClient(folder({ 'package.json': '{"main":"src/app.ts","chatgrade":{"loader":"tsx"}}', 'src/app.ts': '' }))).toMatchObject({ loader: 'tsx' });
  });
});

describe('crash reports', () => {
  it('reads the runner\'s stderr blocks as tracebacks ending with the error', () => {
    const stderr = 'hello\nchatgrade: uncaught error in the client\n    TypeError: x is not a function\n        at f (client.js:3:1)\nafter\n';
    expect(jsCrashes(stderr)).toEqual(['at f (client.js:3:1)\nTypeError: x is not a function (uncaught error in the client)']);
    expect(crashText('startup', 'Error: boom')).toBe('Error: boom (startup error in the client)');
  });

  it('scans code only, not comments or strings', () => {
    const code = codeOnly('a // WebSocket\nb "WebSocket" new WebSocket(u)');
    expect(code.replace(/ +/g, ' ')).toBe('a \nb new WebSocket(u)');
    expect(code).toHaveLength(45);
  });
});

describe('hostile clients end in failed checks, not a hung grader', () => {
  const only = ['structure.main.guard', 'structure.config.port', 'structure.gui.starts', 'basic.goodbye.sent'];

  it('a start() that never returns (in-process: the worker is terminated)', async () => {
    const dir = folder({ 'package.json': '{"type":"module","main":"client.js"}', 'client.js': 'export function start() { for (;;) {} }\n' });
    const r = await gradeJs(dir, { only, timeoutScale: 0.2 });
    const status = Object.fromEntries(r.checks.filter((c) => only.includes(c.id)).map((c) => [c.id, c.status]));
    expect(status).toEqual({ 'structure.main.guard': 'passed', 'structure.config.port': 'failed', 'structure.gui.starts': 'failed', 'basic.goodbye.sent': 'failed' });
  }, 60_000);

  it('a module that throws when imported (in its own process)', async () => {
    const dir = folder({ 'package.json': '{"main":"client.mjs"}', 'client.mjs': 'throw new Error("boom at import");\nexport function start() {}\n' });
    const r = await gradeJs(dir, { only, timeoutScale: 0.2, mode: 'process' });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(byId['structure.main.guard']).toMatchObject({ status: 'failed', actual: expect.stringMatching(/threw: Error: boom at import/) });
    expect(byId['structure.gui.starts']).toMatchObject({ status: 'failed', actual: expect.stringMatching(/exited \(status 1\): Error: boom at import/) });
  }, 60_000);

  it('a client that shows its window but never answers a command', async () => {
    const client = `export function start({ probe }) {
      probe.emit({ type: 'window', id: 'main', kind: 'main', title: 'x', open: true });
      probe.on('quit', () => new Promise(() => {}));
      return { stop() {} };
    }\n`;
    const dir = folder({ 'package.json': '{"main":"client.mjs"}', 'client.mjs': client });
    const r = await gradeJs(dir, { only, timeoutScale: 0.2 });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(byId['basic.goodbye.sent']).toMatchObject({ status: 'failed', actual: expect.stringMatching(/did not quit/) });
    expect(byId['structure.config.port']).toMatchObject({ status: 'failed' });
  }, 60_000);
});

describe('the explicit probe link', () => {
  it('keeps the events that arrive with the hello for the first listener', async () => {
    const server = await ProbeServer.start();
    try {
      const socket = connect({ host: server.host, port: server.port });
      socket.on('error', () => undefined);
      const hello = { type: 'hello', token: server.token, mode: 'explicit' };
      const window = { type: 'window', id: 'main', kind: 'main', title: 'x', open: true };
      socket.write(`${JSON.stringify(hello)}\n${JSON.stringify(window)}\n`);
      const link = await server.waitHello(5000);
      const seen: unknown[] = [];
      link.connection().onMessage((m) => seen.push(m));
      expect(seen).toEqual([window]);
      socket.destroy();
    } finally {
      await server.close();
    }
  });
});

describe('grade <a JavaScript client>', () => {
  it('grades it in the mode the course chose, and the report says how the GUI was seen', async () => {
    const out = folder({ 'course.json': JSON.stringify({ jsClients: 'in-process' }) });
    let err = '';
    const code = await run([chatJs.reference, '--reporter', 'json', '--out', out, '--config', join(out, 'course.json'), '--seed', 'cli'], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      isTTY: false,
      env: { NO_COLOR: '1' },
      interrupted: new Promise(() => {}),
    });
    expect(code, err).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'ws-client', 'report.json'), 'utf8'));
    expect(report.environment).toMatchObject({ probe: 'explicit', clientMode: 'in-process (mock-socket)' });
    expect(report.environment.python).toBeUndefined();
    expect([report.score.points, report.score.bonus]).toEqual([100, 20]);
  }, 60_000);
});

describe('a TypeScript client', () => {
  it('runs through the loader its package.json names (process mode)', async () => {
    const dir = folder({
      'package.json': JSON.stringify({ main: 'client.ts', chatgrade: { loader: './preload.mjs' } }),
      // A stand-in for a real TypeScript loader: Node's module hooks, reading .ts as a module.
      'preload.mjs': "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
      'hooks.mjs': "export async function load(url, context, next) {\n  if (!url.endsWith('.ts')) return next(url, context);\n  return { ...(await next(url, { ...context, format: 'module' })), format: 'module', shortCircuit: true };\n}\n",
      'client.ts': "export function start({ probe }) {\n  probe.emit({ type: 'window', id: 'main', kind: 'main', title: 'ts', open: true });\n  return { stop() {} };\n}\n",
    });
    // A loader's hooks run in a second V8 isolate, which needs more address space than the sandbox's default 1 GiB.
    const r = await gradeJs(dir, { mode: 'process', only: ['structure.main.guard', 'structure.gui.starts'], timeoutScale: 0.5, limits: { memoryMiB: 2048 } });
    expect(r.checks.filter((c) => c.status !== 'skipped').map((c) => [c.id, c.status, c.actual])).toEqual([
      ['structure.gui.starts', 'passed', undefined],
      ['structure.main.guard', 'passed', undefined],
    ]);
  }, 60_000);
});

describe('chatgrade/vitest clientOf', () => {
  it('takes the nearest package folder above the entry, and refuses TypeScript source', () => {
    const dir = folder({ 'package.json': '{}', 'dist/client.js': '', 'src/client.ts': '' });
    expect(clientOf(join(dir, 'dist/client.js'))).toEqual({ dir, entry: join('dist', 'client.js') });
    expect(() => clientOf(join(dir, 'src/client.ts'))).toThrow(/TypeScript source/);
    expect(() => clientOf(join(dir, 'nope.js'))).toThrow(/does not exist/);
  });
});
