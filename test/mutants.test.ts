// The mutants' manifest and patches: every patch applies to the current
// reference client and changes it, every mutant fails something known, and
// together they can fail every check.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatch, listMutants, materialiseMutant } from '../src/mutants.js';
import { chat } from '../src/packs/chat/index.js';

const CHECKS = chat.rubric.checks;
const MUTANTS_DIR = chat.mutants;
const REFERENCE_DIR = chat.reference;

const run = promisify(execFile);
const mutants = listMutants(chat);
const scratch: string[] = [];

afterAll(async () => {
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

async function pythonFiles(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.py')).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n), 'utf8')] as const)));
}

/** `python3 -m py_compile` without leaving __pycache__ in the folder. */
async function pyCompile(dir: string): Promise<void> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-pycache-'));
  scratch.push(prefix);
  const files = Object.keys(await pythonFiles(dir)).map((n) => path.join(dir, n));
  await run('python3', ['-m', 'py_compile', ...files], { env: { ...process.env, PYTHONPYCACHEPREFIX: prefix } });
}

describe('mutants manifest', () => {
  it('lists the mutants, each with a patch file and a non-empty set of known checks', () => {
    const known = new Set(CHECKS.map((c) => c.id));
    expect(mutants.length).toBeGreaterThanOrEqual(27);
    for (const m of mutants) {
      expect(m.fails.length, m.name).toBeGreaterThan(0);
      expect(m.fails.filter((id) => !known.has(id)), m.name).toEqual([]);
      expect(new Set(m.fails).size, `${m.name} repeats a check`).toBe(m.fails.length);
      expect(existsSync(path.join(MUTANTS_DIR, m.patch)), m.patch).toBe(true);
    }
  });

  it('together the mutants fail every check of the rubric', () => {
    const failed = new Set(mutants.flatMap((m) => m.fails));
    expect(CHECKS.map((c) => c.id).filter((id) => !failed.has(id))).toEqual([]);
  });

  it('has no patch that the manifest forgets', async () => {
    const patches = (await readdir(MUTANTS_DIR)).filter((n) => n.endsWith('.patch')).sort();
    expect(patches).toEqual(mutants.map((m) => m.patch).sort());
  });
});

describe('materialiseMutant', () => {
  it('the reference client compiles', async () => {
    await pyCompile(REFERENCE_DIR);
  });

  for (const m of mutants) {
    it(`${m.name}: the patch applies, changes the client, and the result compiles`, async () => {
      const built = await materialiseMutant(chat, m.name);
      try {
        expect(path.basename(built.dir)).toMatch(/^chatgrade-mutant-/);
        const before = await pythonFiles(REFERENCE_DIR);
        const after = await pythonFiles(built.dir);
        expect(Object.keys(after)).toEqual(Object.keys(before));
        expect(after).not.toEqual(before);
        // Every mutant's defect is a behaviour, not a syntax error (the net.py
        // one fails at import time, through a circular import).
        await pyCompile(built.dir);
      } finally {
        await built.dispose();
      }
      expect(existsSync(built.dir)).toBe(false);
    });
  }

  it('rejects an unknown mutant', async () => {
    await expect(materialiseMutant(chat, 'no_such_mutant')).rejects.toMatchObject({ code: 'mutant.unknown' });
  });
});

describe('applyPatch', () => {
  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-patch-test-'));
    scratch.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return dir;
  }

  const patch = ['--- a/x.py', '+++ b/x.py', '@@ -1,3 +1,3 @@', ' a = 1', '-b = 2', '+b = 3', ' c = 4', '@@ -6,0 +7,1 @@', '+g = 7', ''].join('\n');

  it('applies hunks, including a pure insertion', async () => {
    const dir = await folder({ 'x.py': 'a = 1\nb = 2\nc = 4\nd\ne\nf\n' });
    await applyPatch(dir, patch);
    expect(await readFile(path.join(dir, 'x.py'), 'utf8')).toBe('a = 1\nb = 3\nc = 4\nd\ne\nf\ng = 7\n');
  });

  it('refuses a hunk whose lines do not match, naming the file and the hunk', async () => {
    const dir = await folder({ 'x.py': 'a = 1\nb = 5\nc = 4\nd\ne\nf\n' });
    const err = await applyPatch(dir, patch).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mutant.patchFailed' });
    expect((err as Error).message).toContain('x.py');
    expect((err as Error).message).toContain('@@ -1,3 +1,3 @@');
  });

  it('refuses paths that leave the folder', async () => {
    const dir = await folder({});
    const evil = ['--- a/../x.py', '+++ b/../x.py', '@@ -0,0 +1,1 @@', '+x', ''].join('\n');
    await expect(applyPatch(dir, evil)).rejects.toMatchObject({ code: 'mutant.patchFailed' });
  });
});
