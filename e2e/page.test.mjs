// End-to-end test of the analysis page served by `unspin serve` at `/`, in a real headless
// Chromium driven by playwright-core. Plain `node:test`; run it with `e2e/run.sh`, or directly:
//
//   UNSPIN_BIN=target/debug/unspin node --test e2e/page.test.mjs
//
// Environment: UNSPIN_BIN (default target/debug/unspin, relative to the repository root),
// CHROMIUM (default /usr/bin/chromium), UNSPIN_SCREENSHOT=1 to (re)write docs/screenshot.png.
// A screenshot of the analysed page is always written to $TMPDIR/unspin-e2e-screenshot.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = resolve(ROOT, process.env.UNSPIN_BIN || 'target/debug/unspin');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTICLE = readFileSync(join(ROOT, 'examples/article1001.txt'), 'utf8');
const TMP_SHOT = join(tmpdir(), 'unspin-e2e-screenshot.png');
const DOC_SHOT = join(ROOT, 'docs/screenshot.png');

// The page's selectors: the contract between this test and crates/server/assets.
const S = {
  input: 'textarea[data-testid="input"]',
  file: 'input[type="file"][data-testid="file"]',
  analyze: 'button[data-testid="analyze"]',
  article: '[data-testid="article"]',
  span: 'mark.span',
  legendButton: '[data-testid="legend"] button[data-technique]',
  confidence: 'input[type="range"][data-testid="confidence"]',
  chart: '[data-testid="chart"]',
  scores: '[data-testid="scores"]',
  download: 'button[data-testid="download"]',
  tooltip: '[role="tooltip"]',
  alert: '[role="alert"]',
  aids: '[data-testid="aids"]',
};

const ANALYSIS_TIMEOUT = 30_000;
const UI_TIMEOUT = 5_000;

let server; // sh watchdog running `unspin serve`
let serverPid; // the `unspin serve` process
let serverLog = '';
let base; // http://127.0.0.1:PORT
let context; // persistent browser context (fresh --user-data-dir)
let userDataDir;
let techniques = []; // GET /v1/techniques
const pageErrors = [];
const foreignRequests = new Set();

// ---------------------------------------------------------------------------------------------
// Server and browser lifecycle

function startServer() {
  if (!existsSync(BIN)) {
    throw new Error(`unspin binary not found at ${BIN}: build it (cargo build -p unspin-cli) or set UNSPIN_BIN`);
  }
  // The server runs under a tiny sh watchdog that kills it as soon as our end of its stdin
  // closes, so it never outlives this process, however this process dies.
  const script = 'exec 3<&0; "$1" serve --addr 127.0.0.1:0 & pid=$!; echo "$pid";'
    + ' (read -r _ <&3; kill "$pid" 2>/dev/null) & wait "$pid"';
  server = spawn('/bin/sh', ['-c', script, 'sh', BIN], { stdio: ['pipe', 'pipe', 'pipe'] });
  process.on('exit', () => serverPid && tryKill(serverPid, 'SIGKILL'));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`unspin serve printed no "listening" line in 60 s:\n${serverLog}`)), 60_000);
    const onData = (chunk) => {
      serverLog += chunk;
      // Only a complete line: stderr may arrive in pieces ("http://127" then ".0.0.1:PORT").
      const m = /unspin: listening on (http:\/\/\S+)\r?\n/.exec(serverLog);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1].replace(/\/$/, ''));
      }
    };
    server.stderr.setEncoding('utf8').on('data', onData);
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      const m = /^(\d+)\n/.exec(out);
      if (m && !serverPid) serverPid = Number(m[1]);
    });
    server.on('error', (e) => { clearTimeout(timer); reject(e); });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`unspin serve exited early (code ${code}, signal ${signal}):\n${serverLog}`));
    });
  });
}

function tryKill(pid, signal) {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.stdin.end(); // the watchdog sends SIGTERM: graceful shutdown
  const timer = setTimeout(() => { if (serverPid) tryKill(serverPid, 'SIGKILL'); server.kill('SIGKILL'); }, 5_000);
  await exited;
  clearTimeout(timer);
  serverPid = undefined;
}

