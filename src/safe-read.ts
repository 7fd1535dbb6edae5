// The one way the grader reads a submission's file on the host (grade.json,
// package.json). A submission is hostile and the grader may be root: a name
// that is a link would make us read the link's target (a file of our $HOME),
// and a named pipe would block us until someone writes to it. So the file is
// opened without following a link and without blocking, checked after the
// open (fstat) to be a regular file of a bounded size, and read in one go.
// Errors name the file and what is wrong with it, never what it holds.

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { join, normalize, sep } from 'node:path';

/** A submission's file the grader will not read; the message says why, without its contents. */
export class UnsafeFileError extends Error {
  constructor(
    readonly code: 'submission.unsafeFile' | 'submission.fileTooLarge',
    message: string,
  ) {
    super(message);
    this.name = 'UnsafeFileError';
  }
}

/** What a path of a submission is, seen without following links. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'device' | 'missing';

/** The kind of an lstat result, in the words a message uses. */
export function kindOf(st: Stats): Exclude<EntryKind, 'missing'> {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'device';
}

/** How a message names each kind. */
export const KIND_WORDS: Record<EntryKind, string> = {
  file: 'a regular file',
  directory: 'a folder',
  symlink: 'a symbolic link',
  fifo: 'a named pipe',
  socket: 'a socket',
  device: 'a device file',
  missing: 'missing',
};

/** `rel` split into its parts, or undefined when it leaves the folder (absolute, or `..`). */
function parts(rel: string): string[] | undefined {
  const norm = normalize(rel);
  if (norm.startsWith(sep) || norm.split(sep).includes('..')) return undefined;
  return norm.split(sep).filter((p) => p && p !== '.');
}

/**
 * What `rel` is inside `dir`, without following any link on the way: a
 * path through a link is 'symlink' (a link may point anywhere on the host).
 * Never blocks: lstat does not open anything.
 */
export function entryKind(dir: string, rel: string): EntryKind {
  const names = parts(rel);
  if (!names?.length) return 'missing';
  let path = dir;
  for (const [i, name] of names.entries()) {
    path = join(path, name);
    let kind: EntryKind;
    try {
      kind = kindOf(lstatSync(path));
    } catch {
      return 'missing';
    }
    if (i === names.length - 1 || kind === 'symlink') return kind;
    if (kind !== 'directory') return 'missing';
  }
  return 'missing';
}

/**
 * The text of `name` in the submission folder `dir`, or undefined when
 * there is no such file. Throws UnsafeFileError for a link, a pipe, a
 * socket, a device or a folder, and for a file over `maxBytes`.
 */
export function readSubmissionFile(dir: string, name: string, maxBytes = 64 * 1024): string | undefined {
  const names = parts(name);
  if (names?.length !== 1) throw new UnsafeFileError('submission.unsafeFile', `${name}: only a file at the top of the submission folder is read`);
  const path = join(dir, name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafeFileError('submission.unsafeFile', `${path} is a symbolic link: it must be a regular file of the submission, and was not read`);
    throw new UnsafeFileError('submission.unsafeFile', `${path} cannot be opened (${code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UnsafeFileError('submission.unsafeFile', `${path} is ${KIND_WORDS[kindOf(st)]}, not a regular file, and was not read`);
    if (st.size > maxBytes) throw new UnsafeFileError('submission.fileTooLarge', `${path} holds ${st.size} bytes, more than the ${maxBytes} read`);
    // One byte more than the cap shows a file that grew since fstat.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      got += n;
      if (n === 0 || got === buf.length) break;
    }
    if (got > maxBytes) throw new UnsafeFileError('submission.fileTooLarge', `${path} holds more than the ${maxBytes} bytes read`);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * JSON.parse, with an error that says where the text stops being JSON but
 * not what it says there (V8's own message quotes the text).
 */
export function parseJsonQuietly(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new SyntaxError(`${name} is not valid JSON${at ? ` (at byte ${at})` : ''}`);
  }
}
