// The Gradescope package without a real grade: the zip's entries and Unix
// modes, and run_autograder's promise to always leave a valid results.json,
// driven by stand-in graders (the real flow is in package.test.ts).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { autograderEntries } from '../src/cli/gradescope-package.js';
import { run } from '../src/cli/main.js';
import { zipModes } from './helpers/zip.js';

const scripts = fileURLToPath(new URL('../gradescope', import.meta.url));
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-gs-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the autograder zip', () => {
  it('holds the scripts (executable), the tarball and the course config', () => {
    const zip = zipSync(autograderEntries({ scripts, tarball: new Uint8Array([1, 2, 3]), courseConfig: new TextEncoder().encode('{}') }));
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(['README.md', 'chatgrade.tgz', 'course.json', 'run_autograder', 'setup.sh']);
    expect(zipModes(zip)).toEqual({
      'setup.sh': 0o100755,
      run_autograder: 0o100755,
      'README.md': 0o100644,
      'chatgrade.tgz': 0o100644,
      'course.json': 0o100644,
    });
  });

  it('gradescope-package refuses a bad course config before packing anything', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'course.json'), JSON.stringify({ checks: { 'conv.nope': 3 } }));
    let err = '';
    const code = await run(['gradescope-package', '--config', join(dir, 'course.json'), '--out', join(dir, 'a.zip')], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      isTTY: false,
      env: {},
      interrupted: new Promise(() => {}),
    });
    expect(code).toBe(2);
    expect(err).toContain('check "conv.nope"');
    expect(existsSync(join(dir, 'a.zip'))).toBe(false);
  });

  it('gradescope-package --tarball writes the zip with the given tarball and config', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'course.json'), JSON.stringify({ timeoutScale: 2 }));
    writeFileSync(join(dir, 'x.tgz'), 'not really a tarball');
    let out = '';
    const code = await run(['gradescope-package', '--config', join(dir, 'course.json'), '--tarball', join(dir, 'x.tgz'), '--out', join(dir, 'sub', 'a.zip')], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      isTTY: false,
      env: {},
      interrupted: new Promise(() => {}),
    });
    expect(code).toBe(0);
    expect(out).toMatch(/wrote .*a\.zip: setup\.sh, run_autograder, README\.md, chatgrade\.tgz, course\.json/);
    const files = unzipSync(readFileSync(join(dir, 'sub', 'a.zip')));
    expect(new TextDecoder().decode(files['chatgrade.tgz'])).toBe('not really a tarball');
    expect(JSON.parse(new TextDecoder().decode(files['course.json']))).toEqual({ timeoutScale: 2 });
  });
});

/** A Gradescope root (source/, submission/, results/) and a stand-in grader script. */
function gradescopeRoot(grader?: string): { root: string; env: NodeJS.ProcessEnv } {
  const root = temp();
  for (const d of ['source', 'submission', 'results']) mkdirSync(join(root, d));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AUTOGRADER_ROOT: root };
  if (grader !== undefined) {
    const bin = join(root, 'fake-grader');
    writeFileSync(bin, `#!/usr/bin/env bash\n${grader}\n`);
    chmodSync(bin, 0o755);
    env.CHATGRADE_BIN = bin;
  }
  return { root, env };
}

function runAutograder(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; results: { score: number; output: string; visibility?: string; tests: unknown[] } }> {
  return new Promise((resolve, reject) => {
    execFile(join(scripts, 'run_autograder'), [], { env, cwd: env.AUTOGRADER_ROOT, timeout: 60_000 }, (err, stdout) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      try {
        const results = JSON.parse(readFileSync(join(env.AUTOGRADER_ROOT!, 'results', 'results.json'), 'utf8'));
        resolve({ code, stdout, results });
      } catch (e) {
        reject(new Error(`no valid results.json (exit ${code}): ${(e as Error).message}\n${stdout}`));
      }
    });
  });
}

describe('run_autograder', () => {
  it('copies the results.json the grader wrote, and passes it the submission, the reporters and the course config', async () => {
    const { root, env } = gradescopeRoot(
      'out=""; prev=""; for a in "$@"; do [ "$prev" = --out ] && out="$a"; prev="$a"; done\n' +
        'echo "$@" > "$AUTOGRADER_ROOT/args"; echo "NO_INSTALL=$CHATGRADE_NO_INSTALL" >> "$AUTOGRADER_ROOT/args"\n' +
        'mkdir -p "$out/submission"; echo \'{"score": 120, "tests": []}\' > "$out/submission/results.json"; exit 2',
    );
    writeFileSync(join(root, 'source', 'course.json'), '{}');
    const r = await runAutograder(env);
    expect(r.code).toBe(0);
    expect(r.results).toEqual({ score: 120, tests: [] });
    const args = readFileSync(join(root, 'args'), 'utf8');
    expect(args).toMatch(new RegExp(`^${root}/submission --reporter terminal,gradescope --out \\S+ --config ${root}/source/course.json\\nNO_INSTALL=1`));
  });

  it('writes a score-0 result naming the problem when the grader is not installed', async () => {
    const { env } = gradescopeRoot();
    const r = await runAutograder({ ...env, CHATGRADE_BIN: '/nonexistent/chatgrade' });
    expect(r.results).toMatchObject({ score: 0, visibility: 'after_published' });
    // One hidden failed test keeps the placeholder total from students until staff publish.
    expect(r.results.tests).toEqual([
      { name: 'Grading could not run', number: '0', score: 0, max_score: 0, status: 'failed', visibility: 'after_published', output: r.results.output },
    ]);
    expect(r.results.output).toMatch(/stopped \(exit 127\)/);
    expect(r.results.output).toMatch(/not installed at \/nonexistent\/chatgrade \(did setup\.sh fail\?\)/);
    expect(r.results.output).toMatch(/not graded/);
  });

  it('keeps results.json valid JSON whatever the crashed grader printed', async () => {
    const { env } = gradescopeRoot(
      String.raw`printf 'quote " backslash \\ tab\t bell \a esc \033[1m bytes \xff\xfe unicode é\r\n'; printf 'Traceback: boom\n' >&2; exit 3`,
    );
    const r = await runAutograder(env);
    expect(r.results.score).toBe(0);
    expect(r.results.output).toMatch(/stopped \(exit 3\)/);
    // Printable ASCII survives; tabs become spaces; control and non-ASCII bytes are dropped.
    expect(r.results.output).toContain('quote " backslash \\ tab  bell  esc [1m bytes  unicode \n');
    expect(r.results.output).toContain('Traceback: boom');
  });

  it('stops a grader that overruns its time limit and says so', async () => {
    const { env } = gradescopeRoot('echo started; exec sleep 60');
    const r = await runAutograder({ ...env, CHATGRADE_TIME_LIMIT: '1' });
    expect(r.results.score).toBe(0);
    expect(r.results.output).toMatch(/did not finish within 1 seconds/);
    expect(r.results.output).toContain('started');
  });
});