before(async () => {
  base = await startServer();
  const res = await fetch(`${base}/v1/techniques`);
  assert.equal(res.status, 200, 'GET /v1/techniques');
  techniques = await res.json();
  userDataDir = mkdtempSync(join(tmpdir(), 'unspin-e2e-profile-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1600 },
    acceptDownloads: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  context.setDefaultTimeout(UI_TIMEOUT);
});

after(async () => {
  try {
    if (context) await context.close();
  } finally {
    await stopServer();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** A fresh tab on the page, recording data-state transitions and uncaught errors;
 * `routes(page)` may intercept requests before the page loads. */
async function openPage(viewport = { width: 1280, height: 1600 }, routes = async () => {}) {
  const page = await context.newPage();
  await routes(page);
  await page.setViewportSize(viewport);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) foreignRequests.add(url);
  });
  await page.addInitScript(() => {
    window.__states = [];
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.target === document.body) window.__states.push(document.body.dataset.state);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  });
  const res = await page.goto(`${base}/`);
  assert.equal(res.status(), 200, 'GET / status');
  assert.match(res.headers()['content-type'] || '', /text\/html/, 'GET / content type');
  return page;
}

/** Pastes `text` into the textarea, clicks Analyze and waits for "done" or "error". */
async function analyze(page, text) {
  await page.fill(S.input, text);
  await page.click(S.analyze);
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {
    timeout: ANALYSIS_TIMEOUT,
  });
  return page.evaluate(() => document.body.dataset.state);
}

async function analyzeArticle(page) {
  const state = await analyze(page, ARTICLE);
  if (state !== 'done') {
    const alert = await page.locator(S.alert).allTextContents().catch(() => []);
    assert.fail(`analysis ended in state "${state}"; alert: ${JSON.stringify(alert)}`);
  }
}

/** Every mark.span as [text, [techniques]]; a segment's techniques are space-separated. */
function marks(page) {
  return page.$$eval(S.span, (ms) =>
    ms.map((m) => [m.textContent, (m.dataset.techniques || '').split(' ').filter(Boolean)]),
  );
}

/** Marks that still show at least one technique. */
async function highlights(page) {
  return (await marks(page)).filter(([, ts]) => ts.length > 0);
}

/** Waits until no mark.span lists `technique` among its (space-separated) techniques. */
function waitUntilHidden(page, technique) {
  return page.waitForFunction(
    ([sel, t]) => ![...document.querySelectorAll(sel)].some((m) => (m.dataset.techniques || '').split(' ').includes(t)),
    [S.span, technique],
    { timeout: UI_TIMEOUT },
  );
}

/** Waits (briefly) for a legend button's aria-pressed to become `value`. */
async function waitForPressed(button, value, message) {
  await button.evaluate((b, v) => new Promise((ok, fail) => {
    const deadline = Date.now() + 5000;
    (function poll() {
      if (b.getAttribute('aria-pressed') === v) ok();
      else if (Date.now() > deadline) fail(new Error('timeout'));
      else requestAnimationFrame(poll);
    })();
  }), value).catch(async () => assert.fail(`${message} (it is "${await button.getAttribute('aria-pressed')}")`));
}

/** Names a technique may be shown by: PTC name, the name with spaces, the short name. */
function displayNames(name) {
  const t = techniques.find((x) => x.name === name);
  return [name, name.replace(/_/g, ' '), t && t.short_name].filter(Boolean).map((s) => s.toLowerCase());
}

async function setConfidence(page, where) {
  return page.$eval(
    S.confidence,
    (el, w) => {
      const old = el.value;
      el.value = w === 'max' ? el.max || '1' : w === 'min' ? el.min || '0' : w;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { old, now: el.value, min: el.min, max: el.max };
    },
    where,
  );
}

// ---------------------------------------------------------------------------------------------
// Tests (they share the server and browser, and run in order)

