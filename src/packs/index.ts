// The assignment packs this grader ships. The core takes a Pack and never
// names one; this list is the only place that does. Adding a pack is adding
// a folder beside chat/ and a line here (docs/PACKS.md).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pack } from '../pack.js';
import { chat } from './chat/index.js';
import { discovery } from './discovery/index.js';

/** Every pack, the default first. */
export const PACKS: readonly Pack[] = [chat, discovery];

/** The pack with this id, or undefined. */
export function packById(id: string): Pack | undefined {
  return PACKS.find((p) => p.id === id);
}

/** The pack whose entry file the folder holds (the first that matches), or undefined. */
export function detectPack(dir: string): Pack | undefined {
  return PACKS.find((p) => p.entries.some((e) => existsSync(join(dir, e))));
}
