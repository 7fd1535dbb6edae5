// Slow integration test: chatgrade as a user gets it. `npm pack` a copy of
// this checkout (its prepack builds from clean), install the tarball into an
// empty folder with `npm install --omit=dev`, grade the shipped reference
// client from there, then build a Gradescope autograder from that install and
// run it in a simulated /autograder. Needs the npm cache or registry, a
// Python with tkinter and Xvfb. CHATGRADE_SKIP_SLOW=1 skips it.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipModes } from './helpers/zip.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'chatgrade-package-'));
const app = join(work, 'app');
let tarball = '';

/** Run a command, bounded; resolves with its exit code and output (never rejects). */
function sh(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; within?: number }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.within ?? 240_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const slow = process.env.CHATGRADE_SKIP_SLOW === '1' ? describe.skip : describe;

slow('slow: the packed tarball', () => {
  beforeAll(async () => {
    // A copy, so that prepack's clean build never touches this checkout's dist/.
    const copy = join(work, 'checkout');
    const skip = new Set(['node_modules', 'dist', '.git', 'reports']);
    cpSync(repo, copy, { recursive: true, filter: (src) => !skip.has(src.slice(repo.length).split('/')[0] ?? '') });
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    mkdirSync(join(work, 'packs'));
    const packed = await sh('npm', ['pack', '--pack-destination', join(work, 'packs'), '--loglevel=error'], { cwd: copy });
    expect(packed.code, packed.out).toBe(0);
    tarball = join(work, 'packs', readdirSync(join(work, 'packs')).find((f) => f.endsWith('.tgz'))!);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "private": true }\n');
    const installed = await sh('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
    expect(installed.code, installed.out).toBe(0);
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('ships the built grader, agent, docs, examples and Gradescope scripts, and no sources or source maps', () => {
    const files = execFileSync('tar', ['-tzf', tarball]).toString().trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['bin/chatgrade', 'bin/grade', 'dist/cli/main.js', 'agent/chatgrade_agent/__init__.py', 'docs/report-schema.md', 'examples/reference-client/main.py', 'examples/mutants/mutants.json', 'gradescope/run_autograder', 'README.md']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/') || f.includes('__pycache__'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules', 'chatgrade', 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ chatgrade: 'bin/chatgrade', grade: 'bin/grade' });
    // Installed without dev dependencies: no TypeScript was needed.
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
  });

  it('grades the shipped reference client from the install: 100/100 and 20/20', async () => {
    const reference = join(app, 'node_modules', 'chatgrade', 'examples', 'reference-client');
    const out = join(work, 'reports');
    const r = await sh('npx', ['chatgrade', reference, '--reporter', 'json', '--out', out], { cwd: app });
    expect(r.code, r.out).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'reference-client', 'report.json'), 'utf8'));
    expect([report.score.points, report.score.max, report.score.bonus, report.score.bonusMax]).toEqual([100, 100, 20, 20]);
    // The old name still works where it is installed.
    const alias = await sh('npx', ['grade', '--version'], { cwd: app });
    expect(alias.out.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
  }, 240_000);

  it('builds a Gradescope autograder from the install, whose setup.sh and run_autograder grade the reference client', async () => {
    // A TA's run: gradescope-package packs the installed copy (no sources there).
    const zipPath = join(work, 'autograder.zip');
    const made = await sh('npx', ['chatgrade', 'gradescope-package', '--out', zipPath], { cwd: app });
    expect(made.code, made.out).toBe(0);

    // Gradescope's layout: the zip unpacked in source/, modes kept.
    const root = join(work, 'autograder');
    const zip = new Uint8Array(readFileSync(zipPath));
    const modes = zipModes(zip);
    for (const [name, bytes] of Object.entries(unzipSync(zip))) {
      const file = join(root, 'source', name);
      mkdirSync(join(root, 'source'), { recursive: true });
      writeFileSync(file, bytes);
      chmodSync(file, modes[name]! & 0o777);
    }
    mkdirSync(join(root, 'results'));
    cpSync(join(app, 'node_modules', 'chatgrade', 'examples', 'reference-client'), join(root, 'submission'), { recursive: true });

    // setup.sh with apt-get stood in for (this machine has the packages; the stand-in records what was asked).
    const stub = join(work, 'stub');
    mkdirSync(stub);
    writeFileSync(join(stub, 'apt-get'), `#!/bin/sh\necho "$@" >> "${stub}/calls"\n`);
    chmodSync(join(stub, 'apt-get'), 0o755);
    const env = { ...process.env, AUTOGRADER_ROOT: root, PATH: `${stub}:${process.env.PATH}` };
    const setup = await sh('bash', [join(root, 'source', 'setup.sh')], { cwd: root, env });
    expect(setup.code, setup.out).toBe(0);
    expect(readFileSync(join(stub, 'calls'), 'utf8')).toMatch(/^update -qq\ninstall .*python3-tk xvfb bubblewrap python3-seccomp\n$/);
    expect(setup.out).toMatch(/ok\s+python with tkinter/);

    const graded = await sh(join(root, 'source', 'run_autograder'), [], { cwd: root, env });
    expect(graded.code, graded.out).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'));
    expect(results.score, graded.out).toBe(120);
    expect(results.tests.length).toBeGreaterThan(20);
    expect(results.tests.filter((t: { status: string }) => t.status !== 'passed')).toEqual([]);

    // Nothing to grade: the grader's own message reaches the student in a score-0 result.
    rmSync(join(root, 'submission'), { recursive: true });
    mkdirSync(join(root, 'submission'));
    const empty = await sh(join(root, 'source', 'run_autograder'), [], { cwd: root, env });
    expect(empty.code, empty.out).toBe(0);
    const none = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8'));
    expect(none.score).toBe(0);
    expect(none.output).toMatch(/no main\.py/);
  }, 400_000);
});