let page; // the analysed desktop page, used by the tests below

test('the page loads with its form', async () => {
  page = await openPage();
  for (const sel of [S.input, S.file, S.analyze]) {
    assert.equal(await page.locator(sel).count(), 1, `exactly one ${sel}`);
  }
  assert.ok(await page.locator(S.input).isVisible(), 'the textarea is visible');
  assert.ok(await page.locator(S.analyze).isVisible(), 'the Analyze button is visible');
  // This server was started without --fetch, so the page offers no URL field.
  // The /healthz answer decides: this server does not fetch, so no URL field...
  assert.ok(await page.locator('#url-row').isHidden(), 'no URL field when the server does not fetch');
  // ...and one that says it does gets the field (the answer faked for this page only).
  const p = await context.newPage();
  try {
    await p.route('**/healthz', (route) => route.fulfill({ json: { status: 'ok', detector: 'x', version: '0', fetch: true } }));
    await p.goto(`${base}/`);
    await p.locator('#url-row').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  } finally {
    await p.close();
  }
});

test('analysing examples/article1001.txt highlights spans', async () => {
  await analyzeArticle(page);
  const states = await page.evaluate(() => window.__states);
  const loading = states.indexOf('loading');
  assert.ok(loading >= 0 && states.indexOf('done', loading) > loading, `data-state went loading → done (saw ${JSON.stringify(states)})`);
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'summary-h',
    'focus moved to the summary');

  const inArticle = await page.locator(`${S.article} ${S.span}`).count();
  assert.ok(inArticle >= 1, `at least one ${S.span} inside ${S.article} (found ${inArticle})`);
  const all = await page.$$eval(S.span, (ms) => ms.map((m) => ({ tabindex: m.getAttribute('tabindex'), t: m.dataset.techniques })));
  for (const m of all) {
    assert.equal(m.tabindex, '0', 'every mark.span has tabindex="0"');
    assert.ok(m.t && m.t.trim(), 'every highlighted mark.span has data-techniques');
  }
  const known = new Set(techniques.map((t) => t.name));
  for (const [text, ts] of await marks(page)) {
    for (const t of ts) assert.ok(known.has(t), `"${t}" (on "${text}") is a PTC technique name`);
  }
});

test('legend buttons toggle a technique\'s highlights', async () => {
  const buttons = page.locator(S.legendButton);
  const n = await buttons.count();
  assert.ok(n >= 1, 'the legend has technique buttons');
  const legend = await buttons.evaluateAll((bs) => bs.map((b) => [b.dataset.technique, b.getAttribute('aria-pressed')]));
  for (const [t, pressed] of legend) assert.equal(pressed, 'true', `legend button ${t} starts pressed`);

  const before = await marks(page);
  const present = new Set(before.flatMap(([, ts]) => ts));
  const technique = legend.map(([t]) => t).find((t) => present.has(t));
  assert.ok(technique, `some legend technique appears on a highlight (legend: ${legend.map(([t]) => t)}; present: ${[...present]})`);
  const others = [...present].filter((t) => t !== technique);
  assert.ok(others.length >= 1, `the article shows techniques besides ${technique}`);

  const button = page.locator(`[data-testid="legend"] button[data-technique="${technique}"]`);
  await button.click();
  await waitForPressed(button, 'false', `${technique}: aria-pressed="false" after a click`);
  await waitUntilHidden(page, technique);
  const hidden = await highlights(page);
  assert.ok(hidden.length >= 1, 'other highlights remain');
  const stillShown = new Set(hidden.flatMap(([, ts]) => ts));
  for (const t of others) assert.ok(stillShown.has(t), `${t} is still highlighted while ${technique} is hidden`);

  await button.click();
  await waitForPressed(button, 'true', `${technique}: aria-pressed="true" after a second click`);
  await page.waitForFunction(
    ([sel, t]) => [...document.querySelectorAll(sel)].some((m) => (m.dataset.techniques || '').split(' ').includes(t)),
    [S.span, technique],
  );
  assert.deepEqual(await marks(page), before, 'the second click restores the highlights exactly');
});

