// The `chatgrade` command line (also installed as `grade`). The only place
// that reads the environment for colour and width, and decides the exit code.

import { Command, CommanderError, Option } from 'commander';
import { gradeCommand, listFor, type GradeCliOptions } from './grade.js';
import type { Io } from './io.js';
import { PACKS, packById } from '../packs/index.js';
import { VERSION } from '../version.js';

/**
 * Colour, one rule for every output and every caller: off with --no-color;
 * else FORCE_COLOR set and not empty turns it on ("0" and "false" off), as
 * Node and chalk read it; else NO_COLOR set and not empty turns it off
 * (no-color.org); else TERM=dumb turns it off; else colour on a terminal.
 */
export function useColor(io: Pick<Io, 'env' | 'isTTY'>, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return io.isTTY;
}

const int = (name: string, min: number, max: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CommanderError(2, 'grade.badArgument', `${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
};

const posNumber = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CommanderError(2, 'grade.badArgument', `${name} must be a positive number, got "${value}"`);
  return n;
};

const shard = (value: string): { index: number; count: number } => {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new CommanderError(2, 'grade.badArgument', `--shard must be i/n with 1 <= i <= n (e.g. 2/4), got "${value}"`);
  return { index, count };
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const HELP_TAIL = `
Exit codes:
  0    graded (every submission complete)
  1    a score under --fail-under, or a verdict that varied under --repeat
  2    usage, configuration, harness or environment error, or an incomplete grade
  130  interrupted (Ctrl-C or SIGTERM; a second one stops at once); the gradebook lists every submission, graded or not

Environment:
  CHATGRADE_PYTHON      the Python (with tkinter) that runs clients
  CHATGRADE_NO_INSTALL  1: never install missing system packages (print the command instead)
  NO_COLOR, FORCE_COLOR colour off / on (also --no-color); TERM=dumb turns it off
  GITHUB_STEP_SUMMARY   where --reporter github appends its Markdown summary
  DISPLAY               used with --sandbox off; sandboxed clients get an X server of their own

Examples:
  chatgrade ./student-client
  chatgrade ./student-client --headed --slow-mo 300     watch the grader drive your GUI
  chatgrade ./submissions --reporter csv --reporter html --roster roster.csv --out reports
  chatgrade --rerun-incomplete reports                  grade again what is incomplete, and merge
  chatgrade ./student-client --only 'conv.send.*' --seed k3x9
  chatgrade init                                        a commented course.json and its JSON Schema
`;

/** Build the program; `run` returns the exit code. */
export function buildProgram(io: Io): { program: Command; exitCode: () => number } {
  let code = 0;
  const program = new Command('chatgrade')
    .description('Grade student clients (chat, and other assignment packs) against the course rubric')
    .version(VERSION, '-V, --version')
    .exitOverride()
    // Subcommands own their options: `gradescope-package --out x.zip` is not the grading --out.
    .enablePositionalOptions()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText('after', HELP_TAIL);

  program
    .argument('[submissions...]', 'submission folders (or folders of submissions)')
    .option('--pack <id>', 'the assignment pack (default: detected from the folder)')
    .option('--seed <seed>', 'seed for names, ids and texts (reproduces a run)')
    .addOption(new Option('--sandbox <level>', 'isolation of student code: auto (strongest available), strict (full or refuse), off (debugging)').choices(['auto', 'strict', 'off']))
    .addOption(new Option('--jobs <n>', 'client runs at once, across the whole class (default: from cores and memory)').argParser(int('--jobs', 1, 64)))
    .option('--only <globs>', 'only these check ids (comma-separated globs, e.g. "conv.send.*,basic.*")')
    .option('--exclude <globs>', 'skip these check ids (comma-separated globs)')
    .option('--list', "list the active pack's rubric and check ids, and exit")
    .addOption(new Option('--timeout-scale <x>', 'multiply every time limit (slow machines)').argParser(posNumber('--timeout-scale')))
    .option('--verbose', 'live wire log of a single submission; every full report on the terminal for a class')
    .option('--reporter <name>', 'terminal, json, junit, gradescope, html, csv, github (repeatable, or comma-separated)', collect)
    .option('--out <dir>', 'folder for report files, one sub-folder per submission', 'reports')
    .option('--config <file>', 'course config: pack, re-weighting, launch, widget paths, sandbox and limits')
    .addOption(new Option('--fail-under <points>', 'exit 1 when a score (bonus excluded) is below this').argParser(posNumber('--fail-under')))
    .addOption(new Option('--visibility <when>', 'Gradescope: when students see a complete grade').choices(['visible', 'hidden', 'after_due_date', 'after_published']))
    .addOption(new Option('--shard <i/n>', 'grade only shard i of n of the class (CI matrices; join with `chatgrade merge`)').argParser(shard))
    .addOption(new Option('--repeat <n>', 'grade n times with different seeds and list every verdict that varied').argParser(int('--repeat', 1, 50)))
    .option('--roster <csv>', 'a class roster (Gradescope, Canvas or Moodle export): grades.csv carries ids, names and emails, and lists students with no submission')
    .option('--roster-columns <spec>', 'which roster columns hold what, e.g. "id=SID,name=Full Name,email=Email,folder=Login"')
    .option('--rerun-incomplete <out>', 'grade again the incomplete and ungraded submissions of an earlier --out folder, and merge them into its gradebook')
    .addOption(new Option('--bail <n>', 'stop the class once n checks have failed (counted as submissions finish); exit 1').argParser(int('--bail', 1, 100_000)))
    .option('--headed', "watch it happen: one submission's client on your own display, each check named as it runs")
    .addOption(new Option('--slow-mo <ms>', 'with --headed: wait this long before each click and keystroke').argParser(int('--slow-mo', 0, 10_000)))
    .option('--no-color', 'no colour in terminal output')
    .action(async (submissions: string[], opts: GradeCliOptions & { color?: boolean }) => {
      if (opts.list) {
        const listed = listFor(submissions, opts);
        if (listed.ok) io.stdout(listed.text);
        else io.stderr(`chatgrade: ${listed.error}\n`);
        code = listed.ok ? 0 : 2;
        return;
      }
      const { defaultJobs } = await import('./class.js');
      code = await gradeCommand(submissions, { ...opts, reporter: opts.reporter ?? ['terminal'], jobs: opts.jobs ?? defaultJobs() }, {
        stdout: io.stdout,
        stderr: io.stderr,
        color: useColor(io, opts.color),
        width: Math.max(40, Math.min(io.columns ?? 80, 160)),
        env: io.env,
        interrupted: io.interrupted,
        ...(io.stderrTTY ? { tty: io.stderrTTY } : {}),
      });
    });

  program
    .command('help [command]')
    .description('show help for chatgrade or one of its commands')
    .action((name?: string) => {
      const sub = name ? program.commands.find((c) => c.name() === name) : undefined;
      if (name && !sub) {
        io.stderr(`chatgrade: no command "${name}" (commands: ${program.commands.map((c) => c.name()).join(', ')})\n`);
        code = 2;
        return;
      }
      io.stdout((sub ?? program).helpInformation());
      if (!sub) io.stdout(HELP_TAIL);
    });

  program
    .command('doctor')
    .description('check this machine: Node, a Python with tkinter, a display or Xvfb, the sandbox level and why, the probe agent')
    .option('--fix', 'install missing system packages with apt-get (as root; CHATGRADE_NO_INSTALL=1 forbids it)')
    .action(async (opts: { fix?: boolean }) => {
      const { doctor } = await import('./doctor.js');
      const checks = await doctor({ env: io.env, fix: opts.fix, log: (line) => io.stderr(`${line}\n`) });
      for (const c of checks) io.stdout(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(22)} ${c.detail}\n`);
      code = checks.every((c) => c.ok) ? 0 : 2;
    });

  program
    .command('init')
    .description('write a commented course config to start from, and its JSON Schema beside it (editors complete the file)')
    .option('--out <file>', 'the config to write', 'course.json')
    .option('--force', 'write over an existing file')
    .action(async (opts: { out: string; force?: boolean }) => {
      const { initCommand } = await import('./init.js');
      code = initCommand(opts, io);
    });

  program
    .command('merge <dirs...>')
    .description("join the --out folders of `--shard` runs into one gradebook (grades.csv, class.json) and class index")
    .option('--out <dir>', 'where the joined gradebook goes', 'reports')
    .option('--reporter <name>', 'class reporters to run on the joined results: csv, github, html (repeatable)', collect)
    .option('--roster <csv>', 'a class roster: the gradebook carries its ids, names and emails')
    .option('--roster-columns <spec>', 'which roster columns hold what, e.g. "id=SID,name=Full Name"')
    .action(async (dirs: string[], opts: { out: string; reporter?: string[]; roster?: string; rosterColumns?: string }) => {
      const { mergeCommand } = await import('./merge.js');
      code = mergeCommand(dirs, { ...opts, reporter: opts.reporter ?? ['csv'] }, io);
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

  const serveCmd = program
    .command('serve')
    .description(`play a pack's reference side with a live log, to try a submission by hand (${PACKS.map((p) => `${p.id}: ${p.serve?.description ?? 'nothing to serve'}`).join('; ')})`)
    .option('--pack <id>', 'which pack', PACKS[0]!.id)
    .option('--no-color', 'no colour');
  const seen = new Set<string>();
  for (const o of PACKS.flatMap((p) => p.serve?.options ?? [])) {
    if (seen.has(o.flag)) continue;
    seen.add(o.flag);
    serveCmd.option(o.flag, o.default === undefined ? o.description : `${o.description} (default ${o.default})`);
  }
  serveCmd.action(async (opts: Record<string, string | boolean | undefined>) => {
    const pack = packById(String(opts.pack));
    if (!pack?.serve) {
      io.stderr(`chatgrade serve: ${pack ? `the ${pack.id} pack has nothing to serve` : `unknown pack "${String(opts.pack)}"; choose from ${PACKS.map((p) => p.id).join(', ')}`}\n`);
      code = 2;
      return;
    }
    // Only the chosen pack's own options, with its defaults.
    const values = Object.fromEntries(pack.serve.options.map((o) => {
      const key = o.flag.replace(/^--/, '').split(' ')[0]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const v = opts[key];
      return [key, typeof v === 'string' ? v : o.default];
    }));
    try {
      const { findPython } = await import('../env/index.js');
      const s = await pack.serve.start({ values, color: useColor(io, opts.color as boolean | undefined), write: io.stdout, python: async () => (await findPython({ env: io.env })).executable });
      await io.interrupted;
      await s.stop();
      io.stdout('server stopped\n');
    } catch (err) {
      const e = err as Error & { code?: string };
      io.stderr(`chatgrade serve: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
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
      if (err.code === 'grade.badArgument') io.stderr(`chatgrade: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return exitCode();
}
