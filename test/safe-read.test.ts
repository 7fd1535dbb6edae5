// Reading and copying a submission that may be hostile (src/safe-read.ts,
// src/sandbox/copy.ts): a link is never followed, a named pipe never blocks,
// a file of another kind is refused by name, sizes and entries are bounded,
// and no error quotes what a file holds.

import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSubmissionConfig } from '../src/config.js';
import { detectJsClient } from '../src/js/detect.js';
import { entryKind, parseJsonQuietly, readSubmissionFile } from '../src/safe-read.js';
import { copySubmission, SubmissionError } from '../src/sandbox/copy.js';

const root = mkdtempSync(join(tmpdir(), 'chatgrade-safe-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SECRET = 'chatgrade-canary-5ec12e7000000000';
const secret = join(root, 'secret.txt');
writeFileSync(secret, `{"entry": "${SECRET}.py"}\n`);

let n = 0;
/** A fresh submission folder holding `files` (name -> text). */
function folder(files: Record<string, string> = {}): string {
  const dir = join(root, `s${++n}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('did not throw');
}

describe('readSubmissionFile', () => {
  it('reads a regular file, and says undefined for one that is not there', () => {
    const dir = folder({ 'grade.json': '{"entry": "client.py"}' });
    expect(readSubmissionFile(dir, 'grade.json')).toBe('{"entry": "client.py"}');
    expect(readSubmissionFile(dir, 'package.json')).toBeUndefined();
  });

  it('refuses a link without following it: the message names the file, not what its target holds', () => {
    const dir = folder();
    symlinkSync(secret, join(dir, 'grade.json'));
    const e = thrown(() => readSubmissionFile(dir, 'grade.json'));
    expect(e.code).toBe('submission.unsafeFile');
    expect(e.message).toMatch(/grade\.json is a symbolic link/);
    expect(e.message).not.toContain(SECRET);
  });

  it('refuses a named pipe nobody writes to, at once, instead of waiting for a writer', () => {
    const dir = folder();
    execFileSync('mkfifo', [join(dir, 'grade.json')]);
    // A blocking open would never return here: the test would hang, not fail.
    expect(thrown(() => readSubmissionFile(dir, 'grade.json')).message).toMatch(/is a named pipe, not a regular file/);
  });

  it('refuses a folder, a file over the size, and a name that is not at the top of the folder', () => {
    const dir = folder({ 'big.json': 'x'.repeat(100), 'sub/grade.json': '{}' });
    mkdirSync(join(dir, 'grade.json'));
    expect(thrown(() => readSubmissionFile(dir, 'grade.json')).message).toMatch(/is a folder/);
    expect(thrown(() => readSubmissionFile(dir, 'big.json', 99)).code).toBe('submission.fileTooLarge');
    expect(readSubmissionFile(dir, 'big.json', 100)).toHaveLength(100);
    expect(thrown(() => readSubmissionFile(dir, 'sub/grade.json')).code).toBe('submission.unsafeFile');
    expect(thrown(() => readSubmissionFile(dir, '../secret.txt')).code).toBe('submission.unsafeFile');
  });
});

describe('entryKind', () => {
  it('says what a path is without following a link on the way, and nothing for a path that leaves the folder', () => {
    const dir = folder({ 'dist/client.js': '', 'main.py': '' });
    symlinkSync(join(dir, 'dist'), join(dir, 'linked'));
    expect(entryKind(dir, 'dist/client.js')).toBe('file');
    expect(entryKind(dir, 'dist')).toBe('directory');
    expect(entryKind(dir, 'linked/client.js')).toBe('symlink');
    expect(entryKind(dir, 'linked')).toBe('symlink');
    expect(entryKind(dir, 'nothing.py')).toBe('missing');
    expect(entryKind(dir, '../secret.txt')).toBe('missing');
    expect(entryKind(dir, 'main.py/x')).toBe('missing');
  });
});

describe('what reads grade.json and package.json', () => {
  it('parseJsonQuietly says where the text stops being JSON, not what it says', () => {
    const e = thrown(() => parseJsonQuietly(`{ ${SECRET}`, 'grade.json'));
    expect(e.message).toMatch(/^grade\.json is not valid JSON/);
    expect(e.message).not.toContain('canary');
  });

  it('loadSubmissionConfig: a linked or piped grade.json is a config error naming it', () => {
    const linked = folder();
    symlinkSync(secret, join(linked, 'grade.json'));
    const e = thrown(() => loadSubmissionConfig(linked));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).not.toContain(SECRET);
    const piped = folder();
    execFileSync('mkfifo', [join(piped, 'grade.json')]);
    expect(thrown(() => loadSubmissionConfig(piped)).message).toMatch(/named pipe/);
    const broken = folder({ 'grade.json': `{"entry": "${SECRET}` });
    expect(thrown(() => loadSubmissionConfig(broken)).message).not.toContain('canary');
  });

  it('detectJsClient: a linked package.json is refused, a main through a link is not a file', () => {
    const linked = folder({ 'client.mjs': '' });
    symlinkSync(secret, join(linked, 'package.json'));
    const e = thrown(() => detectJsClient(linked));
    expect(e.code).toBe('client.badPackage');
    expect(e.message).not.toContain(SECRET);
    const elsewhere = folder({ 'package.json': '{"main": "lib/client.js"}' });
    symlinkSync(join(root, 'outside'), join(elsewhere, 'lib'));
    mkdirSync(join(root, 'outside'), { recursive: true });
    writeFileSync(join(root, 'outside', 'client.js'), '');
    expect(thrown(() => detectJsClient(elsewhere)).message).toMatch(/does not exist/);
    expect(detectJsClient(folder({ 'package.json': '{"main": "client.js"}', 'client.js': '' }))?.entry).toBe('client.js');
  });
});

describe('copySubmission', () => {
  const bounds = { maxBytes: 1 << 20, maxEntries: 100 };

  it('copies files, folders and links (kept as links, never followed), leaving out what it is told to', async () => {
    const src = folder({ 'main.py': 'print(1)\n', 'pkg/net.py': 'x = 1\n', '__pycache__/main.pyc': 'junk' });
    symlinkSync(secret, join(src, 'notes'));
    const dest = join(root, `copy${++n}`);
    const count = await copySubmission(src, dest, { ...bounds, skip: (name) => name === '__pycache__' });
    expect(readFileSync(join(dest, 'pkg', 'net.py'), 'utf8')).toBe('x = 1\n');
    expect(lstatSync(join(dest, 'notes')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dest, 'notes'))).toBe(secret);
    expect(existsSync(join(dest, '__pycache__'))).toBe(false);
    expect(count).toEqual({ entries: 4, bytes: 'print(1)\n'.length + 'x = 1\n'.length });
  });

  it("'shared' copies are readable by another uid through a read-only bind: folders 0755, files 0644 or 0755", async () => {
    const src = folder({ 'main.py': '', 'run.sh': '' });
    execFileSync('chmod', ['600', join(src, 'main.py')]);
    execFileSync('chmod', ['700', join(src, 'run.sh')]);
    const dest = join(root, `copy${++n}`);
    await copySubmission(src, dest, { ...bounds, modes: 'shared' });
    expect(statSync(dest).mode & 0o777).toBe(0o755);
    expect(statSync(join(dest, 'main.py')).mode & 0o777).toBe(0o644);
    expect(statSync(join(dest, 'run.sh')).mode & 0o777).toBe(0o755);
  });

  it('refuses a named pipe and a socket by name, without blocking', async () => {
    const piped = folder({ 'main.py': '' });
    execFileSync('mkfifo', [join(piped, 'data')]);
    await expect(copySubmission(piped, join(root, `copy${++n}`), bounds)).rejects.toMatchObject({ code: 'submission.unsafeFile', message: expect.stringMatching(/^data is a named pipe/) });
    const sock = folder({ 'main.py': '' });
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(sock, 'sock'), r));
    await expect(copySubmission(sock, join(root, `copy${++n}`), bounds)).rejects.toMatchObject({ code: 'submission.unsafeFile', message: expect.stringMatching(/^sock is a socket/) });
    server.close();
  });

  it('refuses more entries than the bound before copying a file, and more bytes than the bound', async () => {
    const many = folder(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.txt`, 'x'])));
    const dest = join(root, `copy${++n}`);
    const e = await copySubmission(many, dest, bounds).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SubmissionError);
    expect(e).toMatchObject({ code: 'submission.tooManyFiles' });
    expect(existsSync(dest)).toBe(false);
    const big = folder({ 'a.bin': 'x'.repeat(600 * 1024), 'b.bin': 'x'.repeat(600 * 1024) });
    await expect(copySubmission(big, join(root, `copy${++n}`), bounds)).rejects.toMatchObject({ code: 'submission.tooLarge' });
  });
});