test('hovering or focusing a highlight shows a tooltip naming its technique', async () => {
  const [first] = await highlights(page);
  assert.ok(first, 'a highlight to hover');
  const span = page.locator(S.span).first();
  const ts = (await span.getAttribute('data-techniques')).split(' ').filter(Boolean);
  const names = ts.flatMap(displayNames);

  await span.hover();
  const tooltip = page.locator(S.tooltip).filter({ visible: true }).first();
  await tooltip.waitFor({ state: 'visible' }).catch(() => assert.fail(`hovering a ${S.span} shows no visible ${S.tooltip}`));
  const hoverText = (await tooltip.textContent()).toLowerCase();
  assert.ok(names.some((x) => hoverText.includes(x)), `the hover tooltip names one of ${ts} (got ${JSON.stringify(hoverText)})`);

  // Keyboard: move the mouse away, then focus the last highlight.
  await page.mouse.move(0, 0);
  const last = page.locator(S.span).last();
  const lastTs = (await last.getAttribute('data-techniques')).split(' ').filter(Boolean);
  await last.focus();
  await page.waitForFunction(
    ([sel, wanted]) => [...document.querySelectorAll(sel)].some((el) => {
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'
        && wanted.some((w) => el.textContent.toLowerCase().includes(w));
    }),
    [S.tooltip, lastTs.flatMap(displayNames)],
  ).catch(async () => {
    const shown = await page.locator(S.tooltip).allTextContents();
    assert.fail(`focusing a highlight shows no visible tooltip naming one of ${lastTs} (tooltips: ${JSON.stringify(shown)})`);
  });
  await last.blur();
});

test('the confidence slider at its maximum hides every highlight', async () => {
  const before = await marks(page);
  assert.equal(await page.locator(S.confidence).count(), 1, `one ${S.confidence}`);
  const { old, max } = await setConfidence(page, 'max');
  assert.ok(max === '' || Number(max) === 1 || Number(max) === 100, `the slider's maximum is 1.0 (max="${max}")`);
  await page.waitForFunction(
    (sel) => [...document.querySelectorAll(sel)].every((m) => !(m.dataset.techniques || '').trim()),
    S.span,
  ).catch(async () => assert.fail(`highlights remain at confidence 1.0: ${JSON.stringify(await highlights(page))}`));

  await setConfidence(page, old);
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length > 0, S.span);
  assert.deepEqual(await marks(page), before, 'moving the slider back restores the highlights');
});

test('the chart, scores, download button and fact-checking aids are shown', async () => {
  for (const sel of [S.chart, S.scores, S.download]) {
    assert.ok(await page.locator(sel).first().isVisible(), `${sel} is visible`);
  }
  assert.ok((await page.locator(S.aids).count()) >= 1, `${S.aids} exists`);
  assert.ok((await page.locator(S.scores).first().textContent()).trim(), `${S.scores} has content`);
  const baseline = page.locator('[data-testid="baseline"]');
  assert.ok(await baseline.isVisible(), 'the article\'s share is given a baseline');
  assert.match(await baseline.textContent(), /13\.1 %/, 'the baseline names the PTC average');
});

test('the download button saves the report', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(S.download)]);
  const path = await download.path();
  const body = readFileSync(path, 'utf8');
  assert.ok(body.length > 0, `the downloaded ${download.suggestedFilename()} is not empty`);
});

test('the summary leads the results', async () => {
  const summary = page.locator('[data-testid="summary"]');
  assert.ok(await summary.isVisible(), 'a summary is shown');
  const top = (await summary.boundingBox()).y;
  assert.ok(top < (await page.locator(S.article).boundingBox()).y, 'the summary sits above the article');
  const text = await summary.textContent();
  assert.match(text, /13\.1 %/, 'the share is compared with the PTC corpus');
  assert.match(text, /Techniques: /);
  assert.match(text, /Unattributed statements/, 'article1001 has unattributed statements');
});

