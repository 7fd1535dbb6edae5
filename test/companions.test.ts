// A run's companions (our helpers beside the client's sandbox, e.g. the
// multicast bridge) outlive the client and finish what they hold when the
// run ends: they are told (SIGTERM) and waited for, not killed outright.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython, type PythonInfo } from '../src/env/index.js';
import { Sandbox } from '../src/sandbox/index.js';

/** Connects to the socket it is given; on SIGTERM writes "drained" there and exits. */
const COMPANION = [
  'import signal, socket, sys',
  's = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])',
  'def bye(*_):',
  '    s.sendall(b"drained\\n"); sys.exit(0)',
  'signal.signal(signal.SIGTERM, bye)',
  's.sendall(b"up\\n")',
  'while True: signal.pause()',
].join('\n');

/** `p`, or a failure naming `what` after `ms`: a bounded wait for an event. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

let python: PythonInfo;
let sandbox: Sandbox;
const folder = mkdtempSync(join(tmpdir(), 'chatgrade-companions-'));
beforeAll(async () => {
  python = await findPython();
  sandbox = await Sandbox.open({ dir: folder, mode: 'auto', python: { executable: python.executable, prefixes: python.prefixes }, display: false });
});
afterAll(async () => {
  await sandbox?.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('companions', () => {
  it('outlive the client, and are told to stop, and finish, when the run ends', async () => {
    const run = await sandbox.newRun();
    let disposed = false;
    try {
      const { inside, server } = await run.unixListen('helper');
      let said = '';
      const waiters: (() => void)[] = [];
      server.on('connection', (s) =>
        s.on('data', (d: Buffer) => {
          said += d.toString();
          for (const w of waiters) w();
        }),
      );
      const heard = (word: string) =>
        new Promise<void>((ok) => {
          const check = () => said.includes(word) && ok();
          waiters.push(check);
          check();
        });
      const up = heard('up');
      const proc = await run.spawn(['/bin/sh', '-c', 'exit 3'], { companions: [[python.executable, '-c', COMPANION, inside]], ready: () => up });
      expect(await proc.exited).toEqual({ code: 3, signal: null });
      expect(said).toBe('up\n');
      disposed = true;
      await run.dispose();
      await within(5000, 'word from the companion after the client ended', heard('drained'));
      expect(said).toBe('up\ndrained\n');
    } finally {
      if (!disposed) await run.dispose();
    }
  }, 30_000);
});
