// The discovery pack as data: its codec, rubric, scenario index, seeded
// names, the reading of a peer list from widget trees, its mutants, and the
// registry that detects it. No peer is started here (see
// calibration-discovery.test.ts for that).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { listMutants, materialiseMutant } from '../src/mutants.js';
import { detectPack, packById } from '../src/packs/index.js';
import { discovery } from '../src/packs/discovery/index.js';
import { PeerNames } from '../src/packs/discovery/names.js';
import { NAME_RE, encodeMessage, parseDatagram, parseUrl } from '../src/packs/discovery/protocol.js';
import { RhythmJudge } from '../src/packs/discovery/scenarios/fixtures.js';
import { readPeerUi } from '../src/packs/discovery/ui.js';
import type { WidgetRecord } from '../src/probe/widgets.js';
import { Rng } from '../src/random.js';
import { score } from '../src/rubric.js';

const run = promisify(execFile);
const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the discovery codec', () => {
  const ok = (s: string | Buffer) => parseDatagram(typeof s === 'string' ? Buffer.from(s) : s);

  it('reads the three messages, with or without a trailing newline, metadata in order', () => {
    expect(ok('REQUEST alice')).toEqual({ ok: true, message: { type: 'REQUEST', name: 'alice' }, newline: false });
    expect(ok('BYE _b-2\n')).toEqual({ ok: true, message: { type: 'BYE', name: '_b-2' }, newline: true });
    expect(ok('ANNOUNCE x tcp://node1.lan:4000 status=away a=b=c note=漢字🙂')).toMatchObject({
      ok: true,
      message: { type: 'ANNOUNCE', name: 'x', url: 'tcp://node1.lan:4000', meta: [['status', 'away'], ['a', 'b=c'], ['note', '漢字🙂']] },
    });
    expect(ok(`ANNOUNCE x tcp://1.2.3.4:1 k=${'é'.repeat(64)}`).ok).toBe(true);
  });

  it('rejects everything else, saying why', () => {
    const bad = [
      'HELLO x', 'REQUEST', 'REQUEST a b', 'BYE', 'ANNOUNCE a', 'ANNOUNCE a http://h:1', 'ANNOUNCE a tcp://h:99999', 'ANNOUNCE a tcp://h:0',
      'ANNOUNCE a tcp://h:1 Status=x', 'ANNOUNCE a tcp://h:1 k=', `ANNOUNCE a tcp://h:1 k=${'v'.repeat(65)}`, 'ANNOUNCE  a tcp://h:1',
      'REQUEST a ', 'REQUEST a\r\n', `REQUEST ${'a'.repeat(33)}`, '', '\n',
    ];
    for (const b of bad) expect(ok(b).ok, JSON.stringify(b)).toBe(false);
    expect(ok(Buffer.from([0x52, 0xff]))).toEqual({ ok: false, reason: 'not valid UTF-8' });
    expect(ok(`ANNOUNCE a tcp://h:1 n=${'x'.repeat(1100)}`)).toMatchObject({ ok: false, reason: expect.stringContaining('at most 1024') });
  });

  it('encodes what it parses', () => {
    const m = { type: 'ANNOUNCE' as const, name: 'a', url: 'tcp://127.0.0.1:9', meta: [['status', 'ok']] as const };
    expect(encodeMessage({ ...m, meta: [...m.meta] }, true).toString()).toBe('ANNOUNCE a tcp://127.0.0.1:9 status=ok\n');
    expect(parseUrl('tcp://127.0.0.1:65535')).toEqual({ host: '127.0.0.1', port: 65535 });
  });
});