test('the claims list is ranked, and its length and score threshold chosen by the reader', async () => {
  const scores = async () => page.$$eval(`${S.aids} ul.aids:first-of-type li .count`, (es) => es.map((e) => Number(e.textContent)));
  const total = await page.evaluate(() => state.report.claims.filter((c) => c.check_worthy).length);
  assert.ok(total > 5, `article1001 has more than 5 check-worthy claims (${total})`);
  await page.selectOption('[data-testid="claim-limit"]', '5');
  let shown = await scores();
  assert.equal(shown.length, 5);
  assert.deepEqual(shown, [...shown].sort((a, b) => b - a), 'most check-worthy first');
  await page.selectOption('[data-testid="claim-limit"]', '0');
  shown = await scores();
  assert.equal(shown.length, total, 'all of them');
  // Raising the bar keeps exactly the check-worthy claims scoring at least that.
  await page.selectOption('[data-testid="claim-min"]', '0.9');
  const sure = await page.evaluate(() => state.report.claims.filter((c) => c.check_worthy && c.score >= 0.9).length);
  shown = await scores();
  assert.equal(shown.length, sure, 'only claims scoring 0.9 or more');
  assert.ok(shown.every((s) => s >= 0.9));
  await page.selectOption('[data-testid="claim-min"]', '0');
  await page.selectOption('[data-testid="claim-limit"]', '10');
});

test('the HTML and CSV exports download', async () => {
  const [html] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-html"]')]);
  assert.equal(html.suggestedFilename(), 'article.unspin.html', 'pasted text gets the id "article"');
  const page1 = readFileSync(await html.path(), 'utf8');
  assert.ok(page1.startsWith('<!DOCTYPE html>'), 'a whole HTML document');
  assert.ok(page1.indexOf('<h3>Summary</h3>') < page1.indexOf('<h3>Article</h3>'), 'summary first');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const rows = readFileSync(await csv.path(), 'utf8').split('\n');
  assert.equal(rows[0], 'article_id,kind,label,start,end,score,text,speaker,note');
  assert.ok(rows.some((r) => r.startsWith('article,span,')), 'spans are listed');
});

test('a saved JSON report opens again with the same highlights', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(S.download)]);
  const saved = readFileSync(await download.path());
  const report = JSON.parse(saved.toString('utf8'));
  assert.equal(report.text, ARTICLE, 'the report carries its text');
  assert.ok(report.version && report.created, 'and the version and time it was made');
  const expected = await marks(page);
  const p = await openPage();
  try {
    await p.setInputFiles('[data-testid="load-report"]', { name: 'saved.json', mimeType: 'application/json', buffer: saved });
    await p.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: UI_TIMEOUT });
    assert.deepEqual(await marks(p), expected, 'the same highlights as the analysed page');
    // A report whose offsets do not fit its text is refused, and nothing stale stays.
    const broken = { ...report, spans: [{ ...report.spans[0], end: Array.from(report.text).length + 5 }] };
    await p.setInputFiles('[data-testid="load-report"]', { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await p.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: UI_TIMEOUT });
    assert.match(await p.locator(S.alert).textContent(), /broken\.json.*outside/);
    assert.ok(await p.locator('#results').isHidden(), 'the previous results are gone');
  } finally {
    await p.close();
  }
});

test('an inconsistency in the summary flashes all its places', async () => {
  const text = 'There were 11,775 trucks at the border, with 4,530 of them in Turkey and 7,250 in Iraq, the ministry said.';
  const p = await openPage();
  try {
    assert.equal(await analyze(p, text), 'done');
    const finding = p.locator('[data-testid="summary-finding"]').first();
    assert.ok(await finding.isVisible(), 'the sum that does not add up is in the summary');
    await finding.click();
    const flashed = (await p.$$eval(`${S.article} .flash`, (es) => es.map((e) => e.textContent))).join('|');
    for (const number of ['11,775', '4,530', '7,250']) {
      assert.ok(flashed.includes(number), `${number} flashes (flashed: ${flashed})`);
    }
  } finally {
    await p.close();
  }
});

