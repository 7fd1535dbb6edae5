// The pure pieces behind a class's outputs: rosters as LMSs export them,
// report folder names, "did you mean", the colour rule, and the course config
// `chatgrade init` writes (valid, commented, with a schema for editors).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stripJsonComments from 'strip-json-comments';
import { afterAll, describe, expect, it } from 'vitest';
import { useColor } from '../src/cli/main.js';
import { courseSchemaText, courseTemplate } from '../src/cli/init.js';
import { folderNames, submissionName } from '../src/cli/output.js';
import { COURSE_KEYS, courseJsonSchema, loadCourseConfig } from '../src/config.js';
import { parseRoster, parseRosterColumns, RosterError, studentFor } from '../src/roster.js';
import { closest, didYouMean } from '../src/suggest.js';

const dir = mkdtempSync(join(tmpdir(), 'chatgrade-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rosters as LMSs export them', () => {
  it('Gradescope: Name, SID, Email', () => {
    const r = parseRoster('Name,SID,Email,Role\nAda Lovelace,1001,ada@uni.edu,Student\n', {}, 'gs.csv');
    expect(r.headers).toEqual({ id: 'SID', name: 'Name', email: 'Email' });
    expect(r.students).toEqual([{ id: '1001', name: 'Ada Lovelace', email: 'ada@uni.edu', keys: ['1001', 'ada@uni.edu', 'ada', 'ada lovelace'] }]);
  });

  it('Canvas: Student, SIS User ID and SIS Login ID (which folders are matched by), without its "Points Possible" row', () => {
    const text = '\uFEFFStudent,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"Lovelace, Ada",4242,u1001,alovelace,CS 101\n';
    const r = parseRoster(text, {}, 'canvas.csv');
    expect(r.headers).toEqual({ id: 'SIS User ID', name: 'Student' });
    expect(r.students.map((s) => [s.id, s.name])).toEqual([['u1001', 'Lovelace, Ada']]);
    expect(studentFor(r, 'alovelace')?.id).toBe('u1001');
  });

  it('Moodle: First name and Last name joined, ID number, Email address', () => {
    const r = parseRoster('First name,Last name,ID number,Email address\nZoë,Müller,s003,zoe@uni.edu\n', {}, 'moodle.csv');
    expect(r.headers).toEqual({ id: 'ID number', name: 'Name', email: 'Email address' });
    expect(r.students[0]).toMatchObject({ id: 's003', name: 'Zoë Müller', email: 'zoe@uni.edu' });
  });

  it('columns named by --roster-columns, and what is wrong with a roster said plainly', () => {
    const r = parseRoster('matric,who,folder\n77,Li Lei,lilei-folder\n', parseRosterColumns('id=matric, name=who, folder=folder'), 'r.csv');
    expect(studentFor(r, 'lilei-folder')?.id).toBe('77');
    expect(studentFor(r, '77')).toBeUndefined(); // with folder= only that column names folders
    expect(() => parseRoster('a,b\n1,2\n', {}, 'x.csv')).toThrow(/x\.csv has no column of ids, logins or emails/);
    expect(() => parseRoster('SID\n1\n', { name: 'Nom' }, 'x.csv')).toThrow('x.csv has no column "Nom" (its columns: SID)');
    expect(() => parseRosterColumns('colour=x')).toThrow(RosterError);
  });

  it('a folder is matched by id, login, email, its part before "@" or name, in any case and normalization; or by an id inside an LMS download\'s folder name; never when two students match', () => {
    const r = parseRoster('Name,SID,Email\nAda Lovelace,1001,ada@uni.edu\nZoë Müller,2002,zm@uni.edu\nBo Li,30,bo@uni.edu\nBo Li,31,bo2@uni.edu\n', {}, 'r.csv');
    expect(studentFor(r, 'ADA')?.id).toBe('1001');
    expect(studentFor(r, 'ada@uni.edu')?.id).toBe('1001');
    expect(studentFor(r, 'Zoe\u0308 Mu\u0308ller')?.id).toBe('2002'); // NFD, as some file systems give it
    expect(studentFor(r, 'lovelace_ada_1001_late')?.id).toBe('1001');
    expect(studentFor(r, 'bo li')).toBeUndefined();
    expect(studentFor(r, 'nobody')).toBeUndefined();
  });
});

describe('report folder names', () => {
  it('the exact name is the folder\'s own, in NFC; the report folder is a readable ASCII form of it', () => {
    expect(submissionName('/srv/class/Zoe\u0308 Mu\u0308ller/')).toBe('Zoë Müller');
    const names = folderNames(['/c/李雷', '/c/王芳', '/c/Zoë Müller', '/c/ana maria', '/c/🎉', '/c/..hidden', '/c/a/b']);
    expect([...names.values()]).toEqual(['LiLei', 'WangFang', 'Zoe_Muller', 'ana_maria', 'tada', 'hidden', 'b']);
  });

  it('two that would be the same (ignoring case) each get a short hash of their path, whatever the order or the rest of the class', () => {
    const one = folderNames(['/x/alice', '/y/Alice', '/z/bob']);
    expect(one.get('/z/bob')).toBe('bob');
    expect(one.get('/x/alice')).toMatch(/^alice-[0-9a-f]{6}$/);
    expect(one.get('/y/Alice')).toMatch(/^Alice-[0-9a-f]{6}$/);
    expect(one.get('/x/alice')!.slice(-6)).not.toBe(one.get('/y/Alice')!.slice(-6));
    const two = folderNames(['/y/Alice', '/q/other', '/x/alice']);
    expect([two.get('/x/alice'), two.get('/y/Alice')]).toEqual([one.get('/x/alice'), one.get('/y/Alice')]);
    expect(new Set(folderNames(['/c/李雷', '/d/Li Lei', '/e/LiLei']).values()).size).toBe(3);
    expect(new Set(folderNames(['/c/李雷', '/d/LiLei']).values()).size).toBe(2);
  });
});

describe('did you mean', () => {
  it('the closest known name within a third of the length (at least two edits), never an exact one', () => {
    expect(closest('htlm', ['terminal', 'html', 'json'])).toBe('html');
    expect(closest('timeoutScal', ['timeoutScale', 'sandbox'])).toBe('timeoutScale');
    expect(closest('zzz', ['html', 'json'])).toBeUndefined();
    expect(didYouMean('conv.sned.*', ['conv.send.*', 'conv.join.*'])).toBe(' (did you mean "conv.send.*"?)');
    expect(didYouMean('json', ['json'])).toBe('');
  });
});

describe('colour', () => {
  const tty = (env: NodeJS.ProcessEnv, isTTY = true) => useColor({ env, isTTY }, undefined);
  it('follows no-color.org: NO_COLOR set and not empty turns it off, on a terminal too; FORCE_COLOR wins; --no-color wins over both', () => {
    expect(tty({})).toBe(true);
    expect(tty({}, false)).toBe(false);
    expect(tty({ NO_COLOR: '1' })).toBe(false);
    expect(tty({ NO_COLOR: '' })).toBe(true);
    expect(tty({ TERM: 'dumb' })).toBe(false);
    expect(tty({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(tty({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(tty({ FORCE_COLOR: '0' })).toBe(false);
    expect(tty({ FORCE_COLOR: 'false' })).toBe(false);
    expect(tty({ FORCE_COLOR: '' })).toBe(true);
    expect(useColor({ env: { FORCE_COLOR: '1' }, isTTY: true }, false)).toBe(false);
  });
});

describe('chatgrade init', () => {
  it('writes a commented config that the grader reads as it is, each key explained, with $schema pointing at its schema', () => {
    const text = courseTemplate();
    const file = join(dir, 'course.json');
    writeFileSync(file, text);
    expect(loadCourseConfig(file)).toEqual({ $schema: './course.schema.json', lines: {}, checks: {}, timeoutScale: 1, sandbox: 'auto', limits: { memoryMiB: 1024, processes: 256, cpuSeconds: 300, fileSizeMiB: 64, openFiles: 512, totalMemoryMiB: 4096, totalProcesses: 1024, tmpfsMiB: 256 } });
    expect(text).toContain('  // Multiply every time limit (slow machines; default 1)\n  "timeoutScale": 1,');
    expect(text).toContain('  // "pack": "chat",');
    // Every key but $schema is in the template, set or to uncomment, and uncommented they are valid too.
    for (const k of COURSE_KEYS.filter((x) => x !== '$schema')) expect(text).toContain(`"${k}": `);
    const all = text.replace(/^ {2}\/\/ (".*)$/gm, '  $1');
    writeFileSync(file, all);
    expect(Object.keys(loadCourseConfig(file)).sort()).toEqual([...COURSE_KEYS].sort());
    expect(JSON.parse(stripJsonComments(text)).$schema).toBe('./course.schema.json');
  });

  it('publishes the JSON Schema of the zod schema it validates with: every key, described, nothing else allowed', () => {
    const schema = courseJsonSchema() as { properties: Record<string, { description?: string }>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual([...COURSE_KEYS]);
    for (const [k, p] of Object.entries(schema.properties)) expect(p.description, k).toBeTruthy();
    expect(schema.additionalProperties).toBe(false);
    expect(JSON.parse(courseSchemaText())).toEqual(schema);
  });
});
