// `chatgrade doctor`: can this machine grade? Each check says what was found
// or what to install; none of them throws. With `fix`, the missing system
// packages are installed first (src/env/install.ts).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { acquireDisplay, findPython, findXvfb, type PythonInfo } from '../env/index.js';
import { defaultPythonCandidates } from '../env/python.js';
import { closedToOthers } from '../sandbox/support.js';
import { ensureSystemPackages, isPresent, packagesForGrading } from '../env/install.js';
import { chooseLevel, sandboxCapabilities } from '../sandbox/index.js';
import { cgroupCheck, seccompCheck } from '../sandbox/status.js';
import { agentDir } from '../probe/launch.js';

/** One line of the doctor's report. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { name: 'node', ok, detail: `v${process.versions.node}${ok ? '' : ' (need >= 20.19)'}` };
}

async function pythonCheck(): Promise<DoctorCheck> {
  try {
    const py = await findPython();
    return {
      name: 'python with tkinter',
      ok: true,
      detail: `${py.executable} (Python ${py.version}, Tk ${py.tkVersion}, Tcl ${py.tclPatchLevel}; found as ${py.candidate})`,
    };
  } catch (e) {
    return { name: 'python with tkinter', ok: false, detail: `${(e as Error).message} (\`chatgrade doctor --fix\` installs python3-tk)` };
  }
}

async function displayCheck(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  if (env.DISPLAY) return { name: 'display', ok: true, detail: `DISPLAY=${env.DISPLAY} (from the environment)` };
  const xvfb = findXvfb(env);
  if (!xvfb) {
    return { name: 'display', ok: false, detail: 'DISPLAY is not set and Xvfb was not found: install xvfb (\`chatgrade doctor --fix\`, or apt-get install xvfb) or set DISPLAY' };
  }
  try {
    // Start and stop one, so a broken Xvfb shows here and not mid-run.
    const lease = await acquireDisplay({ env, xvfbPath: xvfb, within: 5000 });
    await lease.release();
    return { name: 'display', ok: true, detail: `private Xvfb (${xvfb}) starts and stops` };
  } catch (e) {
    return { name: 'display', ok: false, detail: (e as Error).message };
  }
}

async function sandboxCheck(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  return (await isPresent('bubblewrap', env))
    ? { name: 'bubblewrap', ok: true, detail: 'bwrap found (the sandbox around student code)' }
    : { name: 'bubblewrap', ok: false, detail: 'bwrap not found: install bubblewrap (`chatgrade doctor --fix`, or apt-get install bubblewrap)' };
}

const LEVELS = {
  full: 'full: each run in its own PID, network, IPC and mount namespaces (bubblewrap), with limits',
  fallback: 'fallback: no namespaces here, so runs see the machine\'s processes, files and network; each gets limits, a scrubbed environment and a private copy',
  off: 'off',
};

/** The level `--sandbox auto` gives here, and what it lacks (docs/SECURITY.md says what each level guarantees). */
async function levelCheck(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const caps = await sandboxCapabilities({ env, fresh: true });
  const { level, notes } = chooseLevel('auto', caps);
  const uid = caps.root && caps.setpriv ? '; a uid of its own per run' : '';
  // A weaker level still grades (auto falls back); `--sandbox strict` is what refuses it.
  return { name: 'sandbox level', ok: true, detail: `${LEVELS[level]}${uid}${notes.length ? `; missing: ${notes.join('; ')}` : ''}` };
}

function agentCheck(): DoctorCheck {
  const dir = agentDir();
  const missing = ['run_client.py', 'chatgrade_agent/__init__.py'].filter((f) => !existsSync(join(dir, f)));
  return missing.length
    ? { name: 'probe agent', ok: false, detail: `missing in ${dir}: ${missing.join(', ')}` }
    : { name: 'probe agent', ok: true, detail: dir };
}

/**
 * What grading runs, run once: the reference client's first check, graded at
 * the level this machine gives, in its sandbox, with its own X server. Any
 * fault grading would meet (a Python the run's uid cannot read, an X server
 * that does not start, a sandbox that cannot be set up) fails here, with the
 * fix, and not on every submission.
 */
async function canaryCheck(env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const name = 'canary grade';
  let python: PythonInfo;
  try {
    python = await findPython({ env });
  } catch {
    return { name, ok: false, detail: 'not run: no Python with tkinter (see above)' };
  }
  const { gradeFolder } = await import('../submission.js');
  const { chat } = await import('../packs/chat/index.js');
  const id = 'basic.register.sent';
  const t0 = performance.now();
  const result = await gradeFolder(chat.reference, { course: {}, pack: chat, only: [id], exclude: [], seed: 'doctor', jobs: 1, timeoutScale: 1, python, sandbox: 'auto', env });
  const check = result.checks.find((c) => c.id === id);
  if (result.errors.length === 0 && check?.status === 'passed') {
    return { name, ok: true, detail: `the reference client graded at the ${result.environment.sandbox ?? 'chosen'} level: ${id} passed (${Math.round(performance.now() - t0)} ms)` };
  }
  const fault = result.errors[0] ?? check?.error ?? { code: 'canary.failed', message: `the reference client lost ${id}: ${check?.actual ?? check?.status ?? 'no verdict'}` };
  const fix = fault.code === 'sandbox.setupFailed' && /cannot use the Python/.test(fault.message) ? await readablePython(env) : undefined;
  return { name, ok: false, detail: `grading fails here: ${fault.message} [${fault.code}]${fix ? `. Fix: ${fix}` : ''}` };
}

/** A Python with tkinter that every uid can read, to name as the fix; or how to get one. */
async function readablePython(env: NodeJS.ProcessEnv): Promise<string> {
  for (const candidate of defaultPythonCandidates({ ...env, CHATGRADE_PYTHON: '' })) {
    const py = await findPython({ env, candidates: [candidate], within: 5000 }).catch(() => undefined);
    if (py && !closedToOthers([dirname(py.executable), ...py.prefixes])) return `grade with CHATGRADE_PYTHON=${py.executable} (a Python every uid can read)`;
  }
  return 'apt-get install python3-tk, then grade with CHATGRADE_PYTHON=/usr/bin/python3 (a Python every uid can read)';
}

/** Options for doctor. */
export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** Install missing system packages first (`doctor --fix`). */
  fix?: boolean;
  /** Where --fix says what it does, one line each. */
  log?: (line: string) => void;
}

/**
 * Check Node, a Python with tkinter, a display (or Xvfb), bubblewrap, the
 * sandbox level this machine gives, its cgroups and seccomp filter, and the
 * agent files, then grade the reference client's first check as grading
 * would (the canary). With `fix`, install what is missing first; an install
 * that fails is logged and shows again in the checks.
 */
export async function doctor(opts: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const env = opts.env ?? process.env;
  if (opts.fix) {
    const log = opts.log ?? (() => undefined);
    await ensureSystemPackages({ need: packagesForGrading(env), allowInstall: true, log, env }).catch((e: Error & { code?: string }) =>
      log(`chatgrade doctor: ${e.message}${e.code ? ` [${e.code}]` : ''}`),
    );
  }
  const checks = [nodeCheck(), await pythonCheck(), await displayCheck(env), await sandboxCheck(env), await levelCheck(env), cgroupCheck(), await seccompCheck(), agentCheck()];
  return [...checks, await canaryCheck(env)];
}