test('printing leaves out the form and labels every span in words', async () => {
  await page.emulateMedia({ media: 'print' });
  try {
    assert.ok(await page.locator(S.input).isHidden(), 'the form is not printed');
    assert.ok(await page.locator(S.download).isHidden(), 'nor the buttons');
    assert.ok(await page.locator('[data-testid="summary"]').isVisible(), 'the summary is');
    const labels = await page.$$eval(`${S.article} .plabel`, (es) => es.filter((e) => e.offsetParent !== null).map((e) => e.textContent));
    const ends = await page.evaluate(() => new Set(state.report.spans.map((s) => s.end)).size);
    assert.equal(labels.length, ends, 'one label wherever spans end');
    const shorts = new Set(techniques.map((t) => t.short_name));
    for (const l of labels) for (const name of l.split(' · ')) assert.ok(shorts.has(name), `label "${l}" names techniques`);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    console.log(`# printed article1001 on ${pages} A4 page(s)`);
  } finally {
    await page.emulateMedia({ media: 'screen' });
  }
});

test('axe finds no accessibility violations, colour contrast included, and the end is announced', async () => {
  const status = page.locator('#status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  assert.match(await status.textContent(), /^Analysis finished: \d+ spans?, \d+ claims? to check, \d+ inconsistenc/);
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'e2e/node_modules/axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
  }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0].target.join(' ')} (${v.nodes[0].failureSummary})`);
  assert.deepEqual(found, [], 'no WCAG A/AA violations');
  const contrast = result.passes.find((p) => p.id === 'color-contrast');
  assert.ok(contrast && contrast.nodes.length > 0, 'colour contrast was checked');
  // The marks' underline colours are not text, so axe does not check them; their 4.5:1 against
  // white is a unit test in crates/core/src/technique.rs. The focus ring must reach 3:1.
  const ring = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--focus').trim());
  const lum = (hex) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  assert.ok(1.05 / (lum(ring) + 0.05) >= 3, `focus ring ${ring} has 3:1 against white`);
});

test('screenshot of the analysed page', async () => {
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.$eval(S.input, (el) => { el.scrollTop = 0; el.setSelectionRange(0, 0); });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: TMP_SHOT, fullPage: true });
  if (process.env.UNSPIN_SCREENSHOT === '1') {
    mkdirSync(dirname(DOC_SHOT), { recursive: true });
    await page.screenshot({ path: DOC_SHOT, fullPage: true });
    // The printed page (its first screen: the summary and the labelled article).
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: DOC_SHOT.replace(/\.png$/, '-print.png') });
    await page.emulateMedia({ media: 'screen' });
  }
  await page.close();
});

test('an empty article shows an error', async () => {
  const p = await openPage();
  try {
    const state = await analyze(p, '');
    assert.equal(state, 'error', 'data-state is "error"');
    const alert = p.locator(S.alert).filter({ visible: true }).first();
    await alert.waitFor({ state: 'visible' });
    assert.ok((await alert.textContent()).trim(), 'the alert has a message');
  } finally {
    await p.close();
  }
});

test('after an error the previous article\'s results are gone', async () => {
  const p = await openPage();
  try {
    await analyzeArticle(p);
    assert.ok(await p.locator(`${S.article} ${S.span}`).first().isVisible(), 'results shown first');
    assert.equal(await analyze(p, '   '), 'error', 'data-state is "error"');
    assert.equal(await p.locator(`${S.article} ${S.span}`).filter({ visible: true }).count(), 0,
      'no highlight of the previous article stays visible');
    assert.equal(await p.locator(S.download).filter({ visible: true }).count(), 0,
      'no download of the previous report is offered');
  } finally {
    await p.close();
  }
});

test('a server with several models offers them, and the chosen one is asked for', async () => {
  // The e2e server runs the classical model alone (CI has no encoders): its health answer is
  // rewritten to list a second model, as `unspin serve` with the ensemble lists it.
  const sent = [];
  const p = await openPage(undefined, async (page) => {
    await page.route('**/healthz', async (route) => {
      const res = await route.fetch();
      const h = await res.json();
      await route.fulfill({ response: res, json: { ...h, models: ['ensemble', h.detector] } });
    });
    await page.route('**/v1/analyze', async (route) => {
      const body = JSON.parse(route.request().postData());
      sent.push(body.model);
      // The real server has only the classical model: ask it for that.
      await route.continue({ postData: JSON.stringify({ ...body, model: undefined }) });
    });
  });
  try {
    const select = p.locator('select[data-testid="model"]');
    await select.waitFor({ state: 'visible' });
    assert.deepEqual(await select.locator('option').allTextContents(),
      ['ensemble (default)', 'classical (fast)'], 'the models, the default first');
    await analyzeArticle(p);
    await select.selectOption('classical');
    await analyzeArticle(p);
    assert.deepEqual(sent, ['ensemble', 'classical'], 'each request names the chosen model');
  } finally {
    await p.close();
  }
});

test('a slow analysis shows its stage and time and can be cancelled', async () => {
  const p = await openPage(undefined, async (page) => {
    // Never answered, as a long article on a slow model would not be for a while: until Cancel.
    await page.route('**/v1/analyze', () => {});
  });
  try {
    await p.fill(S.input, ARTICLE);
    await p.click(S.analyze);
    const cancel = p.locator('button[data-testid="cancel"]');
    await cancel.waitFor({ state: 'visible' });
    assert.equal(await p.locator('#status').textContent(), 'Analysing…', 'the stage, announced once');
    await p.waitForFunction(() => /^[1-9]\d* s$/.test(document.getElementById('elapsed').textContent),
      null, { timeout: UI_TIMEOUT });
    assert.ok(await p.locator(S.analyze).isDisabled(), 'Analyze is off while an analysis runs');
    await cancel.click();
    await p.waitForFunction(() => document.body.dataset.state === 'cancelled', null, { timeout: UI_TIMEOUT });
    assert.equal(await p.locator('#status').textContent(), 'Analysis cancelled.');
    assert.equal(await p.locator('#elapsed').textContent(), '', 'the clock stops');
    assert.ok(await cancel.isHidden(), 'Cancel goes away');
    assert.ok(await p.locator(S.analyze).isEnabled(), 'Analyze works again');
    await p.unroute('**/v1/analyze');
    await analyzeArticle(p);
  } finally {
    await p.close();
  }
});

test('a saved page starting with a comment or an XML declaration is sent as HTML', async () => {
  const body = '<p>The council voted on Tuesday to close the old library, which has served the town for ninety years, and to move its books to the school.</p>'
    + '<p>Residents who spoke at the meeting said the decision was rushed and that nobody had asked them before the vote was held.</p>';
  for (const page of [
    `<!-- saved from url=(0031)https://example.org/council -->\n<html><head><title>Library to close</title></head><body><article>${body}</article></body></html>`,
    `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><article>${body}</article></body></html>`,
  ]) {
    const p = await openPage();
    try {
      const request = p.waitForRequest((r) => r.url().endsWith('/v1/analyze'), { timeout: ANALYSIS_TIMEOUT });
      assert.equal(await analyze(p, page), 'done', 'the analysis finishes');
      const sent = (await request).postDataJSON();
      assert.ok('html' in sent && !('text' in sent), `sent as {"html": ...}, not {"text": ...} (keys ${Object.keys(sent)})`);
      const shown = await p.locator(S.article).textContent();
      assert.ok(shown.includes('The council voted on Tuesday'), 'the extracted text is shown');
      assert.ok(!shown.includes('<p>') && !shown.includes('saved from url'), 'no markup is shown as text');
    } finally {
      await p.close();
    }
  }
});

