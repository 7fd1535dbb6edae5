// A small pack made of data for testing the runner and the CLI without a
// client: each check's script is a function the test writes.
import type { CheckScript, Verdict } from '../../src/check.js';
import type { TranscriptEntry } from '../../src/fake-server/session.js';
import { gradeSubmission, type GradeOptions } from '../../src/grade.js';
import { definePack, type Pack, type PackRun, type RunEnv } from '../../src/pack.js';
import { defaultWeights, defineRubric } from '../../src/rubric.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { fakeTable } from './fake-table.js';
import { scriptedLoad } from './load.js';

/** A run that starts nothing; its stderr and transcript are what the test says. */
export class FakeRun implements PackRun {
  disposed = false;
  readonly transcript: TranscriptEntry[] = [];
  constructor(
    readonly env: RunEnv,
    readonly kind: string,
    private readonly log: string | undefined,
  ) {}
  now(): number {
    return 0;
  }
  transcriptSince(): TranscriptEntry[] {
    return this.transcript;
  }
  stderr(): string | undefined {
    return this.log;
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

export const fakeRubric = defineRubric(fakeTable);

type Script = (run: FakeRun) => Promise<Verdict>;

/**
 * A pack over fakeRubric. `scripts` maps check ids to [run kind, script]
 * (checks not named pass in run "main"); `logs` gives a run's stderr.
 */
export function fakePack(
  scripts: Record<string, [string, Script] | Script> = {},
  opts: { logs?: Record<string, string>; runs?: string[]; phases?: Record<string, number>; created?: FakeRun[]; delayCanPass?: string[] } = {},
): Pack {
  const all: CheckScript<FakeRun>[] = fakeRubric.checks.map((c) => {
    const s = scripts[c.id];
    const [run, script] = Array.isArray(s) ? s : ['main', s ?? (async () => ({ status: 'passed' }) as Verdict)];
    return { id: c.id, run, phase: opts.phases?.[c.id] ?? 0, script, ...(opts.delayCanPass?.includes(c.id) ? { delayCanPass: true } : {}) };
  });
  const kinds = opts.runs ?? [...new Set(all.map((s) => s.run))];
  return definePack<FakeRun>({
    id: 'fake',
    title: 'Fake assignment',
    rubric: fakeRubric,
    entries: ['fake.txt'],
    runs: kinds.map((kind) => ({ kind, client: false })),
    scripts: all,
    createRun: (kind, env) => {
      const run = new FakeRun(env, kind, opts.logs?.[kind]);
      opts.created?.push(run);
      return run;
    },
    uiKeys: [],
    reference: '',
    mutants: '',
  });
}

/** A sandbox that starts nothing: these packs never launch a client or run a command. */
const sandbox = {
  level: 'off',
  display: undefined,
  framebuffer: undefined,
  newRun: async () => ({ workdir: '/srv/work/ann', inside: { workdir: '/srv/work/ann', agentDir: '/srv/agent' }, dispose: async () => undefined }),
} as unknown as Sandbox;

/** Grade a fake pack with every check, no client and a quiet machine (what `opts` does not say otherwise). */
export function gradeFake(pack: Pack, opts: Partial<GradeOptions> = {}) {
  return gradeSubmission({
    pack,
    dir: '/srv/submissions/ann',
    seed: 's1',
    jobs: 2,
    checks: fakeRubric.checks.map((c) => c.id),
    weights: defaultWeights(fakeRubric),
    timeoutScale: 1,
    python: { executable: '/usr/bin/python3', version: '3.11.7', tkVersion: '8.6' },
    sandbox,
    launcher: () => () => Promise.reject(new Error('no client in these tests')),
    // Load never decides a verdict unless a test says so (test/rerun.test.ts).
    load: scriptedLoad(),
    ...opts,
  });
}
