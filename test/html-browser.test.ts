// The HTML pages in a real headless Chromium (Debian package `chromium`,
// driven by playwright-core; Playwright's own browser download is not used).
// Each page must load with no console error and no request beyond its own
// file, draw its SVG and PNG at a size above zero, and not be blank; the
// hostile report must run no script but ours; the class index sorts.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderClassIndex, renderHtml } from '../src/reporters/html/index.js';
import { fixture, hostile, peers, RESULTS } from './fixtures/html/results.js';
import { doesNotStart, review, unicodeClass } from './helpers/results.js';

const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } };
};

const CHROMIUM = process.env.CHATGRADE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(`html-browser tests skipped: no Chromium at ${CHROMIUM}. Install the Debian package "chromium" (apt-get install -y chromium) or set CHATGRADE_CHROMIUM.`);
}

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

interface Visit {
  page: Page;
  /** Console errors, uncaught exceptions, and requests for anything but the page itself. */
  problems: string[];
}

describe.skipIf(!HAVE_CHROMIUM)('HTML reports in headless Chromium (Debian package "chromium")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatgrade-html-'));
  let context: BrowserContext;

  beforeAll(async () => {
    const write = (folder: string, text: string) => {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, 'report.html'), text);
    };
    write('peers', renderHtml(peers()));
    write('hostile', renderHtml(hostile()));
    for (const name of RESULTS) write(name, renderHtml(fixture(name)));
    const entries = [...RESULTS.map((name) => ({ result: fixture(name), folder: name })), { result: peers(), folder: 'peers' }];
    writeFileSync(join(dir, 'index.html'), renderClassIndex(entries));
    // A class named in Chinese, with accents and spaces: each report in its transliterated folder.
    const klass = [...unicodeClass(), doesNotStart()];
    for (const r of klass) write(join('class', r.submission.folder ?? r.submission.name), renderHtml(r));
    writeFileSync(join(dir, 'class', 'index.html'), renderClassIndex(klass.map((result) => ({ result, folder: result.submission.folder ?? result.submission.name })), {
      notGraded: [{ dir: '/srv/class/stray', name: 'stray' }],
    }));
    write('review', renderHtml(review()));
    write('does-not-start', renderHtml(doesNotStart()));
    // A fresh profile each run: nothing cached, nothing remembered.
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, script = true): Promise<Visit> {
    const page = await context.newPage();
    const problems: string[] = [];
    const url = pathToFileURL(join(dir, file)).href;
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
    page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`); });
    if (!script) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    }
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems };
  }

  /** Distinct colours in a full-page screenshot; a blank page has one. */
  async function colours(page: Page): Promise<number> {
    const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
    const seen = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 7) seen.add(png.data.readUInt32BE(i));
    return seen.size;
  }

  it('a failing report: no console errors, the diagram and the screenshot drawn, the page not blank', async () => {
    const { page, problems } = await open('peers/report.html');
    const svg = await page.locator('#check-conv\\.send\\.own_once svg.seq').first().boundingBox();
    expect(svg!.width).toBeGreaterThan(300);
    expect(svg!.height).toBeGreaterThan(100);
    const img = page.locator('#check-conv\\.send\\.own_once .gui img');
    const drawn = await img.evaluate((el: HTMLImageElement) => ({ complete: el.complete, w: el.naturalWidth, h: el.naturalHeight }));
    expect(drawn).toEqual({ complete: true, w: 560, h: 330 });
    expect((await img.boundingBox())!.width).toBeGreaterThan(0);
    expect(await page.locator('svg.seq text', { hasText: 'oyelaran' }).count()).toBeGreaterThan(0);
    expect(await colours(page)).toBeGreaterThan(20);
    // Our script ran: it adds a copy button beside each replay command.
    expect(await page.locator('button.copy').count()).toBe(await page.locator('code.copy').count());
    expect(problems).toEqual([]);
    await page.close();
  });

  it('readable with JavaScript off: the same diagram and picture, no copy buttons', async () => {
    const { page, problems } = await open('peers/report.html', false);
    expect((await page.locator('svg.seq').first().boundingBox())!.height).toBeGreaterThan(0);
    expect(await page.locator('.gui img').first().evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(560);
    expect(await page.locator('button.copy').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('Chat client: grace-hopper');
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each(RESULTS)('%s report loads cleanly and is not blank', async (name) => {
    const { page, problems } = await open(`${name}/report.html`);
    expect(await colours(page)).toBeGreaterThan(10);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a hostile report runs no script but ours and shows the text as text', async () => {
    const { page, problems } = await open('hostile/report.html');
    expect(await page.title()).not.toBe('pwned');
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
      injected: document.querySelectorAll('b, img:not([src^="data:image/png"])').length,
      h1: document.querySelector('h1')!.textContent,
    }));
    expect(dom).toEqual({ scripts: 1, handlers: 0, injected: 0, h1: 'Chat client: <script>document.title="pwned"</script>' });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a class named in Chinese, with accents and spaces: every name shown exactly and distinctly, each linking to its own report', async () => {
    const { page, problems } = await open('class/index.html');
    const names = await page.locator('table.matrix tbody td.name a').allTextContents();
    expect([...names].sort()).toEqual(['ana maria', 'class/李雷', 'submissions/李雷', '王芳', 'class/Zoë Müller', 'submissions/Zoë Müller'].sort());
    expect(await page.locator('tr.not-graded td.name').count()).toBe(1);
    expect(await page.locator('tr.not-graded td.name').textContent()).toBe('stray not graded');
    // The lost checks to review: the row's badge, and a marked cell that says so.
    const flagged = page.locator('table.matrix tbody tr', { hasText: 'submissions/李雷' });
    expect(await flagged.locator('.badge.review').textContent()).toBe('review 2');
    expect(await flagged.locator('td.review a').first().getAttribute('title')).toContain('to review');
    await page.locator('table.matrix tbody td.name a', { hasText: '王芳' }).click();
    await page.waitForURL(/\/class\/WangFang\/report\.html$/);
    expect(await page.locator('h1').textContent()).toBe('Chat client: 王芳');
    expect(problems.filter((p) => !p.startsWith('request: file://'))).toEqual([]);
    await page.close();
  });

  it('a report marks the lost checks to review; a client that does not start shows one banner with its checks, and no card for each', async () => {
    const { page, problems } = await open('review/report.html');
    expect(await page.locator('.banner.review').isVisible()).toBe(true);
    expect(await page.locator('section.check h3 .badge.review').count()).toBe(2);
    expect(await page.locator('#check-bonus\\.icons\\.shown dd.review').textContent()).toContain('the grader may be wrong here: no image widget was recognised');
    const start = await open('does-not-start/report.html');
    expect(await start.page.locator('.banner.problem').count()).toBe(1);
    expect(await start.page.locator('.banner.problem strong').textContent()).toBe('Does not start: SyntaxError in main.py line 12: invalid syntax');
    expect(await start.page.locator('.banner.problem code').count()).toBe(27);
    expect(await start.page.locator('section.check').count()).toBe(0);
    expect([...problems, ...start.problems]).toEqual([]);
    await page.close();
    await start.page.close();
  });

  it('the class index: links to the reports, sorted by total, and sortable with its script', async () => {
    const { page, problems } = await open('index.html');
    const names = () => page.locator('table.matrix tbody td.name a').allTextContents();
    expect(await names()).toEqual(['ada-lovelace', 'barbara-liskov', 'alan-turing', 'grace-hopper', 'grace-hopper']);
    expect((await page.locator('svg.hist').boundingBox())!.height).toBeGreaterThan(0);
    await page.locator('th[data-sort="name"]').click();
    expect(await names()).toEqual(['ada-lovelace', 'alan-turing', 'barbara-liskov', 'grace-hopper', 'grace-hopper']);
    await page.locator('th[data-sort="total"]').click();
    await page.locator('th[data-sort="total"]').click();
    expect((await names())[0]).toBe('grace-hopper'); // low to high on the second click
    // A cell leads to that check in that report.
    await page.locator('table.matrix tbody tr', { hasText: 'alan-turing' }).locator('td.s-error a').click();
    await page.waitForURL(/harness-error\/report\.html#check-conv\.join\.sent$/);
    expect(await page.locator('#check-conv\\.join\\.sent h3').textContent()).toContain('NOT MEASURED');
    expect(await colours(page)).toBeGreaterThan(10);
    expect(problems.filter((p) => !p.startsWith('request: file://'))).toEqual([]);
    await page.close();
  });
});
