// Every check's implementation, one file per rubric area. A test holds this
// list against src/rubric.ts: each check id implemented exactly once.

import { basic } from './basic.js';
import { bonus } from './bonus.js';
import { conversations } from './conversations.js';
import { structure } from './structure.js';
import type { CheckScript } from './types.js';

export const SCRIPTS: readonly CheckScript[] = [...structure, ...basic, ...conversations, ...bonus];
