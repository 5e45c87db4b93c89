// End-to-end test of the HTML report of `unspin stats --html`, in a real headless Chromium
// driven by playwright-core. Plain `node:test`; run it directly (e2e/run.sh runs it too):
//
//   UNSPIN_BIN=target/debug/unspin node --test e2e/stats.mjs
//
// It makes a small corpus from examples/ (four outlets, three months, one outlet name that
// tries to inject markup), runs `unspin batch` and `unspin stats --html`, then opens the page
// in light and dark mode and checks that it renders its charts: a bar per outlet, the legend,
// a layer per technique over time, working tooltips and legend highlighting, no console
// errors, no network requests, no NaN. Environment: UNSPIN_BIN (default target/debug/unspin),
// CHROMIUM (default /usr/bin/chromium), UNSPIN_STATS_HTML=FILE to check an existing report
// instead (its outlets are then read from the page). A screenshot goes to
// $TMPDIR/unspin-stats-e2e.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = resolve(ROOT, process.env.UNSPIN_BIN || 'target/debug/unspin');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const GIVEN = process.env.UNSPIN_STATS_HTML ? resolve(process.env.UNSPIN_STATS_HTML) : null;
const SHOT = join(tmpdir(), 'unspin-stats-e2e.png');

// An outlet name that would run script if the report did not escape corpus text.
const HOSTILE = '<img src=x onerror="window.__pwned=1">Evil & Co';
const OUTLETS = ['Daily Ledger', 'Patriot Wire', 'Metro Observer', HOSTILE];
const MONTHS = ['2025-01', '2025-02', '2025-03'];

let work; // temporary directory
let report; // path of the HTML report under test
let outlets = OUTLETS; // outlet names the page must chart
let browser;

function unspin(args) {
  return execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A JSONL corpus: every example article under every outlet, spread over three months. */
function makeCorpus(path) {
  const texts = ['article1001.txt', 'article1002.txt'].map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));
  const html = readFileSync(join(ROOT, 'examples/article1003.html'), 'utf8');
  const lines = [];
  let n = 0;
  OUTLETS.forEach((source, o) => {
    texts.forEach((text, t) => {
      const month = MONTHS[(o + t) % MONTHS.length];
      lines.push(JSON.stringify({ id: `r${n++}`, text, source, date: `${month}-1${t}`, url: `https://example.org/${n}` }));
    });
    lines.push(JSON.stringify({ id: `r${n++}`, html, source, date: `${MONTHS[o % MONTHS.length]}-20T08:00:00Z` }));
  });
  writeFileSync(path, lines.join('\n') + '\n');
}

