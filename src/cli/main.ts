// The `grade` command line. The only place that writes files, reads the
// environment for colour, and exits.

import { Command, CommanderError, Option } from 'commander';
import { serve } from './serve.js';
import { gradeCommand, type GradeCliOptions } from './grade.js';
import { VERSION } from '../version.js';

/** Streams and exit, replaceable so the CLI can be tested in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (Ctrl-C); used by long-running commands. */
  interrupted: Promise<void>;
}

function useColor(io: Io): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.isTTY;
}

const intArg = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderError(2, 'grade.badArgument', `${name} must be an integer from 0 to 65535, got "${value}"`);
  return n;
};

const posInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CommanderError(2, 'grade.badArgument', `${name} must be an integer from 1 to 64, got "${value}"`);
  return n;
};

const posNumber = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CommanderError(2, 'grade.badArgument', `${name} must be a non-negative number, got "${value}"`);
  return n;
};

/** Build the program; `run` returns the exit code. */
export function buildProgram(io: Io): { program: Command; exitCode: () => number } {
  let code = 0;
  const program = new Command('grade')
    .description('Grade a student chat client against the assignment rubric')
    .version(VERSION, '-V, --version')
    .exitOverride()
    // Subcommands own their options: `gradescope-package --out x.zip` is not the grading --out.
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .argument('[submissions...]', 'submission folders (or folders of submissions)')
    .option('--pack <id>', 'the assignment pack (default: detected from the folder)')
    .option('--seed <seed>', 'seed for names, ids and texts (reproduces a run)')
    .addOption(new Option('--sandbox <level>', 'isolation of student code: auto (strongest available), strict (full or refuse), off (debugging)').choices(['auto', 'strict', 'off']))
    .addOption(new Option('--jobs <n>', 'client runs at once').default(2).argParser(posInt('--jobs')))
    .option('--only <globs>', 'only these check ids (comma-separated globs, e.g. "conv.send.*,basic.*")')
    .option('--exclude <globs>', 'skip these check ids (comma-separated globs)')
    .option('--list', 'list the rubric and check ids, and exit')
    .addOption(new Option('--timeout-scale <x>', 'multiply every time limit (slow machines)').argParser(posNumber('--timeout-scale')))
    .option('--verbose', 'live wire log of every run, and transcripts of passed checks')
    .option('--reporter <names>', 'terminal,json,junit,gradescope', 'terminal')
    .option('--out <dir>', 'folder for report files, one sub-folder per submission', 'reports')
    .option('--config <file>', 'course config: re-weighting, launch command, widget paths')
    .addOption(new Option('--fail-under <points>', 'exit 1 when the score (bonus excluded) is below this').argParser(posNumber('--fail-under')))
    .action(async (submissions: string[], opts: GradeCliOptions) => {
      if (opts.list) {
        const { listFor } = await import('./grade.js');
        const listed = listFor(submissions, opts);
        if (listed.ok) io.stdout(listed.text);
        else io.stderr(`grade: ${listed.error}\n`);
        code = listed.ok ? 0 : 2;
        return;
      }
      code = await gradeCommand(submissions, opts, { ...io, color: useColor(io) });
    });

  program
    .command('doctor')
    .description('check this machine: Node, a Python with tkinter, a display or Xvfb, bubblewrap, the probe agent')
    .option('--fix', 'install missing system packages with apt-get (as root; CHATGRADE_NO_INSTALL=1 forbids it)')
    .action(async (opts: { fix?: boolean }) => {
      const { doctor } = await import('../probe/doctor.js');
      const checks = await doctor({ env: io.env, fix: opts.fix, log: (line) => io.stderr(`${line}\n`) });
      for (const c of checks) io.stdout(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(22)} ${c.detail}\n`);
      code = checks.every((c) => c.ok) ? 0 : 2;
    });

  program
    .command('gradescope-package')
    .description('build a Gradescope autograder zip (setup.sh, run_autograder, this grader packed, the course config)')
    .option('--config <file>', 'course config to grade with (default: the default rubric)')
    .option('--out <file>', 'the zip to write', 'autograder.zip')
    .option('--tarball <tgz>', 'use this `npm pack` tarball of chatgrade instead of packing now')
    .action(async (opts: { config?: string; out: string; tarball?: string }) => {
      const { gradescopePackage } = await import('./gradescope-package.js');
      code = await gradescopePackage(opts, io);
    });

  program
    .command('serve')
    .description('run the reference chat server, with a live wire log, to try clients by hand')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').default(5000).argParser(intArg('--port')))
    .action(async (opts: { host: string; port: number }) => {
      try {
        const s = await serve({ host: opts.host, port: opts.port, color: useColor(io), write: io.stdout });
        await io.interrupted;
        await s.stop();
        io.stdout('server stopped\n');
      } catch (err) {
        const e = err as Error & { code?: string };
        io.stderr(`grade serve: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
        code = 2;
      }
    });

  return { program, exitCode: () => code };
}

/** Run the CLI with argv (without node and script); resolves with the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const { program, exitCode } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'grade.badArgument') io.stderr(`grade: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return exitCode();
}
