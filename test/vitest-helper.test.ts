// `chatgrade/vitest` in a Vitest run of its own (a student's suite): one
// test per check, named by its id; a mutant's lost check fails with its
// requirement, expected and actual. Imports the built package (dist/).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { materialiseMutant } from '../src/mutants.js';
import { chat, chatJs } from '../src/packs/chat/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const suite = join(root, 'test/fixtures/vitest-suite');

interface JsonReport {
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

/** Run the fixture suite with Vitest's CLI on one client; its JSON report. */
async function runSuite(entry: string): Promise<Map<string, { status: string; message: string }>> {
  expect(existsSync(join(root, 'dist/vitest.js')), 'dist/ is missing: run `npm run build` first').toBe(true);
  const out = mkdtempSync(join(tmpdir(), 'chatgrade-vitest-'));
  try {
    const file = join(out, 'report.json');
    await new Promise<void>((resolve) => {
      execFile(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', suite, '--reporter=json', `--outputFile=${file}`], { env: { ...process.env, CHATGRADE_ENTRY: entry }, timeout: 120_000 }, () => resolve());
    });
    const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
    return new Map(report.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, { status: a.status, message: a.failureMessages.join('\n') }]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('chatgrade/vitest', () => {
  it('declares one passing test per check for the reference client', async () => {
    const tests = await runSuite(join(chatJs.reference, 'client.js'));
    expect([...tests.keys()].sort()).toEqual(chat.rubric.checks.map((c) => c.id).sort());
    expect([...tests].filter(([, t]) => t.status !== 'passed')).toEqual([]);
  }, 150_000);

  it('fails exactly the mutant\'s checks, with expected and actual in the message', async () => {
    const m = await materialiseMutant({ ...chat, ...chatJs }, 'local_echo');
    try {
      const tests = await runSuite(join(m.dir, 'client.js'));
      expect([...tests].filter(([, t]) => t.status !== 'passed').map(([id]) => id)).toEqual(['conv.send.own_once']);
      const message = tests.get('conv.send.own_once')!.message;
      expect(message).toMatch(/Expected: ".*" once in the transcript/);
      expect(message).toMatch(/Actual: {3}2 times/);
    } finally {
      await m.dispose();
    }
  }, 150_000);
});
