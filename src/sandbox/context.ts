// What a sandbox is asked for and what each of its runs is handed: the
// types below both sandbox.ts (a submission's sandbox) and run.ts (one run
// in it), so that neither imports the other for them.

import type { SubmissionCgroup } from './cgroups.js';
import type { SandboxCapabilities } from './detect.js';
import type { SandboxLevel, SandboxLimits } from './plan.js';
import type { XServers } from './xserver.js';

/** What a course asks for: `auto` takes the strongest level the machine allows, `strict` refuses less than full. */
export type SandboxMode = 'auto' | 'strict' | 'off';

/** Options of Sandbox.open(). */
export interface SandboxOptions {
  /** The submission folder (never altered). */
  dir: string;
  mode: SandboxMode;
  limits?: Partial<SandboxLimits>;
  /** The Python that runs clients and static checks, and the installation folders it needs. */
  python: { executable: string; prefixes: string[] };
  /** Give runs an X server for the submission's windows. */
  display: boolean;
  /** The grader's environment (DISPLAY for `off`). */
  env?: NodeJS.ProcessEnv;
  /** Keep a framebuffer file for screenshots. */
  screenshots?: boolean;
  timeoutScale?: number;
  /** A local X display of the user's (e.g. ":0") to show the client on instead of a private Xvfb (`--headed`). */
  useDisplay?: string;
}

/** What a run needs from its submission's sandbox. */
export interface SandboxContext {
  level: SandboxLevel;
  caps: SandboxCapabilities;
  limits: SandboxLimits;
  opts: SandboxOptions;
  root: string;
  /** The pristine copy (levels other than off). */
  snapshot: string | undefined;
  cgroup: SubmissionCgroup | undefined;
  seccomp: string | undefined;
  /** The uid of our helpers beside the sandbox (its X servers, its companions). */
  helperUid: number | undefined;
  /** The runs' X servers, when runs may open windows and need a server of their own. */
  xservers: XServers | undefined;
  /** The grader's own DISPLAY, used at level off (without screenshots). */
  sharedDisplay: string | undefined;
  /** The user's display (`--headed`): its Unix socket and a copy of their X cookie are all a run gets of it. */
  userDisplay?: { display: string; socket: string; cookie: Buffer };
  env: NodeJS.ProcessEnv;
  timeoutScale: number;
}
