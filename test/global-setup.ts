// Once before the whole suite: the system packages the tests use (Xvfb for
// the GUI tests unless a DISPLAY is set, bubblewrap for the sandbox, tkinter
// where no Python has it), installed the way the grader installs them, so
// `npm test` passes on a fresh machine. CHATGRADE_NO_INSTALL=1 turns this
// into a one-line hint; an install that fails stops the run with its reason.
import { ensureSystemPackages, packagesForGrading } from '../src/env/install.js';

export default async function setup(): Promise<void> {
  await ensureSystemPackages({
    need: packagesForGrading(process.env),
    allowInstall: true,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}
