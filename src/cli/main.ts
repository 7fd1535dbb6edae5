// The `grade` command line. The only place that writes files, reads the
// environment for colour, and exits.

import { Command, CommanderError, Option } from 'commander';
import { serve } from './serve.js';
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

/** Build the program; `run` returns the exit code. */
export function buildProgram(io: Io): { program: Command; exitCode: () => number } {
  let code = 0;
  const program = new Command('grade')
    .description('Grade a student chat client against the assignment rubric')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

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