test('an opened file with CRLF line breaks gets offsets into its exact text', async () => {
  const crlf = ARTICLE.replace(/\r?\n/g, '\r\n');
  const p = await openPage();
  try {
    await p.setInputFiles(S.file, { name: 'article-crlf.txt', mimeType: 'text/plain', buffer: Buffer.from(crlf, 'utf8') });
    await p.waitForFunction((sel) => document.querySelector(sel).value.length > 0, S.input);
    const request = p.waitForRequest((r) => r.url().endsWith('/v1/analyze'), { timeout: ANALYSIS_TIMEOUT });
    const response = p.waitForResponse((r) => r.url().endsWith('/v1/analyze'), { timeout: ANALYSIS_TIMEOUT });
    await p.click(S.analyze);
    await p.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: ANALYSIS_TIMEOUT });
    assert.equal((await request).postDataJSON().text, crlf, 'the file\'s exact text (CRLF kept) is sent');
    const report = await (await response).json();
    const chars = Array.from(crlf);
    assert.ok(report.spans.length >= 1, 'the article has spans');
    for (const s of report.spans) {
      assert.equal(chars.slice(s.start, s.end).join(''), s.text, `span ${s.start}..${s.end} points at its text in the file`);
    }
    const shown = await p.$$eval(S.span, (ms) => ms.map((m) => m.textContent));
    for (const text of shown) assert.ok(crlf.includes(text), `highlight "${text}" is text of the file`);
  } finally {
    await p.close();
  }
});

