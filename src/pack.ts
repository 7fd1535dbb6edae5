// An assignment pack: everything the grader knows about one assignment, as
// data over the core. A pack brings its rubric, its check scripts, the runs
// they need and how to start each run; the core (runner, probe, sandbox,
// reporters, CLI) takes a Pack and never names one. docs/PACKS.md says how
// to add a pack.

import type { CheckScript, Limits } from './check.js';
import type { TranscriptEntry } from './fake-server/session.js';
import type { Listener } from './fake-server/transport.js';
import type { ModuleInspector } from './js/inspect.js';
import type { Exec, Launcher } from './launcher.js';
import type { SharedFacts } from './limiter.js';
import type { Rng } from './random.js';
import type { Rubric } from './rubric.js';

/** What the core gives a pack's run. */
export interface RunEnv {
  /** The submission folder (the client's working directory). */
  dir: string;
  /** The Python interpreter for static checks (real executable, with tkinter). */
  python: string;
  /** This run's own random stream. */
  rng: Rng;
  limits: Limits;
  /** Starts the client with the probe wired in (in the run's sandbox). */
  launch: Launcher;
  /** Listen for the client at host, on `port` or one chosen here: TCP in the run's sandbox network. */
  listen(host: string, port?: number): Promise<Listener>;
  /** A Unix socket of ours that companions (LaunchRequest) reach at `inside`. */
  unixListen(name: string): Promise<{ inside: string; server: import('node:net').Server }>;
  /** Run a static check in the run's sandbox, with a time limit; its verdict is trusted only with the core's nonce (see Exec). */
  exec: Exec;
  /** Facts the runs of this submission share (see SharedFacts). */
  shared: SharedFacts;
  /** Widget paths a config names, where the GUI departs from the conventions (keys are the pack's `uiKeys`). */
  ui: Readonly<Record<string, string>>;
  /** Live wire log (--verbose). */
  onWire?: (entry: TranscriptEntry) => void;
  /** Static checks in the client's own runtime when it is not the pack's default (a JS client: src/js). */
  inspector?: ModuleInspector;
}

/** The core's view of one run of a pack: a client session (or none, for static checks) that checks share. */
export interface PackRun {
  /** Milliseconds on the run's transcript clock. */
  now(): number;
  /** The wire since a moment, for a check's evidence. */
  transcriptSince(t: number): TranscriptEntry[];
  /** The client's captured stderr, when a client was started. */
  stderr(): string | undefined;
  /** How the client's GUI was seen ('tk-agent' or 'explicit'), once a client said hello. */
  probeMode?(): string | undefined;
  /** What the grader understands of the GUI now (for a failed check's report). */
  seen?(): Record<string, unknown> | undefined;
  /** Stop everything the run started. */
  dispose(): Promise<void>;
}

/** One kind of run a pack's checks may need. */
export interface RunSpec {
  kind: string;
  /** False for runs that start no client (static checks): they need no display. */
  client: boolean;
}

/** An option of a pack's `chatgrade serve` (e.g. `--port <port>`). */
export interface ServeOption {
  flag: string;
  description: string;
  default?: string;
}

/** What `chatgrade serve --pack <id>` runs: the pack's reference side, live-logged, for trying a submission by hand. */
export interface PackServer {
  /** One line for --help. */
  description: string;
  options: readonly ServeOption[];
  /** Start serving; a fault is an error with a `code` (e.g. a port in use). */
  start(opts: { values: Readonly<Record<string, string | undefined>>; color: boolean; write: (text: string) => void; python: () => Promise<string> }): Promise<{ stop(): Promise<void> }>;
}

/** An assignment, as data. */
export interface Pack<R extends PackRun = PackRun> {
  /** Stable id, used by `--pack` and in reports. */
  id: string;
  title: string;
  rubric: Rubric;
  /** Files whose presence marks a submission folder of this pack; the first is the default entry. */
  entries: readonly string[];
  /** Run kinds in the order they start. */
  runs: readonly RunSpec[];
  scripts: readonly CheckScript<R>[];
  /** Create one run (it starts nothing until a check asks). */
  createRun(kind: string, env: RunEnv): R;
  /** Keys a config's `ui` may name. */
  uiKeys: readonly string[];
  /** The pack's reference submission and calibrated mutants, shipped in examples/. */
  reference: string;
  mutants: string;
  /** `chatgrade serve --pack <id>`, when the pack has a reference side to play by hand. */
  serve?: PackServer;
  /** Limits the pack's handout sets otherwise than the core's defaults (ms, before --timeout-scale), e.g. how long a GUI change may take. */
  limits?: Partial<Limits>;
  /**
   * None of its failures rests on a time it measured: a check that failed
   * with no wait running out judged what came, and load cannot change that,
   * so it is not run again for a starved window (docs/GRADING.md, "Load
   * never changes a verdict"). Unset, every failure in a starved window is.
   */
  failsOnlyByDeadline?: boolean;
}

/**
 * A pack as the core holds it. Scripts are written against the pack's own
 * run type; the core only ever hands each script a run made by the same
 * pack's createRun, so erasing the type here is sound.
 */
export function definePack<R extends PackRun>(pack: Pack<R>): Pack {
  return pack as unknown as Pack;
}
