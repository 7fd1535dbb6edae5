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

import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startXvfb, type XServer } from '../env/display.js';
import { X_SERVER_MiB, observerCommand, type Entry } from './plan.js';
import type { SandboxCapabilities } from './detect.js';
import { xauthority } from './support.js';

/** A started X server of one run, with the files its clients need. */
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

/** Options of startRunDisplay(). */
export interface RunDisplayOptions {
  xvfb: string;
  /** The run's folder (host): the server's files go in `x/` below it. */
  dir: string;
  caps: SandboxCapabilities;
  /** The uid of the submission's helpers (root grader), the run's uid (the cookie's owner). */
  uid?: number;
  clientUid?: number;
  /** Its cgroup, and the descriptors it may keep (none). */
  entry: Entry;
  /** Require the cookie (sandboxed levels); at `off` any local client may connect. */
  cookie: boolean;
  screenshots: boolean;
  within: number;
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

function owned(path: string, uid: number | undefined, mode: number): string {
  if (uid !== undefined) chownSync(path, uid, uid);
  chmodSync(path, mode);
  return path;
}

/** Start the run's X server; rejects with env.noDisplay when it does not come up. */
export async function startRunDisplay(opts: RunDisplayOptions): Promise<RunDisplay> {
  if (opts.caps.root) ensureSocketDir();
  const dir = join(opts.dir, 'x');
  mkdirSync(dir, { mode: 0o700 });
  owned(dir, opts.uid, 0o700);
  let serverAuth: string | undefined;
  let clientAuth: string | undefined;
  if (opts.cookie) {
    const cookie = xauthority(randomBytes(16));
    serverAuth = join(dir, 'auth');
    writeFileSync(serverAuth, cookie, { mode: 0o600 });
    owned(serverAuth, opts.uid, 0o400);
    clientAuth = join(opts.dir, 'xauthority');
    writeFileSync(clientAuth, cookie, { mode: 0o600 });
    owned(clientAuth, opts.clientUid, 0o400);
  }
  const fbdir = opts.screenshots ? join(dir, 'fb') : undefined;
  if (fbdir) {
    mkdirSync(fbdir, { mode: 0o700 });
    owned(fbdir, opts.uid, 0o700);
  }
  const server = await startXvfb(opts.xvfb, {
    within: opts.within,
    ...(serverAuth ? { auth: serverAuth } : {}),
    ...(fbdir ? { fbdir } : {}),
    wrap: (command) => observerCommand({ caps: opts.caps, uid: opts.uid, entry: opts.entry, addressSpaceMiB: X_SERVER_MiB, command }),
  });
  return {
    display: server.display,
    socket: server.socket,
    ...(clientAuth ? { xauthority: clientAuth } : {}),
    ...(fbdir ? { framebuffer: join(fbdir, 'Xvfb_screen0') } : {}),
    server,
  };
}
