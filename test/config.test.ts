// Course and submission configs: validation with clear errors, re-weighting,
// and who may set the launch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, checkAgainstPack, launchFor, loadCourseConfig, loadSubmissionConfig, weightsFor } from '../src/config.js';
import { fakePack, fakeRubric } from './helpers/fake-pack.js';

const dir = mkdtempSync(join(tmpdir(), 'chatgrade-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A file with this content; a string is written as is, anything else as JSON. */
function file(content: unknown, name = `c${n++}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('config.invalid');
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('weightsFor', () => {
  it('is the rubric\'s own points without re-weighting', () => {
    expect(weightsFor(fakeRubric, {})).toEqual({ 'core.one.a': 6, 'core.one.b': 4, 'core.two.a': 10, 'extra.three.a': 5 });
  });

  it('splits a line\'s new total over its checks in the default proportions', () => {
    expect(weightsFor(fakeRubric, { lines: { 'core.one': 20, 'extra.three': 0 } })).toEqual({ 'core.one.a': 12, 'core.one.b': 8, 'core.two.a': 10, 'extra.three.a': 0 });
    expect(weightsFor(fakeRubric, { lines: { 'core.one': 5 } })).toMatchObject({ 'core.one.a': 3, 'core.one.b': 2 });
  });

  it('applies per-check points after line totals', () => {
    expect(weightsFor(fakeRubric, { lines: { 'core.one': 20 }, checks: { 'core.one.b': 1, 'core.two.a': 2.5 } })).toEqual({ 'core.one.a': 12, 'core.one.b': 1, 'core.two.a': 2.5, 'extra.three.a': 5 });
  });
});

describe('loadCourseConfig', () => {
  it('reads a valid config as it is', () => {
    const config = { pack: 'chat', command: ['node', 'client.mjs', '{port}'], entry: 'app.py', ui: { send: '.send' }, explicitProbe: true, submissionLaunch: false, checks: { x: 1 }, lines: { y: 0 }, timeoutScale: 20, sandbox: 'strict', limits: { memoryMiB: 64, processes: 8 } };
    expect(loadCourseConfig(file(config))).toEqual(config);
  });

  it('names the file and every problem, field by field', () => {
    const e = errorOf(() => loadCourseConfig(file({ lines: { 'conv.send': -1 }, color: 'red', timeoutScale: 0, command: [], entry: '../x.py' })));
    expect(e.message).toMatch(/^\/.*c\d+\.json is not a valid config:\n/);
    for (const path of ['lines.conv.send:', '(top level):', 'timeoutScale:', 'command:', 'entry: must be a file in the submission folder']) expect(e.message).toContain(`  ${path}`);
    expect(e.message).toContain('color');
    expect(errorOf(() => loadCourseConfig(file({ timeoutScale: 21 }))).message).toContain('timeoutScale');
    expect(errorOf(() => loadCourseConfig(file({ limits: { memoryMiB: 63 } }))).message).toContain('limits.memoryMiB');
    expect(errorOf(() => loadCourseConfig(file({ sandbox: 'maybe' }))).message).toContain('sandbox');
  });

  it('says which known key an unknown one was probably meant to be, at the top level and in limits', () => {
    const e = errorOf(() => loadCourseConfig(file({ timeoutScal: 2, limits: { memoryMB: 512 }, zzzzzz: 1 })));
    expect(e.message).toContain('(top level): Unrecognized keys: "timeoutScal", "zzzzzz" (did you mean "timeoutScale"?)');
    expect(e.message).toContain('limits: Unrecognized key: "memoryMB" (did you mean "memoryMiB"?)');
  });

  it('allows comments and a $schema key in a course config (what `chatgrade init` writes), never in a grade.json', () => {
    const text = '{\n  // the pack\n  "$schema": "./course.schema.json",\n  "pack": "chat", /* slow machine */ "timeoutScale": 2\n}\n';
    expect(loadCourseConfig(file(text))).toEqual({ $schema: './course.schema.json', pack: 'chat', timeoutScale: 2 });
    const sub = mkdtempSync(join(dir, 'sub-'));
    writeFileSync(join(sub, 'grade.json'), '{ // no\n "entry": "main.py" }');
    expect(errorOf(() => loadSubmissionConfig(sub)).message).toContain('is not valid JSON');
  });

  it('holds sandbox limits and the entry file to their ranges', () => {
    const lowest = { memoryMiB: 64, processes: 8, cpuSeconds: 1, fileSizeMiB: 1, openFiles: 16 };
    const highest = { memoryMiB: 65536, processes: 4096, cpuSeconds: 3600, fileSizeMiB: 65536, openFiles: 65536 };
    expect(loadCourseConfig(file({ limits: lowest })).limits).toEqual(lowest);
    expect(loadCourseConfig(file({ limits: highest })).limits).toEqual(highest);
    for (const key of Object.keys(lowest) as (keyof typeof lowest)[]) {
      expect(errorOf(() => loadCourseConfig(file({ limits: { [key]: lowest[key] - 1 } }))).message, key).toContain(`limits.${key}:`);
      expect(errorOf(() => loadCourseConfig(file({ limits: { [key]: highest[key] + 1 } }))).message, key).toContain(`limits.${key}:`);
    }
    for (const entry of ['main.py.bak', 'sub/main.py', 'main.txt', '.py']) expect(errorOf(() => loadCourseConfig(file({ entry }))).message, entry).toContain('entry: must be a file in the submission folder');
    for (const entry of ['client.mjs', 'app.js', 'x.cjs']) expect(loadCourseConfig(file({ entry })).entry).toBe(entry);
  });

  it('lists one problem per line and nothing after them', () => {
    const path = file({ timeoutScale: 0, sandbox: 'maybe' });
    const lines = errorOf(() => loadCourseConfig(path)).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`${path} is not a valid config:`);
    expect(lines[1]).toBe('  timeoutScale: Too small: expected number to be >0');
    expect(lines[2]).toBe('  sandbox: Invalid option: expected one of "auto"|"strict"|"off"');
  });

  it('says when the file cannot be read or is not JSON', () => {
    expect(errorOf(() => loadCourseConfig(join(dir, 'missing.json'))).message).toMatch(/^cannot read .*missing\.json: ENOENT/);
    expect(errorOf(() => loadCourseConfig(file('{ not json'))).message).toMatch(/c\d+\.json is not valid JSON: /);
  });
});

describe('checkAgainstPack', () => {
  const pack = fakePack();

  it('accepts ids the pack has', () => {
    expect(() => checkAgainstPack({ checks: { 'core.one.a': 1 }, lines: { 'core.two': 3 } }, pack)).not.toThrow();
    expect(() => checkAgainstPack({ ui: { send: '.f.send' } }, { ...pack, uiKeys: ['send'] })).not.toThrow();
  });

  it('names every check, line and ui key the pack does not have', () => {
    const e = errorOf(() => checkAgainstPack({ checks: { 'core.one.z': 1 }, lines: { 'core.nine': 3 }, ui: { send: '.b' } }, pack, 'course.json'));
    expect(e.message).toBe('course.json names check "core.one.z" (did you mean "core.one.a"?), line "core.nine" (did you mean "core.one"?), ui "send" that the fake pack does not have (see `grade --list`)');
    expect(errorOf(() => checkAgainstPack({ lines: { core: 1 } }, pack)).message).toMatch(/^the course config names line "core"/);
  });
});

describe('loadSubmissionConfig', () => {
  it('is empty without a grade.json', () => {
    expect(loadSubmissionConfig(mkdtempSync(join(dir, 'sub-')))).toEqual({});
  });

  it('reads entry and ui, and refuses anything that touches points', () => {
    const ok = mkdtempSync(join(dir, 'sub-'));
    writeFileSync(join(ok, 'grade.json'), JSON.stringify({ entry: 'client.py', ui: { send: '.f.send' }, command: ['java', 'Chat'] }));
    expect(loadSubmissionConfig(ok)).toEqual({ entry: 'client.py', ui: { send: '.f.send' }, command: ['java', 'Chat'] });
    const bad = mkdtempSync(join(dir, 'sub-'));
    writeFileSync(join(bad, 'grade.json'), JSON.stringify({ checks: { 'core.one.a': 0 } }));
    const e = errorOf(() => loadSubmissionConfig(bad));
    expect(e.message).toContain('grade.json is not a valid config');
    expect(e.message).toContain('may set only "entry" and "ui"');
  });
});

describe('launchFor', () => {
  const pack = { ...fakePack(), uiKeys: ['send', 'main'] };

  it('puts the submission\'s entry and ui over the course\'s, for keys the pack knows', () => {
    const { launch, warnings } = launchFor({ entry: 'a.py', ui: { send: '.c', main: '.m' } }, { entry: 'b.py', ui: { send: '.s', bogus: '.x' } }, pack);
    expect(launch).toEqual({ entry: 'b.py', ui: { send: '.s', main: '.m' }, explicitProbe: false });
    expect(warnings).toEqual(['grade.json names ui "bogus", which the fake pack does not use; ignored']);
    expect(launchFor({}, { ui: { a: '.a', b: '.b' } }, pack).warnings).toEqual(['grade.json names ui "a", "b", which the fake pack does not use; ignored']);
    expect(launchFor({ entry: 'a.py' }, {}, pack).launch.entry).toBe('a.py');
  });

  it('takes the course\'s command, and a submission\'s only where the course allows it', () => {
    const course = { command: ['node', 'c.mjs'] };
    expect(launchFor(course, {}, pack)).toEqual({ launch: { command: ['node', 'c.mjs'], entry: undefined, ui: {}, explicitProbe: true }, warnings: [] });
    const ignored = launchFor(course, { command: ['java', 'X'] }, pack);
    expect(ignored.launch.command).toEqual(['node', 'c.mjs']);
    expect(ignored.warnings).toEqual(['grade.json sets "command", which this course does not allow (the course config sets the launch); it was ignored']);
    const allowed = launchFor({ ...course, submissionLaunch: true }, { command: ['java', 'X'] }, pack);
    expect(allowed).toEqual({ launch: { command: ['java', 'X'], entry: undefined, ui: {}, explicitProbe: true }, warnings: [] });
  });

  it('accepts explicit-probe clients only when the course runs its own command, unless it says otherwise', () => {
    const plain = launchFor({}, {}, pack).launch;
    expect(plain).toEqual({ entry: undefined, ui: {}, explicitProbe: false });
    // No command at all, not an undefined one: the launcher tells the two apart.
    expect('command' in plain).toBe(false);
    expect(launchFor({ explicitProbe: true }, {}, pack).launch.explicitProbe).toBe(true);
    expect(launchFor({ command: ['x'], explicitProbe: false }, {}, pack).launch.explicitProbe).toBe(false);
    // A submission's command (allowed) does not by itself open the explicit probe.
    expect(launchFor({ submissionLaunch: true }, { command: ['java', 'X'] }, pack).launch).toEqual({ command: ['java', 'X'], entry: undefined, ui: {}, explicitProbe: false });
  });
});
