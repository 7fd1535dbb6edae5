// `chatgrade gradescope-package`: a Gradescope autograder zip. The scripts
// come from gradescope/ (shipped in the npm package); the grader goes in as
// the tarball `npm pack` makes of this very package; the course config, when
// given, is checked first and copied in. The zip is written with fflate
// (pure JS, no native parts), with Unix modes so the scripts stay executable.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';
import { ConfigError, checkAgainstPack, loadCourseConfig } from '../config.js';
import { runBounded } from '../env/install.js';
import { PACKS, packById } from '../packs/index.js';

/** Options of the gradescope-package command. */
export interface GradescopePackageOptions {
  config?: string;
  out: string;
  /** A tarball made earlier by `npm pack`, instead of packing now. */
  tarball?: string;
}

/** A packaging failure with a stable dotted code. */
export class PackageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PackageError';
  }
}

/** The folder holding package.json, bin/, dist/ (or src/), gradescope/. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

// npm's own fixed date for tarball entries: the same inputs give the same zip.
const FIXED_MTIME = new Date('1985-10-26T08:15:00Z');
// Unix mode in the high 16 bits: a regular file (0o100000) with its permissions.
const EXECUTABLE = { os: 3, attrs: (0o100755 << 16) >>> 0, mtime: FIXED_MTIME };
const REGULAR = { os: 3, attrs: (0o100644 << 16) >>> 0, mtime: FIXED_MTIME };

/** The zip's entries: name -> [bytes, attributes]. Pure, for tests. */
export function autograderEntries(p: { scripts: string; tarball: Uint8Array; courseConfig?: Uint8Array }): Zippable {
  const read = (name: string) => new Uint8Array(readFileSync(join(p.scripts, name)));
  const entries: Zippable = {
    'setup.sh': [read('setup.sh'), EXECUTABLE],
    run_autograder: [read('run_autograder'), EXECUTABLE],
    'README.md': [read('README.md'), REGULAR],
    'chatgrade.tgz': [p.tarball, { ...REGULAR, level: 0 }],
  };
  if (p.courseConfig) entries['course.json'] = [p.courseConfig, REGULAR];
  return entries;
}

/** Run `npm pack` on this package into `dest`; the tarball's path. Bounded; PackageError on failure. */
export async function packSelf(dest: string, within = 300_000): Promise<string> {
  const root = packageRoot();
  // A checkout builds fresh at prepack; an installed copy has no sources and ships its dist/ as it is.
  const checkout = existsSync(join(root, 'tsconfig.json')) && existsSync(join(root, 'src'));
  const args = ['pack', '--pack-destination', dest, '--loglevel=error', ...(checkout ? [] : ['--ignore-scripts']), root];
  const { code, tail } = await runBounded('npm', args, within, process.env, dest);
  const tgz = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (code !== 0 || !tgz) {
    throw new PackageError('gradescope.packFailed', `npm pack ${root} failed (exit ${code ?? 'none'}): ${tail.trim().split('\n').slice(-8).join('\n')}`);
  }
  return join(dest, tgz);
}

function checkConfig(file: string): Uint8Array {
  const course = loadCourseConfig(file);
  const pack = course.pack === undefined ? PACKS[0]! : packById(course.pack);
  if (!pack) throw new ConfigError(`${file}: unknown pack "${course.pack}"; choose from ${PACKS.map((p) => p.id).join(', ')}`);
  checkAgainstPack(course, pack, file);
  return new Uint8Array(readFileSync(file));
}

/** Build the zip; returns the exit code (0 written, 2 failed) after saying what happened. */
export async function gradescopePackage(opts: GradescopePackageOptions, io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'chatgrade-gradescope-'));
  try {
    const courseConfig = opts.config ? checkConfig(opts.config) : undefined;
    const out = resolve(opts.out);
    mkdirSync(dirname(out), { recursive: true });
    const scripts = join(packageRoot(), 'gradescope');
    if (!existsSync(join(scripts, 'run_autograder'))) {
      throw new PackageError('gradescope.noTemplates', `the Gradescope scripts are missing from ${scripts}: reinstall chatgrade`);
    }
    let tarball = opts.tarball;
    if (tarball === undefined) {
      io.stderr('chatgrade: packing the grader with npm pack\n');
      tarball = await packSelf(work);
    } else if (!existsSync(tarball)) {
      throw new PackageError('gradescope.noTarball', `--tarball ${tarball} does not exist`);
    }
    const entries = autograderEntries({ scripts, tarball: new Uint8Array(readFileSync(tarball)), courseConfig });
    writeFileSync(out, zipSync(entries, { level: 9 }));
    io.stdout(
      `wrote ${opts.out}: ${Object.keys(entries).join(', ')}\n` +
        `${courseConfig ? `course config: ${opts.config}` : 'no --config: the default rubric'}\n` +
        'Upload it as the autograder of a Gradescope programming assignment (Ubuntu base image).\n',
    );
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    io.stderr(`chatgrade gradescope-package: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 2;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
