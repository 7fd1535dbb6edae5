// The corpus of GUI styles students write (test/fixtures/styles: clients
// written from the handout alone, one per style the handout allows), graded
// as one class: each client gets the verdicts test/fixtures/styles/expected.json
// gives it, and each style's mutant, a defect in exactly that style's part,
// loses exactly the checks its manifest names (so every style's test can fail),
// with exactly the review flags it names.
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { chat } from '../src/packs/chat/index.js';
import type { GradeResult } from '../src/results.js';
import { gradeAsClass, lost } from './helpers/grading.js';

const STYLES = fileURLToPath(new URL('./fixtures/styles', import.meta.url));
const expected = (JSON.parse(readFileSync(join(STYLES, 'expected.json'), 'utf8')) as { clients: Record<string, { style: string; fails: string[]; review?: string[] }> }).clients;
const clients = readdirSync(STYLES, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.endsWith('.mutants')).map((d) => d.name).sort();
const packOf = (client: string) => ({ reference: join(STYLES, client), mutants: join(STYLES, `${client}.mutants`), rubric: chat.rubric });
const mutants = clients.flatMap((client) => listMutants(packOf(client)).map((m) => ({ client, ...m, folder: `${client}--${m.name}` })));

let klass: string;
let graded: Map<string, GradeResult>;

beforeAll(async () => {
  klass = await mkdtemp(join(os.tmpdir(), 'chatgrade-styles-'));
  for (const client of clients) await cp(join(STYLES, client), join(klass, client), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  for (const m of mutants) {
    const built = await materialiseMutant(packOf(m.client), m.name);
    await cp(built.dir, join(klass, m.folder), { recursive: true });
    await built.dispose();
  }
  ({ gradings: [graded] = [new Map()] } = await gradeAsClass([...clients, ...mutants.map((m) => m.folder)].map((n) => join(klass, n)), chat));
}, 900_000);
afterAll(async () => {
  if (klass) await rm(klass, { recursive: true, force: true });
});

const flagged = (r: GradeResult): string[] => r.checks.filter((c) => c.review).map((c) => c.id).sort();

describe('the corpus of GUI styles', () => {
  it('has every style the handout allows, each with a mutant', () => {
    expect(clients).toEqual(Object.keys(expected).sort());
    expect(new Set(mutants.map((m) => m.client))).toEqual(new Set(clients));
  });

  for (const client of clients) {
    it(`${client} (${expected[client]!.style.split(';')[0]}) loses exactly ${expected[client]!.fails.join(', ') || 'nothing'}`, () => {
      const r = graded.get(client)!;
      expect(Object.keys(lost(r)).sort(), JSON.stringify(lost(r), null, 1)).toEqual([...expected[client]!.fails].sort());
      expect(flagged(r)).toEqual([...(expected[client]!.review ?? [])].sort());
    });
  }

  for (const m of mutants) {
    it(`${m.client} mutant ${m.name} loses exactly ${m.fails.join(', ')}`, () => {
      const r = graded.get(m.folder)!;
      expect(Object.keys(lost(r)).sort(), JSON.stringify(lost(r), null, 1)).toEqual([...m.fails].sort());
      expect(r.checks.filter((c) => c.status === 'error')).toEqual([]);
      expect(flagged(r), JSON.stringify(r.checks.filter((c) => c.review).map((c) => [c.id, c.review]), null, 1)).toEqual([...m.review].sort());
    });
  }
});
