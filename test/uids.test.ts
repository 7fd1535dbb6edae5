// The sandbox's uid leases: distinct within a process and across graders
// running at once, a dead grader's lock taken over, a live one never.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateUid, UID_BASE } from '../src/sandbox/uids.js';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'chatgrade-uids-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('allocateUid', () => {
  it('hands out distinct uids and takes a released one back', () => {
    const dir = temp();
    const a = allocateUid(dir);
    const b = allocateUid(dir);
    expect([a.uid, b.uid]).toEqual([UID_BASE, UID_BASE + 1]);
    expect(readFileSync(join(dir, String(a.uid)), 'utf8')).toBe(String(process.pid));
    a.release();
    expect(allocateUid(dir).uid).toBe(UID_BASE);
  });

  it('takes over the lock of a grader that is gone, never the lock of a live one', () => {
    const dir = temp();
    writeFileSync(join(dir, String(UID_BASE)), String(process.ppid)); // alive
    writeFileSync(join(dir, String(UID_BASE + 1)), '2147483646'); // no such process
    expect(allocateUid(dir).uid).toBe(UID_BASE + 1);
    expect(readFileSync(join(dir, String(UID_BASE)), 'utf8')).toBe(String(process.ppid));
  });

  it('gives graders running at once disjoint uids', async () => {
    const dir = temp();
    const module = new URL('../dist/sandbox/uids.js', import.meta.url).href;
    // Each grader holds its leases until its stdin closes: a grader that is gone gives its uids back.
    const script = `const { allocateUid } = await import(${JSON.stringify(module)}); const got = []; for (let i = 0; i < 40; i++) got.push(allocateUid(${JSON.stringify(dir)}).uid); console.log(JSON.stringify(got)); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    const graders = [0, 1, 2].map(() => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const all = (
      await Promise.all(
        graders.map((g) => new Promise<number[]>((resolve) => {
          let out = '';
          g.stdout!.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('\n')) resolve(JSON.parse(out) as number[]);
          });
        })),
      )
    ).flat();
    for (const g of graders) g.stdin!.end();
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
  });
});