test('the page fits a 360 px phone screen', async () => {
  const p = await openPage({ width: 360, height: 780 });
  try {
    const width = () => p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok((await width()) <= 360, `empty page: scrollWidth ${await width()} <= 360`);
    await analyzeArticle(p);
    assert.ok((await width()) <= 360, `analysed page: scrollWidth ${await width()} <= 360`);
    if (process.env.UNSPIN_SCREENSHOT === '1') {
      await p.evaluate(() => window.scrollTo(0, 0));
      await p.screenshot({ path: DOC_SHOT.replace(/\.png$/, '-phone.png') });
    }
  } finally {
    await p.close();
  }
});

test('a statement made in a headline is marked as one in the quotes list', async () => {
  const p = await openPage();
  try {
    const ended = await analyze(p, readFileSync(join(ROOT, 'examples/article1002.txt'), 'utf8'));
    assert.equal(ended, 'done');
    const headlines = await p.evaluate(() => state.report.quotes.filter((q) => q.headline).length);
    assert.ok(headlines >= 1, 'article1002\'s title line carries a statement');
    const items = await p.locator(`${S.aids} li`, { hasText: 'headline' }).count();
    assert.equal(items, headlines, 'each such statement is marked "headline" in the list');
  } finally {
    await p.close();
  }
});

test('a quote whose speaker is blank is given to its source, as the CLI gives it', async () => {
  const p = await openPage();
  try {
    assert.equal(await analyze(p, '“We are not going to cooperate with them,” Baldanza said on Monday.'), 'done');
    const report = await p.evaluate(() => state.report);
    const q = report.quotes.find((x) => x.source && x.source.text.includes('Baldanza'));
    assert.ok(q, `the rules find Baldanza's statement (quotes: ${JSON.stringify(report.quotes)})`);
    q.speaker = '  ';
    await p.setInputFiles('[data-testid="load-report"]', { name: 'blank.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(report)) });
    await p.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: UI_TIMEOUT });
    const item = await p.locator(`${S.aids} li`, { hasText: 'cooperate' }).first().textContent();
    assert.match(item, /Baldanza/, `the source's words name the speaker (item: ${item})`);
    assert.doesNotMatch(item, /nobody/);
  } finally {
    await p.close();
  }
});

test('no uncaught JavaScript errors, no requests off the server', (t) => {
  assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  assert.deepEqual([...foreignRequests], [], 'the page loads everything from the server');
  t.diagnostic(`screenshot: ${TMP_SHOT}${process.env.UNSPIN_SCREENSHOT === '1' ? ` and ${DOC_SHOT}` : ''}`);
});
