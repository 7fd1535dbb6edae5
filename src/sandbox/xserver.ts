// A run's own X server. Each run that opens windows gets an Xvfb of its own,
// so a screenshot taken for one of its checks shows its windows and no other
// run's (they would all sit at the same place on a shared screen, there
// being no window manager), and a client that wrecks its X server wrecks
// only its own run. The server is inside the submission's limits: its
// cgroup, a uid that is neither the grader's nor any run's (no run can
// signal it), and an address-space cap, so that a client that bloats it gets
// BadAlloc instead of the machine's memory; when the submission's cgroup
// runs out of memory, the OOM killer takes the submission's own processes
// first (plan.ts, SUBMISSION_OOM_SCORE_ADJ).
//
// Starting an Xvfb takes a tenth of a second or more: the submission keeps
// one started ahead (XServers), so a run takes a server that is ready, and
// one that ended is stopped in the background.

import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startXvfb, type XServer } from '../env/display.js';
import { X_SERVER_MiB, observerCommand, type Entry } from './plan.js';
import type { SandboxCapabilities } from './detect.js';
import { alive, xauthority } from './support.js';

/** A run's X server, with the files its clients need. */
export interface RunDisplay {
  display: string;
  /** Its Unix socket, e.g. /tmp/.X11-unix/X7. */
  socket: string;
  /** The cookie file for the run's clients (owned by the run's uid), when the server requires one. */
  xauthority?: string;
  /** The framebuffer file, when screenshots were asked for. */
  framebuffer?: string;
  server: XServer;
}

/** What every X server of a submission shares. */
export interface XServersOptions {
  xvfb: string;
  /** The submission's folder (host): each server's files go in `x-<n>/` below it. */
  root: string;
  caps: SandboxCapabilities;
  /** The uid of the submission's helpers (root grader). */
  uid?: number;
  /** Its cgroup, and the descriptors it may keep (none). */
  entry: Entry;
  /** Require the cookie (sandboxed levels); at `off` any local client may connect. */
  cookie: boolean;
  /** A keymap folder of its own in a mount namespace (where namespaces work: the full level). */
  privateKeymaps: boolean;
  screenshots: boolean;
  within: number;
}

/** A started server before a run takes it. */
interface Started {
  server: XServer;
  cookie: Buffer | undefined;
  framebuffer: string | undefined;
}

/** The folder of every X socket; an Xvfb that is not root cannot make it. */
const X11_UNIX = '/tmp/.X11-unix';

function ensureSocketDir(): void {
  try {
    if ((statSync(X11_UNIX).mode & 0o1777) === 0o1777) return;
  } catch {
    mkdirSync(X11_UNIX, { recursive: true });
  }
  chmodSync(X11_UNIX, 0o1777);
}

/**
 * Without a keymap folder of its own, an X server that is not root writes
 * /tmp/server-N.xkm, and fails where one of another uid is left from an
 * earlier server on display N. A server reads its file only while it
 * starts, holding the display's lock: a file of a display nobody holds is
 * left over, and goes.
 */
export function clearStaleKeymaps(tmp = '/tmp'): void {
  let names: string[] = [];
  try {
    names = readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const n = /^server-(\d+)\.xkm$/.exec(name)?.[1];
    if (n === undefined) continue;
    let holder = 0;
    try {
      holder = Number(readFileSync(join(tmp, `.X${n}-lock`), 'latin1').trim());
    } catch {
      // no lock: nobody holds the display
    }
    if (holder > 0 && alive(holder)) continue;
    rmSync(join(tmp, name), { force: true });
  }
}

function owned(path: string, uid: number | undefined, mode: number): string {
  if (uid !== undefined) chownSync(path, uid, uid);
  chmodSync(path, mode);
  return path;
}

function ownDir(path: string, uid: number | undefined): string {
  mkdirSync(path, { mode: 0o700 });
  return owned(path, uid, 0o700);
}

/** The X servers of one submission: one kept started ahead, one per run. */
export class XServers {
  private spare: Promise<Started> | undefined;
  private serial = 0;
  private readonly stopping: Promise<unknown>[] = [];

  constructor(private readonly opts: XServersOptions) {}

  /** Start the next server now, for the next run to take. */
  warm(): void {
    if (this.spare) return;
    this.spare = this.start();
    // Its failure is the taker's to see.
    this.spare.catch(() => undefined);
  }

  /**
   * A started server for the run in `dir` (its clients run as `clientUid`);
   * rejects with env.noDisplay when none comes up. The next is started ahead.
   */
  async take(dir: string, clientUid: number | undefined): Promise<RunDisplay> {
    const next = this.spare ?? this.start();
    this.spare = undefined;
    const got = await next;
    this.warm();
    let clientAuth: string | undefined;
    if (got.cookie) {
      clientAuth = join(dir, 'xauthority');
      writeFileSync(clientAuth, got.cookie, { mode: 0o600 });
      owned(clientAuth, clientUid, 0o400);
    }
    return { display: got.server.display, socket: got.server.socket, ...(clientAuth ? { xauthority: clientAuth } : {}), ...(got.framebuffer ? { framebuffer: got.framebuffer } : {}), server: got.server };
  }

  /** Stop a run's server in the background (dispose() waits for it). */
  release(display: RunDisplay): void {
    this.stopping.push(display.server.proc.kill(500).catch(() => undefined));
  }

  /** Stop the spare and wait for every server to be gone. */
  async dispose(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    const s = await spare?.catch(() => undefined);
    if (s) this.stopping.push(s.server.proc.kill(500).catch(() => undefined));
    await Promise.all(this.stopping);
  }

  private async start(): Promise<Started> {
    const { opts } = this;
    if (opts.caps.root) ensureSocketDir();
    const dir = ownDir(join(opts.root, `x-${++this.serial}`), opts.uid);
    const cookie = opts.cookie ? xauthority(randomBytes(16)) : undefined;
    let auth: string | undefined;
    if (cookie) {
      auth = join(dir, 'auth');
      writeFileSync(auth, cookie, { mode: 0o600 });
      owned(auth, opts.uid, 0o400);
    }
    const xkb = opts.privateKeymaps ? ownDir(join(dir, 'xkb'), opts.uid) : undefined;
    if (opts.uid !== undefined && !xkb) clearStaleKeymaps();
    const fbdir = opts.screenshots ? ownDir(join(dir, 'fb'), opts.uid) : undefined;
    const server = await startXvfb(opts.xvfb, {
      within: opts.within,
      ...(auth ? { auth } : {}),
      ...(fbdir ? { fbdir } : {}),
      wrap: (command) => observerCommand({ caps: opts.caps, uid: opts.uid, entry: opts.entry, addressSpaceMiB: X_SERVER_MiB, ...(opts.uid !== undefined && xkb ? { xkbDir: xkb } : {}), command }),
    });
    return { server, cookie, framebuffer: fbdir ? join(fbdir, 'Xvfb_screen0') : undefined };
  }
}