describe('the discovery rubric and its scripts', () => {
  const { rubric, scripts } = discovery;

  it('has the handout\'s 16 checks with their points: 100 plus 10 bonus', () => {
    const points = Object.fromEntries(rubric.checks.map((c) => [c.id, c.points]));
    expect(points).toEqual({
      'discovery.structure.gui_starts': 5, 'discovery.structure.config': 5, 'discovery.structure.net_module': 5,
      'discovery.request.sent': 10, 'discovery.announce.format': 10, 'discovery.announce.periodic': 10, 'discovery.announce.ttl': 5,
      'discovery.reply.sent': 15, 'discovery.reply.not_own': 5,
      'discovery.list.shown': 10, 'discovery.list.no_self': 5, 'discovery.list.expiry': 10, 'discovery.robust.malformed': 5,
      'discovery.bye.sent': 3, 'discovery.bye.handled': 2, 'discovery.metadata.shown': 5,
    });
    const s = score(rubric, Object.fromEntries(rubric.checks.map((c) => [c.id, 'passed' as const])));
    expect([s.points, s.max, s.bonus, s.bonusMax]).toEqual([100, 100, 10, 10]);
  });

  it('implements every check exactly once, each in a run the pack declares; bad datagrams in a run of their own', () => {
    expect(scripts.map((s) => s.id).sort()).toEqual(rubric.checks.map((c) => c.id).sort());
    const runs = new Set(discovery.runs.map((r) => r.kind));
    expect(scripts.filter((s) => !runs.has(s.run))).toEqual([]);
    expect(scripts.filter((s) => s.run === 'malformed').map((s) => s.id)).toEqual(['discovery.robust.malformed']);
  });

  it('is registered, by id and by its entry file', async () => {
    expect(packById('discovery')).toBe(discovery);
    expect(detectPack(discovery.reference)).toBe(discovery);
  });
});

describe('judging a rhythm', () => {
  const judge = (gaps: number[]) => {
    const j = new RhythmJudge(400);
    for (const g of gaps) {
      const v = j.push(g);
      if (v !== 'more') return { verdict: v, hiccups: j.hiccups };
    }
    return { verdict: 'more', hiccups: j.hiccups };
  };

  it('keeps six gaps on the beat, within 25%', () => {
    expect(judge([400, 401, 399, 480, 320, 400])).toEqual({ verdict: 'kept', hiccups: 0 });
    expect(judge([450, 350, 510])).toEqual({ verdict: { lost: 'a gap was off the beat' }, hiccups: 0 });
    expect(judge([400, 290])).toMatchObject({ verdict: { lost: expect.any(String) } });
  });

  it('excuses a late gap of an exact clock (a stalled machine), and the short one that catches up, then counts afresh', () => {
    expect(judge([400, 402, 562, 238, 400, 400, 400, 400, 400])).toEqual({ verdict: 'more', hiccups: 1 });
    expect(judge([400, 402, 562, 238, 400, 400, 400, 400, 400, 400])).toEqual({ verdict: 'kept', hiccups: 1 });
    expect(judge([400, 398, 700, 400, 400, 400, 400, 400, 400])).toEqual({ verdict: 'kept', hiccups: 1 });
  });

  it('gives a loose, wrong or stuttering rhythm no more tries', () => {
    expect(judge([650, 650])).toMatchObject({ verdict: { lost: expect.any(String) }, hiccups: 1 });
    expect(judge([460, 340, 600])).toMatchObject({ verdict: { lost: expect.any(String) }, hiccups: 0 });
    expect(judge([400, 400, 600, 400, 400, 600, 400, 400, 600])).toMatchObject({ verdict: { lost: expect.any(String) }, hiccups: 2 });
    expect(judge([400, 400, 200])).toMatchObject({ verdict: { lost: expect.any(String) } });
  });
});

describe('seeded names', () => {
  it('cover the grammar, are reproducible, and a name for the command line never starts with "-"', () => {
    const draw = (seed: string) => {
      const n = new PeerNames(new Rng(seed));
      return { argv: Array.from({ length: 50 }, () => n.name({ argv: true })), names: Array.from({ length: 200 }, () => n.name()), urls: Array.from({ length: 20 }, () => n.url()), meta: n.extraMeta() };
    };
    const a = draw('s');
    expect(draw('s')).toEqual(a);
    expect([...a.names, ...a.argv].filter((x) => !NAME_RE.test(x))).toEqual([]);
    expect(a.argv.filter((x) => x.startsWith('-'))).toEqual([]);
    for (const re of [/-/, /_/, /[A-Z]/, /^[0-9]/, /^.{32}$/]) expect(a.names.some((x) => re.test(x)), String(re)).toBe(true);
    expect(a.names.some((x) => x.startsWith('-'))).toBe(true);
    expect(a.urls.filter((u) => !parseUrl(u))).toEqual([]);
  });
});