before(async () => {
  if (GIVEN) {
    assert.ok(existsSync(GIVEN), `UNSPIN_STATS_HTML=${GIVEN} does not exist`);
    report = GIVEN;
    outlets = null;
  } else {
    if (!existsSync(BIN)) {
      throw new Error(`unspin binary not found at ${BIN}: build it (cargo build -p unspin-cli) or set UNSPIN_BIN`);
    }
    work = mkdtempSync(join(tmpdir(), 'unspin-stats-e2e-'));
    const corpus = join(work, 'corpus.jsonl');
    makeCorpus(corpus);
    unspin(['batch', corpus, '--out', join(work, 'out'), '--quiet']);
    report = join(work, 'report.html');
    unspin(['stats', join(work, 'out'), '--html', report]);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Opens the report with every console error, page error and non-file request recorded. */
async function open(colorScheme, viewport = { width: 1280, height: 1000 }) {
  const page = await browser.newPage({ viewport, colorScheme });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('request', (r) => { if (!/^(file|data|about):/.test(r.url())) problems.push(`request: ${r.url()}`); });
  await page.goto(pathToFileURL(report).href);
  await page.waitForLoadState('load');
  return { page, problems };
}

for (const scheme of ['light', 'dark']) {
  test(`the report renders its charts (${scheme})`, async () => {
    const { page, problems } = await open(scheme);
    try {
      // The page follows the colour scheme: the background differs between light and dark.
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const channels = bg.match(/\d+/g).slice(0, 3).map(Number);
      const bright = channels.reduce((a, b) => a + b, 0) / 3;
      assert.ok(scheme === 'light' ? bright > 200 : bright < 60, `${scheme} background is ${bg}`);

      const names = outlets ?? await page.$$eval('[data-testid="mix"] g.row', (gs) => gs.map((g) => g.dataset.outlet));
      assert.ok(names.length > 0, 'no outlet rows');

      // Legend: one entry per technique found, each with a colour swatch.
      const legend = await page.$$eval('[data-testid="legend"] button[data-technique]', (bs) =>
        bs.map((b) => [b.dataset.technique, getComputedStyle(b.querySelector('i')).backgroundColor]));
      assert.ok(legend.length >= 3, `legend has ${legend.length} entries`);
      for (const [t, colour] of legend) assert.notEqual(colour, 'rgba(0, 0, 0, 0)', `${t} has no swatch colour`);

      // Technique mix and share: one row per outlet with visible bars, labelled with the name
      // as text (so the hostile name is shown, not executed).
      for (const chart of ['mix', 'share']) {
        const rows = await page.$$eval(`[data-testid="${chart}"] g.row`, (gs) => gs.map((g) => ({
          outlet: g.dataset.outlet,
          bars: [...g.querySelectorAll('rect')].filter((r) => r.getBoundingClientRect().width > 0.5).length,
        })));
        assert.deepEqual(rows.map((r) => r.outlet).sort(), [...names].sort(), `${chart}: one row per outlet`);
        for (const r of rows) assert.ok(r.bars >= 1, `${chart}: no visible bar for ${r.outlet}`);
      }
      const mixSegments = await page.locator('[data-testid="mix"] rect.seg').count();
      assert.ok(mixSegments >= names.length, `mix chart has ${mixSegments} segments`);

      // Time: a layer per technique and a hover column per month.
      const layers = await page.locator('[data-testid="time"] .layer').count();
      assert.ok(layers >= 1, 'no technique layers over time');
      const months = await page.locator('[data-testid="time"] rect.hover').count();
      if (outlets) assert.equal(months, MONTHS.length, 'one hover column per month');
      else assert.ok(months >= 1, 'no months');

      // Phrases, heat table (a row per outlet) and findings section are present.
      assert.ok(await page.locator('[data-testid="phrases"] svg, [data-testid="phrases"] .nodata').count() >= 1);
      assert.equal(await page.locator('[data-testid="heat"] tbody tr').count(), names.length);
      assert.equal(await page.locator('[data-testid="findings"]').count(), 1);

      // Every chart has a real size; no attribute or text says NaN or Infinity.
      for (const box of await page.$$eval('svg.chart', (ss) => ss.map((s) => s.getBoundingClientRect().toJSON()))) {
        assert.ok(box.width > 200 && box.height > 30, `tiny chart ${JSON.stringify(box)}`);
      }
      const html = await page.content();
      assert.ok(!/NaN|Infinity/.test(html), 'NaN or Infinity in the page');

      // Corpus text is escaped: the hostile outlet name is text, and its handler never ran.
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'markup in corpus text was executed');
      assert.equal(await page.locator('main img').count(), 0, 'an <img> from corpus text was created');
      if (outlets) {
        const titles = await page.$$eval('[data-testid="heat"] tbody th', (ths) => ths.map((th) => th.title));
        assert.ok(titles.includes(HOSTILE), 'hostile name not shown as text');
      }

      // Tooltips: hovering a segment shows the styled tooltip naming the outlet.
      const seg = page.locator('[data-testid="mix"] rect.seg').first();
      const outletOfSeg = await seg.evaluate((r) => r.closest('g.row').dataset.outlet);
      await seg.hover();
      const tip = page.locator('[role="tooltip"]');
      await tip.waitFor({ state: 'visible', timeout: 2000 });
      assert.ok((await tip.textContent()).includes(outletOfSeg), 'tooltip does not name the outlet');

      // Legend: hovering an entry dims the other techniques, leaving it alone.
      const first = page.locator('[data-testid="legend"] button[data-technique]').first();
      const technique = await first.getAttribute('data-technique');
      await first.hover();
      const dimmed = await page.$$eval('main .dim', (els) => els.map((e) => e.dataset.technique));
      assert.ok(dimmed.length > 0, 'legend hover dims nothing');
      assert.ok(!dimmed.includes(technique), 'legend hover dims its own technique');
      await page.mouse.move(1, 1);
      assert.equal(await page.locator('main .dim').count(), 0, 'dimming stays after the hover');

      if (scheme === 'light') await page.screenshot({ path: SHOT, fullPage: true });
      assert.deepEqual(problems, [], 'console errors, page errors or network requests');
    } finally {
      await page.close();
    }
  });
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds no accessibility violations in the report (${scheme})`, async () => {
    const { page } = await open(scheme);
    try {
      await page.addScriptTag({ content: readFileSync(join(ROOT, 'e2e/node_modules/axe-core/axe.min.js'), 'utf8') });
      const result = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
      }));
      const found = result.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.any[0] ? n.any[0].message : '')).join(' | ')}`);
      assert.deepEqual(found, [], 'no WCAG A/AA violations');
    } finally {
      await page.close();
    }
  });
}

test('on a 360 px phone the report does not scroll sideways and its chart labels stay readable', async () => {
  const { page, problems } = await open('light', { width: 360, height: 780 });
  try {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the page scrolls sideways: scrollWidth ${width} > 360`);
    // Charts keep readable labels (their cards scroll sideways instead of shrinking them).
    const smallest = await page.$$eval('svg.chart text.tick', (ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().height)));
    assert.ok(smallest >= 8, `axis labels ${smallest.toFixed(1)} px tall`);
    assert.deepEqual(problems, [], 'console errors, page errors or network requests');
  } finally {
    await page.close();
  }
});
