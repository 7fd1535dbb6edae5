// Finding a Python that has tkinter. The answer is the interpreter's own
// sys.executable, so launchers such as pyenv shims are resolved once here
// and not paid for on every client start.

import { execFile } from 'node:child_process';

/** An environment fault (no Python, no display), with a stable dotted code. */
export class EnvError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EnvError';
  }
}

/** The system Python that python3-seccomp installs into (it compiles the sandbox's seccomp filter, src/sandbox/seccomp.ts). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** A Python interpreter known to import tkinter. */
export interface PythonInfo {
  /** The real interpreter (sys.executable). */
  executable: string;
  /** The candidate that led to it, e.g. "python3". */
  candidate: string;
  /** sys.version, first word, e.g. "3.11.7". */
  version: string;
  /** tkinter.TkVersion and the Tcl patch level, e.g. "8.6" / "8.6.13". */
  tkVersion: string;
  tclPatchLevel: string;
  /** Folders the installation lives in (sys.prefix, base_prefix, exec_prefix): what a sandbox must show. */
  prefixes: string[];
}

/** Options for findPython. */
export interface FindPythonOptions {
  /** Replaces the default candidate list. */
  candidates?: string[];
  /** Limit per candidate, ms. Default 10000. */
  within?: number;
  env?: NodeJS.ProcessEnv;
}

const PROBE_SCRIPT =
  'import sys, tkinter; print(sys.executable); print(sys.version.split()[0]); ' +
  'print(tkinter.TkVersion); print(tkinter.Tcl().eval("info patchlevel")); ' +
  'print(" ".join(sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix})))';

const cache = new Map<string, Promise<PythonInfo>>();

/** The candidates tried, in order, when none are given: CHATGRADE_PYTHON alone when it is set (a wrong one is an error, not a reason to grade with another). */
export function defaultPythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CHATGRADE_PYTHON) return [env.CHATGRADE_PYTHON];
  const list: string[] = [];
  list.push('python3');
  for (let minor = 14; minor >= 8; minor--) list.push(`python3.${minor}`);
  list.push('/usr/bin/python3', '/usr/local/bin/python3', 'python');
  return list;
}

interface Attempt {
  candidate: string;
  info?: PythonInfo;
  problem?: string;
}

function tryCandidate(candidate: string, within: number, env: NodeJS.ProcessEnv): Promise<Attempt> {
  return new Promise((resolve) => {
    execFile(
      candidate,
      ['-c', PROBE_SCRIPT],
      { timeout: within, killSignal: 'SIGKILL', env, maxBuffer: 64 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          let problem: string;
          if (e.code === 'ENOENT') problem = 'not found';
          else if (e.killed) problem = `no answer within ${within} ms`;
          else {
            const last = String(stderr).trim().split('\n').pop() ?? '';
            problem = /tkinter|_tkinter|libtk/i.test(String(stderr)) ? `no tkinter (${last})` : last || e.message;
          }
          resolve({ candidate, problem });
          return;
        }
        // Not trimmed: an empty first line (no sys.executable) must not shift the others.
        const [executable, version, tkVersion, tclPatchLevel, prefixes] = String(stdout).replace(/\n$/, '').split('\n');
        if (!executable || !tkVersion) {
          resolve({ candidate, problem: 'unexpected output' });
          return;
        }
        resolve({
          candidate,
          info: { executable, candidate, version: version ?? '', tkVersion, tclPatchLevel: tclPatchLevel ?? '', prefixes: (prefixes ?? '').split(' ').filter(Boolean) },
        });
      },
    );
  });
}

/**
 * The first candidate Python that imports tkinter (cached per process and
 * candidate list). Rejects with 'env.noPython' naming what was tried.
 */
export function findPython(opts: FindPythonOptions = {}): Promise<PythonInfo> {
  const env = opts.env ?? process.env;
  const candidates = opts.candidates ?? defaultPythonCandidates(env);
  const key = JSON.stringify(candidates);
  let found = cache.get(key);
  if (!found) {
    found = search(candidates, opts.within ?? 10_000, env);
    cache.set(key, found);
    // A failure is not cached: the user may install tkinter and retry.
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function search(candidates: string[], within: number, env: NodeJS.ProcessEnv): Promise<PythonInfo> {
  const tried: string[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const attempt = await tryCandidate(candidate, within, env);
    if (attempt.info) return attempt.info;
    tried.push(`${candidate}: ${attempt.problem}`);
  }
  throw new EnvError(
    'env.noPython',
    `no Python with tkinter found (tried ${tried.join('; ')}). ` +
      'Install python3-tk (e.g. apt-get install python3-tk), or point CHATGRADE_PYTHON at a Python that has tkinter.',
  );
}
