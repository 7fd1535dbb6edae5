// The house has no circles (docs/ARCHITECTURE.md): no import cycle among the
// TypeScript and JavaScript modules of src/ and agent/ (dependency-cruiser
// with the repository's .dependency-cruiser.cjs), nor among the agent's
// Python modules (test/helpers/import_cycles.py, over `ast`). Type-only
// imports count on both sides: `import type`, and `if TYPE_CHECKING:`.
// Each checker is first shown a cycle of that kind, so a checker that sees
// nothing cannot pass.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join('test', 'fixtures', 'cycles');

/** Each import cycle dependency-cruiser finds under `paths` (relative to the root), as `a -> b -> a`. */
async function tsCycles(paths: string[]): Promise<{ modules: number; cycles: string[] }> {
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const result = await cruise(paths, { ...options, baseDir: ROOT }, {}, { tsConfig: extractTSConfig(join(ROOT, 'tsconfig.json')) });
  const output = result.output as ICruiseResult;
  const cycles = output.summary.violations
    .filter((v) => v.rule.name === 'no-circular')
    .map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' -> '));
  return { modules: output.summary.totalCruised, cycles };
}

/** The import cycles among the Python modules under `dir`, one per knot of modules. */
function pyCycles(dir: string): { modules: number; cycles: string[] } {
  const out = execFileSync(process.env.CHATGRADE_PYTHON ?? 'python3', [join(ROOT, 'test', 'helpers', 'import_cycles.py'), join(ROOT, dir)], { encoding: 'utf8', timeout: 30_000 });
  const parsed = JSON.parse(out) as { modules: number; cycles: string[][] };
  return { modules: parsed.modules, cycles: parsed.cycles.map((c) => c.join(' -> ')) };
}

describe('import cycles', () => {
  it('dependency-cruiser sees a cycle made by a type-only import', async () => {
    expect((await tsCycles([join(FIXTURES, 'ts')])).cycles).toEqual([
      'test/fixtures/cycles/ts/caller.ts -> test/fixtures/cycles/ts/layer.ts -> test/fixtures/cycles/ts/caller.ts',
    ]);
  });

  it('none among the modules of src/ and agent/', async () => {
    const found = await tsCycles(['src', 'agent']);
    expect(found.modules).toBeGreaterThan(150);
    expect(found.cycles).toEqual([]);
  });

  it('the Python check sees a cycle made by an import under TYPE_CHECKING', () => {
    expect(pyCycles(join(FIXTURES, 'py'))).toEqual({ modules: 4, cycles: ['pkg.part -> pkg.core -> pkg.part'] });
  });

  it('none among the agent\'s Python modules', () => {
    const found = pyCycles('agent');
    expect(found.modules).toBeGreaterThan(10);
    expect(found.cycles).toEqual([]);
  });
});
