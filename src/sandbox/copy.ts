// Copying a submission folder, which may be hostile: only regular files,
// folders and symbolic links (kept as links: inside the sandbox they resolve
// in the sandbox's own file system), with a bound on entries as well as
// bytes. A named pipe, a socket or a device is refused by name. Nothing is
// followed and nothing read can block: each file is opened without
// following a link and without blocking, and checked after the open. All of
// it asynchronous, so a large folder never stalls the other submissions.

import { constants } from 'node:fs';
import { chmod, chown, copyFile, lchown, lstat, mkdir, open, readlink, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KIND_WORDS, kindOf } from '../safe-read.js';

/** A submission folder the grader will not copy; the message says what to change. */
export class SubmissionError extends Error {
  constructor(
    readonly code: 'submission.unsafeFile' | 'submission.tooLarge' | 'submission.tooManyFiles',
    message: string,
  ) {
    super(message);
    this.name = 'SubmissionError';
  }
}

/** Bounds and ownership of a copy. */
export interface CopyOptions {
  maxBytes: number;
  /** Files, folders and links in all. */
  maxEntries: number;
  /** Names left out wherever they are (our caches, e.g. __pycache__). */
  skip?: (name: string) => boolean;
  /** Owner of every copy (a run's uid). */
  uid?: number;
  /**
   * 'shared': folders 0755, files 0644 (0755 when executable), for a copy a
   * run's uid reads through a read-only bind; 'own' (default): the modes of
   * the original, for a copy the run's uid owns.
   */
  modes?: 'shared' | 'own';
}

/** What was copied. */
export interface CopyCount {
  entries: number;
  bytes: number;
}

/** Copy `src` (a folder) to `dest` (created); rejects with SubmissionError, leaving a partial copy for the caller to remove. */
export async function copySubmission(src: string, dest: string, opts: CopyOptions): Promise<CopyCount> {
  // Listing is cheap and copying is not: a folder over the bound is refused before a file is copied.
  if (Number.isFinite(opts.maxEntries)) await countEntries(src, opts);
  const count: CopyCount = { entries: 0, bytes: 0 };
  await copyDir(src, dest, '', opts, count);
  return count;
}

function tooMany(opts: CopyOptions): SubmissionError {
  return new SubmissionError('submission.tooManyFiles', `the submission folder holds more than ${opts.maxEntries} files and folders: is it a submission? (remove build output, virtual environments, node_modules)`);
}

/** Throw once the folder holds more than maxEntries entries (without following links). */
async function countEntries(dir: string, opts: CopyOptions, seen = { n: 0 }): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (opts.skip?.(e.name)) continue;
    if (++seen.n > opts.maxEntries) throw tooMany(opts);
    if (e.isDirectory()) await countEntries(join(dir, e.name), opts, seen);
  }
}

/** Files copied at once: enough to keep the disk busy, few enough to bound open descriptors. */
const AT_ONCE = 16;

function fileMode(mode: number, opts: CopyOptions): number {
  if (opts.modes !== 'shared') return mode & 0o777;
  return mode & 0o100 ? 0o755 : 0o644;
}

async function copyDir(src: string, dest: string, rel: string, opts: CopyOptions, count: CopyCount): Promise<void> {
  await mkdir(dest, { mode: 0o700 });
  const entries = (await readdir(src, { withFileTypes: true })).filter((e) => !opts.skip?.(e.name));
  const one = async (e: (typeof entries)[number]): Promise<void> => {
    // The folder may have changed since it was counted.
    if (++count.entries > opts.maxEntries) throw tooMany(opts);
    const from = join(src, e.name);
    const to = join(dest, e.name);
    const name = join(rel, e.name);
    // Some file systems do not say the type in the listing (DT_UNKNOWN): lstat then, never stat.
    const kind = e.isDirectory() ? 'directory' : e.isSymbolicLink() ? 'symlink' : e.isFile() ? 'file' : kindOf(await lstat(from));
    if (kind === 'directory') await copyDir(from, to, name, opts, count);
    else if (kind === 'symlink') await copyLink(from, to, opts);
    else if (kind === 'file') await copyRegular(from, to, name, opts, count);
    else throw new SubmissionError('submission.unsafeFile', `${name} is ${KIND_WORDS[kind]}: a submission holds regular files, folders and links only`);
  };
  // Folders one after the other (their depth bounds the descriptors), files a few at a time.
  for (const e of entries.filter((x) => x.isDirectory())) await one(e);
  const rest = entries.filter((x) => !x.isDirectory());
  for (let i = 0; i < rest.length; i += AT_ONCE) await Promise.all(rest.slice(i, i + AT_ONCE).map(one));
  await chmod(dest, opts.modes === 'shared' ? 0o755 : 0o700);
  if (opts.uid !== undefined) await chown(dest, opts.uid, opts.uid);
}

async function copyLink(from: string, to: string, opts: CopyOptions): Promise<void> {
  await symlink(await readlink(from), to);
  if (opts.uid !== undefined) await lchown(to, opts.uid, opts.uid);
}

/** A regular file, opened without following a link or blocking on a pipe, checked after the open. */
async function copyRegular(from: string, to: string, name: string, opts: CopyOptions, count: CopyCount): Promise<void> {
  let handle;
  try {
    handle = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new SubmissionError('submission.unsafeFile', `${name} cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = await handle.stat();
    // Replaced since it was listed: judged again on what was opened.
    if (!st.isFile()) throw new SubmissionError('submission.unsafeFile', `${name} is ${KIND_WORDS[kindOf(st)]}: a submission holds regular files, folders and links only`);
    count.bytes += st.size;
    if (count.bytes > opts.maxBytes) throw new SubmissionError('submission.tooLarge', `the submission folder holds more than ${opts.maxBytes / 1024 / 1024} MiB: is it a submission?`);
    // The open descriptor, by its /proc name: the file checked above, copied by the kernel.
    await copyFile(`/proc/self/fd/${handle.fd}`, to);
    await chmod(to, fileMode(st.mode, opts));
    if (opts.uid !== undefined) await chown(to, opts.uid, opts.uid);
  } finally {
    await handle.close();
  }
}
