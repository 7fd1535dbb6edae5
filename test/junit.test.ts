// junit.xml read by a real XML parser (libxml2, through xmllint-wasm) and
// validated against the JUnit schemas Jenkins tools use
// (test/fixtures/schemas/, every .xsd there).

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { renderJunit } from '../src/reporters/junit.js';
import { classResults, ESC, fixture, HOSTILE, hostileResult } from './helpers/results.js';

const SCHEMA_DIR = new URL('./fixtures/schemas/', import.meta.url);
const SCHEMAS = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.xsd')).sort();

async function validate(xml: string, schemaFile: string): Promise<string[]> {
  const schema = readFileSync(new URL(schemaFile, SCHEMA_DIR), 'utf8');
  const res = await validateXML({ xml: [{ fileName: 'junit.xml', contents: Buffer.from(xml, 'utf8') }], schema: [schema] });
  return res.valid ? [] : res.errors.map((e) => e.rawMessage);
}

/** The value of an XPath 1.0 expression, as libxml2 parses the document. */
async function xpath(xml: string, expr: string): Promise<string> {
  const res = await validateXML({
    xml: [{ fileName: 'junit.xml', contents: Buffer.from(xml, 'utf8') }],
    normalization: 'format',
    modifyArguments: (args) => ['--xpath', expr, ...args.filter((a) => a !== '--format')],
  });
  if (!res.valid) throw new Error(`not well-formed: ${res.rawOutput}`);
  return res.normalized.replace(/\n$/, '');
}

describe('junit.xml that every consumer reads', () => {
  it('both schemas are here and reject what the old report did', async () => {
    expect(SCHEMAS).toEqual(expect.arrayContaining(['junit-4.xsd', 'junit-10.xsd']));
    const old = [
      '<testsuites skipped="1"><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"/></testsuite></testsuites>',
      '<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"><properties><property name="p" value="1"/></properties></testcase></testsuite></testsuites>',
    ];
    for (const file of SCHEMAS) {
      for (const doc of old) expect((await validate(doc, file)).length, `${file}: ${doc}`).toBeGreaterThan(0);
    }
  });

  it.each(['full-marks', 'failures', 'harness-error', 'skipped'] as const)('%s is valid against every schema', async (name) => {
    const r = fixture(name);
    r.errors = name === 'harness-error' ? [{ code: 'probe.noDisplay', message: 'no X display' }] : r.errors;
    const xml = renderJunit(r);
    for (const file of SCHEMAS) expect(await validate(xml, file), file).toEqual([]);
  });

  it('a hostile client cannot break it: "]]>" twice, ESC, NUL, invalid UTF-8, lone surrogates', async () => {
    const r = hostileResult('o\'brien <&> "x"');
    r.errors = [{ code: 'client.crashed', message: `crashed: ${HOSTILE}` }];
    const xml = renderJunit(r);
    for (const file of SCHEMAS) expect(await validate(xml, file), file).toEqual([]);
    expect(xml.isWellFormed()).toBe(true);
    expect(xml).not.toContain(ESC);
    expect(xml).not.toContain('\u0000');
    expect(xml).not.toMatch(/\]\]>/);

    // What a consumer reads back: every character accounted for, controls as visible escapes.
    const shown = 'A]]>B]]>C \\x1b[1mbold\\x1b[0m \\0 \uFFFD \\ud800 \\ufffe \\u202etxt.exe \\x07 ]]>';
    const failure = await xpath(xml, 'string(//testcase[starts-with(@name, "basic.register.format ")]/failure)');
    expect(failure).toContain(`Actual: REGISTER ${shown}`);
    expect(failure).toContain(`3ms C> REGISTER ${shown}`);
    const message = await xpath(xml, 'string(//testcase[starts-with(@name, "basic.register.format ")]/failure/@message)');
    expect(message).toContain('actual REGISTER A]]>B]]>C \\x1b[1mbold');
    const stderr = await xpath(xml, 'string(//testcase[starts-with(@name, "basic.register.format ")]/system-err)');
    expect(stderr).toContain('--- client stderr, scenario session ---');
    expect(stderr).toContain(`ValueError: ${shown}`);
    const classname = await xpath(xml, 'string(//testcase[starts-with(@name, "basic.register.format ")]/@classname)');
    expect(classname).toBe('o\'brien <&> "x".basic.register');
    const harness = await xpath(xml, 'string(//testsuite[@name="chatgrade harness"]/testcase/error/@message)');
    expect(harness).toContain(`crashed: ${shown}`.slice(0, 40));
  });

  it('points, grade, sandbox, probe and warnings are suite properties', async () => {
    const xml = renderJunit(hostileResult());
    const prop = (name: string) => xpath(xml, `string(//testsuite[@name="Basic protocol functionality"]/properties/property[@name="${name}"]/@value)`);
    expect(await prop('points')).toBe('20');
    expect(await prop('max')).toBe('30');
    expect(await prop('points.basic.register')).toBe('6/10');
    expect(await prop('total')).toBe('87/100');
    expect(await prop('bonus')).toBe('8/20');
    expect(await prop('grade')).toBe('graded');
    expect(await prop('sandbox')).toBe('fallback');
    expect(await prop('probe')).toBe('tk-agent');
    expect(await prop('warning')).toContain('grade.json sets "timeout": ignored A]]>B');
    expect(await xpath(xml, 'count(//testcase/properties)')).toBe('0');
  });

  it('the junit files of a class have no two tests with the same (classname, name)', async () => {
    const seen = new Map<string, string>();
    for (const r of classResults()) {
      // Attributes in document order: classname then name, per testcase.
      const attrs = (await xpath(renderJunit(r), '//testcase/@classname | //testcase/@name')).trim().split('\n');
      expect(attrs.length).toBe(2 * r.checks.length);
      for (let i = 0; i < attrs.length; i += 2) {
        expect(attrs[i]).toMatch(/^ ?classname="/);
        const key = `${attrs[i]!.trim()} ${attrs[i + 1]!.trim()}`;
        expect(key.startsWith(`classname="${r.submission.name}.`), key).toBe(true);
        expect(seen.get(key), `${key} in ${r.submission.name} and ${seen.get(key)}`).toBeUndefined();
        seen.set(key, r.submission.name);
      }
    }
    expect(seen.size).toBe(classResults().reduce((n, r) => n + r.checks.length, 0));
  });
});
