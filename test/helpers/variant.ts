// The reference client with a few exact text replacements in gui.py: other
// GUI styles the conventions allow, or a defect to read a failure message on.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const reference = fileURLToPath(new URL('../../examples/reference-client', import.meta.url));

/** Folders made by `variant`, removed by `removeVariants`. */
const made: string[] = [];

/** A copy of the reference client with each `[from, to]` replaced once in gui.py; throws when `from` is missing. */
export async function variant(edits: readonly (readonly [string, string])[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-variant-'));
  made.push(dir);
  await cp(reference, dir, { recursive: true });
  let gui = await readFile(path.join(dir, 'gui.py'), 'utf8');
  for (const [from, to] of edits) {
    if (!gui.includes(from)) throw new Error(`variant: gui.py has no ${JSON.stringify(from.slice(0, 60))}`);
    gui = gui.replace(from, to);
  }
  await writeFile(path.join(dir, 'gui.py'), gui);
  return dir;
}

export async function removeVariants(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
