import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';

const reference = fileURLToPath(new URL('../examples/reference-client', import.meta.url));
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-cli-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    isTTY: false,
    env: { ...process.env, NO_COLOR: '1' },
    interrupted: new Promise(() => {}),
  });
  return { code, out, err };
}

/** A copy of the reference client, optionally with a grade.json. */
function copyReference(gradeJson?: unknown): string {
  const d = join(temp(), 'student');
  mkdirSync(d);
  for (const f of readdirSync(reference).filter((f) => f.endsWith('.py'))) copyFileSync(join(reference, f), join(d, f));
  if (gradeJson !== undefined) writeFileSync(join(d, 'grade.json'), JSON.stringify(gradeJson));
  return d;
}

describe('grade (CLI)', () => {
  it('--list prints every check id with its points', async () => {
    const r = await cli(['--list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/basic\.register\.sent\s+6/);
    expect(r.out).toMatch(/bonus\.robust\.server_crash\s+2/);
  });

  it('exits 2 with a clear message for a missing or wrong folder', async () => {
    expect(await cli([])).toMatchObject({ code: 2, err: expect.stringContaining('name a submission folder') });
    expect(await cli(['/no/such/dir'])).toMatchObject({ code: 2, err: expect.stringContaining('is not a folder') });
    expect(await cli([temp()])).toMatchObject({ code: 2, err: expect.stringContaining('no main.py') });
  });

  it('exits 2 for an unknown reporter, an empty selection, a bad option value', async () => {
    expect(await cli([reference, '--reporter', 'pdf'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown reporter pdf') });
    expect(await cli([reference, '--only', 'nothing.*'])).toMatchObject({ code: 2, err: expect.stringContaining('"nothing.*" matches no check id') });
    expect(await cli([reference, '--jobs', 'many'])).toMatchObject({ code: 2, err: expect.stringContaining('--jobs must be an integer') });
  });

  it('validates a course config and names what is wrong', async () => {
    const f = join(temp(), 'course.json');
    writeFileSync(f, JSON.stringify({ checks: { 'conv.nope': 3 } }));
    expect(await cli([reference, '--config', f])).toMatchObject({ code: 2, err: expect.stringContaining('check "conv.nope"') });
    writeFileSync(f, JSON.stringify({ lines: { 'conv.send': -1 }, color: 'red' }));
    const r = await cli([reference, '--config', f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('lines.conv.send');
    expect(r.err).toContain('color');
    writeFileSync(f, '{ not json');
    expect(await cli([reference, '--config', f])).toMatchObject({ code: 2, err: expect.stringContaining('not valid JSON') });
  });

  it("refuses a submission's grade.json that touches points", async () => {
    const d = copyReference({ checks: { 'basic.register.sent': 0 } });
    expect(await cli([d])).toMatchObject({ code: 2, err: expect.stringContaining('may set only "entry" and "ui"') });
  });

  it('writes JSON, JUnit and Gradescope reports and exits 0; --fail-under gives 1', async () => {
    const out = temp();
    const d = copyReference({ entry: 'main.py' });
    const r = await cli([d, '--only', 'structure.main.*,structure.modularity.*', '--reporter', 'terminal,json,junit,gradescope', '--out', out, '--seed', 'abc']);
    expect(r.err).not.toContain('chatgrade:');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Seed        abc');
    const json = JSON.parse(readFileSync(join(out, 'student', 'report.json'), 'utf8'));
    expect(json).toMatchObject({ schemaVersion: 2, seed: 'abc', score: { points: 10, max: 10 } });
    expect(json.checks.filter((c: { status: string }) => c.status === 'passed').map((c: { id: string }) => c.id)).toEqual([
      'structure.main.guard',
      'structure.modularity.net_loads',
      'structure.modularity.net_owns_sockets',
    ]);
    expect(readFileSync(join(out, 'student', 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect(JSON.parse(readFileSync(join(out, 'student', 'results.json'), 'utf8'))).toMatchObject({ score: 10 });
    const low = await cli([d, '--only', 'structure.main.*', '--reporter', 'json', '--out', out, '--fail-under', '50']);
    expect(low.code).toBe(1);
    expect(low.err).toContain('under --fail-under 50');
  });

  it('grades every submission in a folder of submissions', async () => {
    const parent = temp();
    for (const name of ['ann', 'ben']) {
      const d = join(parent, name);
      mkdirSync(d);
      for (const f of ['main.py', 'net.py', 'gui.py']) copyFileSync(join(reference, f), join(d, f));
    }
    const out = temp();
    const r = await cli([parent, '--only', 'structure.modularity.*', '--reporter', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['ann', 'ben']);
  });
});
