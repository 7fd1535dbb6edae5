// What the command line talks to: its own module, below main.ts and every
// command it dispatches to, so a command takes the type without importing
// its caller.

/** Streams and exit, replaceable so the CLI can be tested in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (Ctrl-C); used by long-running commands. */
  interrupted: Promise<void>;
  /** Terminal columns of stdout, when it is a terminal. */
  columns?: number;
  /** The real stderr, when it is a terminal (the live progress view of a class draws there). */
  stderrTTY?: NodeJS.WriteStream;
}