describe('reading the peer list', () => {
  const w = (r: Partial<WidgetRecord> & { path: string; cls: string }): WidgetRecord => ({ parent: r.path === '.' ? null : '.', window: '.', mapped: true, ...r });
  const tree = (...ws: WidgetRecord[]) => new Map(ws.map((x) => [x.path, x]));
  const ctx = { self: 'me', knownUsers: ['bob', 'eve-2'] };

  it('splits Listbox lines into name, URL and the rest; a caption naming itself is not the list', () => {
    const ui = readPeerUi(
      tree(
        w({ path: '.', cls: 'Tk', title: 'Peers of me', state: 'normal' }),
        w({ path: '.l', cls: 'Label', text: 'me at tcp://127.0.0.1:6000' }),
        w({ path: '.lb', cls: 'Listbox', items: ['bob   tcp://127.0.0.1:5001   status=away', 'eve-2 (tcp://node3.lan:7000)'] }),
      ),
      ctx,
    );
    expect(ui.main).toBe('.');
    expect(ui.peers).toEqual([
      { name: 'bob', text: 'bob   tcp://127.0.0.1:5001   status=away', url: 'tcp://127.0.0.1:5001', rest: 'status=away', known: true },
      { name: 'eve-2', text: 'eve-2 (tcp://node3.lan:7000)', url: 'tcp://node3.lan:7000', rest: '( )', known: true },
    ]);
    const empty = readPeerUi(tree(w({ path: '.', cls: 'Tk', state: 'normal' }), w({ path: '.l', cls: 'Label', text: 'me at tcp://127.0.0.1:6000' }), w({ path: '.lb', cls: 'Listbox', items: [] })), ctx);
    expect(empty.peers).toEqual([]);
  });

  it('reads a row of labels per peer: the URL and status beside the name', () => {
    const ui = readPeerUi(
      tree(
        w({ path: '.', cls: 'Tk', state: 'normal' }),
        w({ path: '.r1', cls: 'Frame' }),
        w({ path: '.r1.n', cls: 'Label', parent: '.r1', text: 'bob' }),
        w({ path: '.r1.u', cls: 'Label', parent: '.r1', text: 'tcp://127.0.0.1:5001' }),
        w({ path: '.r1.s', cls: 'Label', parent: '.r1', text: 'busy' }),
        w({ path: '.r2', cls: 'Frame' }),
        w({ path: '.r2.n', cls: 'Label', parent: '.r2', text: 'eve-2' }),
      ),
      ctx,
    );
    expect(ui.peers?.map((p) => [p.name, p.url, p.rest])).toEqual([['bob', 'tcp://127.0.0.1:5001', 'busy'], ['eve-2', undefined, '']]);
  });
});

describe('the discovery mutants', () => {
  const mutants = listMutants(discovery);

  it('are at least one per check, each patch listed once', async () => {
    expect(mutants.length).toBeGreaterThanOrEqual(16);
    const failed = new Set(mutants.flatMap((m) => m.fails));
    expect(discovery.rubric.checks.map((c) => c.id).filter((id) => !failed.has(id))).toEqual([]);
    const patches = (await readdir(discovery.mutants)).filter((n) => n.endsWith('.patch')).sort();
    expect(patches).toEqual(mutants.map((m) => m.patch).sort());
  });

  it('each applies to the reference, changes it, and compiles', async () => {
    const prefix = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-pycache-'));
    scratch.push(prefix);
    const files = async (dir: string) => Object.fromEntries(await Promise.all((await readdir(dir)).filter((n) => n.endsWith('.py')).sort().map(async (n) => [n, await readFile(path.join(dir, n), 'utf8')] as const)));
    const reference = await files(discovery.reference);
    const built = await Promise.all(mutants.map((m) => materialiseMutant(discovery, m.name)));
    try {
      for (const [i, b] of built.entries()) expect(await files(b.dir), mutants[i]!.name).not.toEqual(reference);
      const py = built.flatMap((b) => Object.keys(reference).map((n) => path.join(b.dir, n)));
      await run('python3', ['-m', 'py_compile', ...py], { env: { ...process.env, PYTHONPYCACHEPREFIX: prefix } });
    } finally {
      await Promise.all(built.map((b) => b.dispose()));
    }
  });
});

describe('the reference peer', () => {
  it('imports with no side effect and guards its entry point', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'chatgrade-peer-import-'));
    scratch.push(dir);
    const probe = path.join(dir, 'probe.py');
    await writeFile(probe, 'import sys, threading\nsys.path.insert(0, sys.argv[1])\nimport peer, net, gui\nprint(threading.active_count())\n');
    const { stdout } = await run('python3', ['-I', probe, discovery.reference], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(stdout.trim()).toBe('1');
  });
});
