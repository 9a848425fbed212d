/**
 * Browser tests of the dashboard (web/), through the dev server (scripts/serve.mjs) and the mock
 * Prolific API (scripts/mock-prolific.mjs), in Debian's Chromium driven by playwright-core.
 *
 *   node --test tests/browser/
 *
 * Screenshots go to test-results/ (git-ignored): dashboard.png (the demo datasets once finished,
 * 1200×800), dashboard-narrow.png (the same at 375 px wide), dashboard-imports.png (V4 datasets
 * with their import jobs) and one per error scenario.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { startMockProlific } from '../../scripts/mock-prolific.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = path.join(ROOT, 'test-results');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDE = { width: 1200, height: 800 };
const NARROW = { width: 375, height: 812 };
const TIME_SCALE = 0.05;
const DIRECT_TOKEN = 'direct-secret-7f3a9c';
const DATASETS_PATH = '/api/v1/data-collection/datasets';
const CONNECT_SRC = "connect-src 'self' https: http://localhost:* http://127.0.0.1:*";

let browser;
/** Main dev server: forwards to `fastMock` (demo datasets 20× faster) with the right token. */
let server;
let fastMock;
/** Things to close in `after`, newest first. */
const closers = [];

before(async () => {
  await mkdir(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  closers.push(() => browser.close());
  fastMock = await startMockProlific({ timeScale: TIME_SCALE });
  closers.push(() => fastMock.close());
  server = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'mock-token', PROLIFIC_URL: fastMock.url } });
  closers.push(() => server.close());
});

after(async () => {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch {
      // Already closed by its test.
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * True for the URL of a dataset read (`…/datasets/<id>`, not its status). The page reads it for
 * every new id; ids that exist only on /status (the mock's demo and scenario ids) answer 404 there,
 * which the page takes silently as "a status-only row" but the browser still reports.
 */
function isDatasetRead(url) {
  return new RegExp(`${DATASETS_PATH}/[^/]+$`).test(new URL(url).pathname);
}

/**
 * Opens the dashboard in a fresh browser context, recording everything that can go wrong.
 * A 404 of a dataset read is expected (see isDatasetRead): it goes to `datasetNotFound`, not to
 * `console` or `badResponses`.
 * @returns {Promise<{ page, context, issues: { console: string[], pageErrors: string[],
 *   failedRequests: string[], badResponses: string[], dialogs: string[], datasetNotFound: string[] } }>}
 */
async function openDashboard(baseUrl, { hash = '', viewport = WIDE, bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport, bypassCSP });
  closers.push(() => context.close());
  const page = await context.newPage();
  const issues = { console: [], pageErrors: [], failedRequests: [], badResponses: [], dialogs: [], datasetNotFound: [] };
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const { url } = message.location();
    if (/status of 404/.test(message.text()) && url && isDatasetRead(url)) return;
    issues.console.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => issues.pageErrors.push(String(error)));
  page.on('requestfailed', (request) => issues.failedRequests.push(`${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() === 404 && isDatasetRead(response.url())) issues.datasetNotFound.push(response.url());
    else if (response.status() >= 400) issues.badResponses.push(`${response.status()} ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    issues.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  await page.goto(`${baseUrl}/${hash}`);
  await page.locator('html[data-ready="true"]').waitFor({ state: 'attached', timeout: 10_000 });
  return { page, context, issues };
}

function exactText(value) {
  return new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The list item of one dataset id. */
function row(page, id) {
  return page.locator('li.dataset').filter({ has: page.locator('.dataset__id', { hasText: exactText(id) }) });
}

/** Waits for the row's badge to have `badgeClass`, then returns the badge's text. */
async function badgeOf(page, id, badgeClass, timeout = 10_000) {
  const badge = row(page, id).locator(`.badge.${badgeClass}`);
  await badge.waitFor({ state: 'visible', timeout });
  return (await badge.textContent()).trim();
}

/** Waits for the row's problem box, then returns its text. */
async function problemOf(page, id, timeout = 15_000) {
  const problem = row(page, id).locator('.dataset__problem');
  await problem.waitFor({ state: 'visible', timeout });
  return (await problem.textContent()).replace(/\s+/g, ' ').trim();
}

async function addIds(page, text) {
  const input = page.getByRole('textbox', { name: 'Add dataset ids' });
  await input.fill(text);
  await input.press('Enter');
}

async function waitUntil(check, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Collects every text put in the aria-live region, from now on. */
async function recordAnnouncements(page) {
  await page.evaluate(() => {
    window.__announcements = [];
    const region = document.querySelector('[aria-live="polite"]');
    new MutationObserver(() => window.__announcements.push(region.textContent))
      .observe(region, { childList: true, characterData: true, subtree: true });
  });
  return () => page.evaluate(() => window.__announcements.join('\n'));
}

async function noInlineStyles(page) {
  // (Playwright's screenshots leave an empty style="" on text fields; only a real one counts.)
  const styled = await page.evaluate(() => [...document.querySelectorAll('[style]')]
    .filter((e) => e.getAttribute('style').trim() !== '').map((e) => e.outerHTML.slice(0, 120)));
  assert.deepEqual(styled, [], 'no style attributes (the CSP forbids them)');
}

async function screenshot(page, name, options = {}) {
  await page.screenshot({ path: path.join(RESULTS, name), ...options });
}

// ---------------------------------------------------------------------------------------------
// Tests

test('the page loads under its CSP with no console errors and no failed requests', async () => {
  const { page, issues } = await openDashboard(server.url);
  const response = await page.request.get(`${server.url}/`);
  const policy = response.headers()['content-security-policy'] ?? '';
  assert.match(policy, /script-src 'self'/);
  // Direct mode can reach https APIs and this computer over plain http, nothing else.
  assert.ok(policy.split('; ').includes(CONNECT_SRC), policy);

  assert.equal(await page.title(), 'Prolific dataset status');
  await page.getByRole('heading', { level: 1, name: 'Prolific dataset status' }).waitFor();
  // A server with a token: the page says it shows Prolific's API, and offers no demo datasets.
  assert.equal(await page.locator('#mode-label').textContent(), 'Prolific API (token on the server)');
  assert.equal(await page.getByRole('button', { name: 'Add demo datasets' }).isVisible(), false);
  assert.doesNotMatch(await page.locator('#empty-state').innerText(), /demo/i);
  assert.equal(await page.locator('li.dataset').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Check now' }).isDisabled(), true);
  assert.equal(await page.getByRole('switch', { name: 'Watch' }).getAttribute('aria-checked'), 'false');
  assert.equal(await page.locator('[aria-live="polite"]').count(), 1);
  // Direct mode is collapsed.
  assert.equal(await page.locator('details#direct-details').getAttribute('open'), null);
  assert.equal(await page.getByLabel('API token').isVisible(), false);
  await noInlineStyles(page);
  await page.waitForLoadState('networkidle');

  assert.deepEqual(issues.console, []);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.failedRequests, []);
  assert.deepEqual(issues.badResponses, []);
  assert.equal(new URL(page.url()).hash, '');

  // A server without a token: the built-in mock, said plainly, with the demo offer.
  const demoServer = await startServer({ port: 0, env: {} });
  closers.push(() => demoServer.close());
  const demo = await openDashboard(demoServer.url);
  assert.equal(await demo.page.locator('#mode-label').textContent(), 'Demo: built-in mock API');
  await demo.page.getByRole('button', { name: 'Add demo datasets' }).waitFor({ state: 'visible' });
  await demo.page.getByRole('button', { name: 'Add demo datasets' }).click();
  await row(demo.page, 'demo-new').waitFor();
  assert.equal(new URL(demo.page.url()).hash, '#ids=demo-ready,demo-slow,demo-error,demo-new');
  assert.equal(await demo.page.getByRole('button', { name: 'Add demo datasets' }).isVisible(), false);
  await demo.page.waitForLoadState('networkidle');
  assert.deepEqual(demo.issues.pageErrors, []);
  assert.deepEqual(demo.issues.console, []);
  await demoServer.close();
});

test('adding status-READY shows a READY badge; other statuses get their own badges', async () => {
  const { page, issues } = await openDashboard(server.url);
  const announcements = await recordAnnouncements(page);

  await addIds(page, 'status-READY');
  assert.equal(await badgeOf(page, 'status-READY', 'badge--ready'), 'READY');
  assert.match(await row(page, 'status-READY').locator('.dataset__meta').textContent(), /Read (just now|\d+ sec)/);
  // The full date and time on hover.
  assert.match(await row(page, 'status-READY').locator('.dataset__time time').getAttribute('title'), /\d{4}/);
  assert.match(await row(page, 'status-READY').locator('.dataset__since').textContent(), /^for \d+ s$/);
  assert.equal(new URL(page.url()).hash, '#ids=status-READY');
  assert.equal(await page.getByRole('textbox', { name: 'Add dataset ids' }).inputValue(), '', 'the input is emptied after adding');

  // Many at once, separated by commas, spaces and new lines; a duplicate is not added twice.
  await addIds(page, 'status-PROCESSING, status-SOMETHING_NEW\nstatus-UNINITIALISED  status-READY');
  assert.equal(await badgeOf(page, 'status-PROCESSING', 'badge--processing'), 'PROCESSING');
  assert.equal(await badgeOf(page, 'status-SOMETHING_NEW', 'badge--other'), 'SOMETHING_NEW');
  assert.equal(await badgeOf(page, 'status-UNINITIALISED', 'badge--uninitialised'), 'UNINITIALISED');
  assert.equal(await page.locator('li.dataset').count(), 4);
  assert.match(await page.locator('#add-message').textContent(), /Added 3 datasets.*1 id was already in the list/);
  assert.equal(new URL(page.url()).hash,
    '#ids=status-READY,status-PROCESSING,status-SOMETHING_NEW,status-UNINITIALISED');

  // Keyboard only: type an id, Enter; Space on the Watch switch.
  await page.getByRole('textbox', { name: 'Add dataset ids' }).focus();
  await page.keyboard.type('status-ERROR');
  await page.keyboard.press('Enter');
  assert.equal(await badgeOf(page, 'status-ERROR', 'badge--error'), 'ERROR');

  await waitUntil(async () => /status-READY is READY/.test(await announcements()),
    { message: 'the READY status to be announced' });

  // Remove with the row's own button; focus moves on to the next row's button.
  await row(page, 'status-SOMETHING_NEW').getByRole('button', { name: /Remove/ }).click();
  assert.equal(await row(page, 'status-SOMETHING_NEW').count(), 0);
  assert.doesNotMatch(page.url(), /SOMETHING_NEW/);
  assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Remove/);

  // The skip link moves focus to the list without touching the fragment that holds it.
  const hashBefore = new URL(page.url()).hash;
  await page.locator('.skip-link').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'datasets-heading');
  assert.equal(new URL(page.url()).hash, hashBefore);
  assert.equal(await page.locator('li.dataset').count(), 4);

  // Editing the fragment by hand changes the list.
  await page.evaluate(() => { location.hash = '#ids=status-READY,status-ERROR,status-PROCESSING'; });
  await waitUntil(async () => (await page.locator('li.dataset').count()) === 3, { message: 'the list to follow the address' });
  assert.deepEqual(await page.locator('.dataset__id').allTextContents(), ['status-READY', 'status-ERROR', 'status-PROCESSING']);

  await noInlineStyles(page);
  await screenshot(page, 'dashboard-statuses.png');
  // These ids read as V3 datasets: plain status rows, with no 404 on the way.
  assert.deepEqual(issues.datasetNotFound, []);
  assert.equal(await page.locator('.dataset__problem:visible').count(), 0);
  assert.equal(await page.locator('.imports:visible').count(), 0);
  assert.deepEqual(issues.console, []);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.failedRequests, []);
  assert.deepEqual(issues.badResponses, []);
});

test('demo datasets reach READY and ERROR with Watch on; Watch turns itself off', { timeout: 60_000 }, async () => {
  fastMock.reset(); // demo clocks start at the first read
  const { page, issues } = await openDashboard(server.url, { hash: '#ids=demo-ready,demo-slow,demo-error,demo-new' });
  const announcements = await recordAnnouncements(page);
  for (const id of ['demo-ready', 'demo-slow', 'demo-error', 'demo-new']) {
    await row(page, id).waitFor();
  }

  const watchSwitch = page.getByRole('switch', { name: 'Watch' });
  await watchSwitch.click();
  assert.equal(await watchSwitch.getAttribute('aria-checked'), 'true');

  // Demo phases last 3/10/25 s × 0.05: everything is final after about 1.25 s, plus the
  // growing delays between reads.
  assert.equal(await badgeOf(page, 'demo-ready', 'badge--ready', 20_000), 'READY');
  assert.equal(await badgeOf(page, 'demo-slow', 'badge--ready', 20_000), 'READY');
  assert.equal(await badgeOf(page, 'demo-error', 'badge--error', 20_000), 'ERROR');
  assert.equal(await badgeOf(page, 'demo-new', 'badge--uninitialised'), 'UNINITIALISED');
  await waitUntil(async () => (await page.locator('.dataset__reading:visible').count()) === 0,
    { message: 'reads to settle' });
  // demo-new is never terminal, so Watch is still on.
  assert.equal(await watchSwitch.getAttribute('aria-checked'), 'true');

  const said = await announcements();
  assert.match(said, /demo-ready changed from \w+ to READY/);
  assert.match(said, /demo-error changed from \w+ to ERROR/);

  await page.mouse.move(0, 0);
  await screenshot(page, 'dashboard.png');
  const wideSize = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
  assert.deepEqual(wideSize, { w: WIDE.width, h: WIDE.height });

  // Readable at 375 px: nothing wider than the screen.
  await page.setViewportSize(NARROW);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
    'no horizontal scrolling at 375 px');
  // A compact header: the first row of the list is on the first screen.
  await page.evaluate(() => window.scrollTo(0, 0));
  const firstRowTop = await page.locator('li.dataset').first().evaluate((e) => e.getBoundingClientRect().top);
  assert.ok(firstRowTop < NARROW.height - 40, `the list starts on the first screen at 375 px (top ${firstRowTop})`);
  await screenshot(page, 'dashboard-narrow.png', { fullPage: true });
  await page.setViewportSize(WIDE);

  // Removing the one dataset that never finishes leaves only terminal ones: Watch stops itself.
  await row(page, 'demo-new').getByRole('button', { name: /Remove/ }).click();
  await waitUntil(async () => (await watchSwitch.getAttribute('aria-checked')) === 'false',
    { message: 'Watch to turn itself off' });
  assert.match(await page.locator('#watch-status').textContent(), /Watch finished: 2 READY, 1 ERROR/);
  await waitUntil(async () => /Watch finished/.test(await announcements()), { message: 'the end to be announced' });
  assert.equal(await page.title(), '✓ 3/3 finished · Prolific dataset status');

  await noInlineStyles(page);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
  // Removing demo-new may abort its read in flight on purpose; no other request may fail.
  assert.deepEqual(issues.failedRequests.filter((line) => !/\/demo-new\/status net::ERR_ABORTED$/.test(line)), []);
});

test('a shared link with more ids than the list holds says what it skipped', { timeout: 60_000 }, async () => {
  const ids = Array.from({ length: 520 }, (_, index) => `status-S${index}`);
  const { page } = await openDashboard(server.url, { hash: `#ids=${ids.join(',')},${'x'.repeat(300)}` });
  await waitUntil(async () => (await page.locator('li.dataset').count()) === 500, { message: 'the 500 rows' });
  const message = await page.locator('#add-message').textContent();
  assert.match(message, /From the address: 20 ids were skipped: the list holds at most 500\. 1 id was skipped: longer than \d+ characters\./);
});

test('Watch turns itself off once every dataset is terminal, without help', { timeout: 30_000 }, async () => {
  fastMock.reset();
  const { page, issues } = await openDashboard(server.url, { hash: '#ids=demo-ready,status-ERROR' });
  const watchSwitch = page.getByRole('switch', { name: 'Watch' });
  await watchSwitch.focus();
  await page.keyboard.press('Space');
  // Both datasets may finish before the switch is read back: what shows that Watch ran and
  // ended by itself is the final message below, beside the switch being off.
  assert.equal(await badgeOf(page, 'demo-ready', 'badge--ready', 20_000), 'READY');
  await waitUntil(async () => (await watchSwitch.getAttribute('aria-checked')) === 'false',
    { message: 'Watch to turn itself off' });
  assert.match(await page.locator('#watch-status').textContent(), /Watch finished: 1 READY, 1 ERROR\./);
  assert.deepEqual(issues.pageErrors, []);
});

test('turning Watch off aborts the read in flight; its late answer is ignored', { timeout: 30_000 }, async () => {
  const held = [];
  fastMock.setHandler('held', (req, res, { count }) => {
    if (count === 1) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"PROCESSING"}');
    } else {
      held.push(res);
    }
  });
  try {
    const { page, issues } = await openDashboard(server.url, { hash: '#ids=held' });
    assert.equal(await badgeOf(page, 'held', 'badge--processing'), 'PROCESSING');
    const watchSwitch = page.getByRole('switch', { name: 'Watch' });
    await watchSwitch.click();
    await waitUntil(() => held.length > 0, { message: 'the watch read to reach the API' });

    await watchSwitch.click();
    assert.equal(await watchSwitch.getAttribute('aria-checked'), 'false');
    assert.equal(await page.locator('#watch-status').textContent(), 'Watch is off.');

    // The browser dropped the request, and the dev server passed that on to the API.
    await waitUntil(() => issues.failedRequests.some((line) => /\/held\/status net::ERR_ABORTED$/.test(line)),
      { message: 'the watch request to be aborted in the browser' });
    // The server answers READY after all: the page must not apply an aborted read.
    for (const res of held) {
      if (!res.destroyed) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"READY"}');
      }
    }
    await page.waitForTimeout(500);
    assert.equal(await badgeOf(page, 'held', 'badge--processing'), 'PROCESSING');
    assert.equal(await row(page, 'held').locator('.dataset__problem').isVisible(), false);
    assert.deepEqual(issues.pageErrors, []);
  } finally {
    fastMock.setHandler('held', null);
    for (const res of held) res.destroy();
  }
});

test('API errors are shown per row in readable words (404, 429, 5xx, invalid answer)', { timeout: 60_000 }, async () => {
  const { page, issues } = await openDashboard(server.url);
  await addIds(page, 'no-such-dataset rate-limited-1 http-500 not-json status-READY');

  assert.match(await problemOf(page, 'no-such-dataset'),
    /Not found \(404\).*No dataset has this id, or the token has no permission to see it/);
  assert.match(await problemOf(page, 'rate-limited-1', 20_000), /Rate limited \(429\).*wait 1 second/);
  assert.match(await problemOf(page, 'http-500', 20_000), /Server error \(500.*\).*Simulated 500/);
  assert.match(await problemOf(page, 'not-json'), /Invalid answer \(200\).*not with a dataset status/);
  assert.equal(await badgeOf(page, 'status-READY', 'badge--ready'), 'READY');
  assert.equal(await row(page, 'status-READY').locator('.dataset__problem').isVisible(), false);
  // A read that got an error says so on the badge too, never "Not read yet" nor empty.
  assert.equal(await badgeOf(page, 'no-such-dataset', 'badge--failed'), 'Not found');
  assert.equal(await badgeOf(page, 'http-500', 'badge--failed'), 'Read failed');
  assert.equal(await badgeOf(page, 'not-json', 'badge--failed'), 'Read failed');
  assert.match(await page.locator('#summary').textContent(), /4 with a read problem/);

  await screenshot(page, 'dashboard-errors.png', { fullPage: true });

  // With Watch on, the library reads transient failures (429, 5xx) again, and the rows say so; a
  // 404 is read once by Watch, which the library treats as final, then never again.
  const watchSwitch = page.getByRole('switch', { name: 'Watch' });
  const notFoundReads = () => fastMock.requests.filter((r) => r.path.includes('/no-such-dataset/')).length;
  const readsBefore = notFoundReads();
  await watchSwitch.click();
  await waitUntil(async () => /Rate limited \(429\).*Watch reads it again later/.test(await problemOf(page, 'rate-limited-1')),
    { message: 'the 429 row to say it is retrying' });
  await waitUntil(async () => /Server error \(500.*Watch reads it again later/.test(await problemOf(page, 'http-500')),
    { message: 'the 500 row to say it is retrying' });
  assert.equal(await watchSwitch.getAttribute('aria-checked'), 'true');
  await waitUntil(async () => /Not found \(404\).*does not read it again/.test(await problemOf(page, 'no-such-dataset')),
    { message: 'the 404 row to say it is final' });
  const readsAfter = notFoundReads();
  assert.equal(readsAfter, readsBefore + 1, 'Watch reads a 404 once');
  await waitUntil(() => fastMock.requests.filter((r) => r.path.includes('/http-500/')).length >= 3, { timeout: 15_000, message: 'more reads of http-500' });
  assert.equal(notFoundReads(), readsAfter, 'and not again');
  await watchSwitch.click();
  assert.equal(await watchSwitch.getAttribute('aria-checked'), 'false');
  assert.deepEqual(issues.pageErrors, []);
});

test('a token the API rejects shows a readable 401', async () => {
  const badTokenServer = await startServer({
    port: 0, env: { PROLIFIC_TOKEN: 'wrong', PROLIFIC_URL: fastMock.url },
  });
  closers.push(() => badTokenServer.close());
  const { page, issues } = await openDashboard(badTokenServer.url, { hash: '#ids=status-READY' });
  const text = await problemOf(page, 'status-READY');
  assert.match(text, /Token rejected \(401\)/);
  assert.match(text, /did not accept the token of this page's server/);
  assert.match(text, /Invalid token/);
  assert.equal(await badgeOf(page, 'status-READY', 'badge--failed'), 'Read failed');
  assert.deepEqual(issues.pageErrors, []);
  await badTokenServer.close();
});

test('a dead API behind the server and a dead server show readable errors', { timeout: 60_000 }, async () => {
  // The API (mock) dies: the dev server answers 502.
  const mock = await startMockProlific();
  closers.push(() => mock.close());
  const gateway = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'mock-token', PROLIFIC_URL: mock.url } });
  closers.push(() => gateway.close());
  const first = await openDashboard(gateway.url, { hash: '#ids=status-READY' });
  assert.equal(await badgeOf(first.page, 'status-READY', 'badge--ready'), 'READY');
  await mock.close();
  await first.page.getByRole('button', { name: 'Check now' }).click();
  const gatewayText = await problemOf(first.page, 'status-READY', 20_000);
  assert.match(gatewayText, /Server error \(502/);
  assert.match(gatewayText, /could not get an answer from the API/);
  // The last status read stays visible, with its time.
  assert.equal(await badgeOf(first.page, 'status-READY', 'badge--ready'), 'READY');
  await screenshot(first.page, 'dashboard-api-down.png');
  assert.deepEqual(first.issues.pageErrors, []);
  await gateway.close();

  // The page's own server dies: no HTTP answer at all.
  const doomed = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'mock-token', PROLIFIC_URL: fastMock.url } });
  closers.push(() => doomed.close());
  const second = await openDashboard(doomed.url, { hash: '#ids=status-PROCESSING' });
  assert.equal(await badgeOf(second.page, 'status-PROCESSING', 'badge--processing'), 'PROCESSING');
  await doomed.close();
  await second.page.getByRole('button', { name: 'Check now' }).click();
  const networkText = await problemOf(second.page, 'status-PROCESSING', 20_000);
  assert.match(networkText, /Network down/);
  assert.match(networkText, /No answer from this page's server/);
  await screenshot(second.page, 'dashboard-server-down.png');
  assert.deepEqual(second.issues.pageErrors, []);
});

test('hostile ids are refused and server texts are shown literally, never run', { timeout: 30_000 }, async () => {
  const imgId = '<img src=x onerror=alert(1)>';
  const svgId = '<svg/onload=window.__pwned=1>';
  // Without the CSP, so that the page's own handling is what is tested (the CSP would also stop
  // inline event handlers).
  const { page, issues } = await openDashboard(server.url, {
    hash: `#ids=${encodeURIComponent(svgId)},hostile`, bypassCSP: true,
  });
  await row(page, 'hostile').waitFor();
  // No dataset can have such an id: the link's one is refused, and said so as text.
  assert.match(await page.locator('#add-message').textContent(), /From the address: Not a dataset id .*"<svg\/onload=window\.__pwned=1>"/);
  await addIds(page, imgId);
  assert.match(await page.locator('#add-message').textContent(), /Not a dataset id .*"<img"/);

  const hostileText = await problemOf(page, 'hostile');
  assert.ok(hostileText.includes('<img src=x onerror="window.__pwned=1">'), hostileText);
  assert.ok(hostileText.includes('<script>window.__pwned=1</script>'), hostileText);
  assert.deepEqual(await page.locator('.dataset__id').allTextContents(), ['hostile']);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, svg, main script').length), 0);
  assert.equal(new URL(page.url()).hash, '#ids=hostile');

  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
  assert.deepEqual(issues.dialogs, []);
  assert.deepEqual(issues.pageErrors, []);
  await screenshot(page, 'dashboard-hostile.png', { fullPage: true });
});

test('direct mode sends the token only to the typed base URL, and a reload forgets it', { timeout: 60_000 }, async () => {
  const directMock = await startMockProlific({ token: DIRECT_TOKEN });
  closers.push(() => directMock.close());
  const directOrigin = new URL(directMock.url).origin;
  // Under the dev server's own CSP: its connect-src allows plain http to 127.0.0.1.
  const { page, issues } = await openDashboard(server.url, { hash: '#ids=status-READY' });
  const sent = [];
  page.on('request', async (request) => {
    const headers = await request.allHeaders().catch(() => request.headers());
    sent.push({ url: request.url(), method: request.method(), headers });
  });
  assert.equal(await badgeOf(page, 'status-READY', 'badge--ready'), 'READY');

  // A token over plain http to a non-loopback host is refused before anything is sent.
  await page.locator('#direct-details > summary').click();
  await page.getByLabel('API base URL').fill('http://example.com');
  await page.getByLabel('API token').fill(DIRECT_TOKEN);
  await page.getByRole('button', { name: 'Use direct mode' }).click();
  assert.match(await page.locator('#direct-message').textContent(), /refusing to send the token over plain http/);
  // Plain http to a loopback host the page's CSP cannot name: refused with what to type instead.
  await page.getByLabel('API base URL').fill(`http://[::1]:${new URL(directMock.url).port}`);
  await page.getByLabel('API token').fill(DIRECT_TOKEN);
  await page.getByRole('button', { name: 'Use direct mode' }).click();
  assert.match(await page.locator('#direct-message').textContent(),
    new RegExp(`use http://localhost:${new URL(directMock.url).port} instead`));

  await page.getByLabel('API base URL').fill(directMock.url);
  await page.getByLabel('API token').fill(DIRECT_TOKEN);
  await page.getByRole('button', { name: 'Use direct mode' }).click();
  assert.match(await page.locator('#direct-message').textContent(), /Direct mode on/);
  assert.equal(await page.getByLabel('API token').inputValue(), '', 'the token field is emptied after use');

  directMock.reset();
  await addIds(page, 'status-PROCESSING');
  assert.equal(await badgeOf(page, 'status-PROCESSING', 'badge--processing'), 'PROCESSING');
  await page.getByRole('button', { name: 'Check now' }).click();
  await waitUntil(() => directMock.requests.filter((r) => r.method === 'GET').length >= 3,
    { message: 'direct reads to reach the typed base URL' });
  const directGets = directMock.requests.filter((r) => r.method === 'GET');
  for (const request of directGets) assert.equal(request.headers.authorization, `Token ${DIRECT_TOKEN}`);

  // Wherever the token appears in what the browser sent, it went to the typed base URL only.
  const withTokenOf = () => sent.filter((r) => JSON.stringify(r).includes(DIRECT_TOKEN));
  await waitUntil(() => withTokenOf().length >= 3, { message: 'the browser to send the token in direct mode' });
  await page.waitForLoadState('networkidle');
  const withToken = withTokenOf();
  for (const request of withToken) assert.equal(new URL(request.url).origin, directOrigin, request.url);
  for (const request of sent.filter((r) => new URL(r.url).origin === server.url)) {
    assert.equal(request.headers.authorization, undefined, `no Authorization to the page's server: ${request.url}`);
  }
  assert.ok(!fastMock.requests.some((r) => JSON.stringify(r).includes(DIRECT_TOKEN)));

  // Not in the address, the storage, or the page's markup.
  assert.ok(!page.url().includes(DIRECT_TOKEN));
  assert.ok(!(await page.content()).includes(DIRECT_TOKEN));
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!storage.includes(DIRECT_TOKEN));
  const cookies = await page.context().cookies();
  assert.ok(!JSON.stringify(cookies).includes(DIRECT_TOKEN));

  // Reload: the ids come back from the fragment, the token does not.
  const before = directMock.requests.length;
  await page.reload();
  await page.locator('html[data-ready="true"]').waitFor({ state: 'attached' });
  assert.equal(new URL(page.url()).hash, '#ids=status-READY,status-PROCESSING');
  assert.equal(await badgeOf(page, 'status-READY', 'badge--ready'), 'READY');
  assert.equal(await badgeOf(page, 'status-PROCESSING', 'badge--processing'), 'PROCESSING');
  assert.equal(await page.getByLabel('API token').inputValue(), '');
  assert.equal(await page.locator('#mode-label').textContent(), 'Prolific API (token on the server)');
  sent.length = 0;
  await page.getByRole('button', { name: 'Check now' }).click();
  await waitUntil(() => sent.filter((r) => r.url.includes('/status')).length >= 2, { message: 'reads after reload' });
  await page.waitForLoadState('networkidle');
  assert.equal(directMock.requests.length, before, 'nothing goes to the direct base URL after a reload');
  assert.ok(!sent.some((r) => JSON.stringify(r).includes(DIRECT_TOKEN)));
  for (const request of sent) assert.equal(new URL(request.url).origin, server.url);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console.filter((line) => /Content Security Policy/i.test(line)), [],
    'the CSP lets direct mode through');
});

// ---------------------------------------------------------------------------------------------
// V4 datasets: import jobs

/**
 * Talks to the mock Prolific API directly, as a researcher's script would: creates a dataset and
 * asks for upload URLs (the dev server forwards reads only).
 */
function mockApi(mock) {
  const auth = { Authorization: 'Token mock-token' };
  const call = async (method, path, body) => {
    const res = await fetch(`${mock.url}${path}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    assert.equal(res.status, 201, `${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    createDataset: (name, schema) => call('POST', DATASETS_PATH, { name, workspace_id: 'workspace-1', schema }),
    uploadUrl: (datasetId, filename) => call('GET', `${DATASETS_PATH}/${datasetId}/upload-url/${filename}`),
  };
}

/** PUTs a file to a presigned upload URL, with no Authorization header (the URL is signed). */
async function putFile(upload, content) {
  const res = await fetch(upload.upload_url, {
    method: upload.http_method,
    headers: { 'Content-Type': upload.content_type },
    body: content,
  });
  assert.equal(res.status, 200, await res.text());
}

/** The import job items under a row, as [file, badge text, badge classes]. */
function importsOf(page, id) {
  return row(page, id).locator('.imports > li.import');
}

function importItem(page, id, filename) {
  return importsOf(page, id).filter({ has: page.locator('.import__file', { hasText: exactText(filename) }) });
}

/** Waits for the import of `filename` to show `status`, then returns the item's visible text. */
async function importReaches(page, id, filename, status, timeout = 40_000) {
  const badge = importItem(page, id, filename).locator('.import__badge');
  await waitUntil(async () => (await badge.count()) === 1 && (await badge.textContent()).trim() === status,
    { timeout, message: `${filename} of ${id} to be ${status}` });
  return (await importItem(page, id, filename).innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * A real HTTP server in front of the mock that answers a V4 dataset's `/status` without a status
 * (`{"status": null}`, as Prolific's reference gives it for V4 datasets; the mock itself still says
 * UNINITIALISED there) and passes every other request through unchanged.
 * @returns {Promise<{ url: string, v4Ids: Set<string>, close: () => Promise<void> }>}
 */
async function startStatuslessV4(upstreamUrl) {
  const v4Ids = new Set();
  const proxy = http.createServer((req, res) => {
    const match = /\/datasets\/([^/]+)\/status$/.exec(req.url);
    if (match && v4Ids.has(decodeURIComponent(match[1]))) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":null}');
      return;
    }
    const upstream = http.request(`${upstreamUrl}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    v4Ids,
    close: () => new Promise((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }),
  };
}

test('a V4 dataset shows its import jobs; Watch follows them to complete and partial, then stops', { timeout: 60_000 }, async () => {
  const mock = await startMockProlific({ token: 'mock-token', timeScale: TIME_SCALE });
  closers.push(() => mock.close());
  const front = await startStatuslessV4(mock.url);
  closers.push(() => front.close());
  const v4Server = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'mock-token', PROLIFIC_URL: front.url } });
  closers.push(() => v4Server.close());
  const api = mockApi(mock);

  // The dataset of the task: two files, one clean (complete), one with bad lines (partial).
  const dataset = await api.createDataset('Reviews (V4)', { fields: [] });
  assert.equal(dataset.schema_version, 4);
  const clean = await api.uploadUrl(dataset.id, 'a.jsonl');
  const messy = await api.uploadUrl(dataset.id, 'b.jsonl');
  // Two more, for the other looks: a file with no valid record (failed), and a dataset created
  // with an empty schema object, whose imports wait for a schema (pending_schema).
  const broken = await api.createDataset('Broken upload (V4)', { fields: [] });
  const brokenUpload = await api.uploadUrl(broken.id, 'only-bad.jsonl');
  const schemaless = await api.createDataset('No schema yet (V4)', {});
  const schemalessUpload = await api.uploadUrl(schemaless.id, 'c.jsonl');
  for (const created of [dataset, broken, schemaless]) front.v4Ids.add(created.id);

  const { page, issues } = await openDashboard(v4Server.url);
  const announcements = await recordAnnouncements(page);
  await addIds(page, `${dataset.id} ${broken.id} ${schemaless.id} status-READY`);

  // Before any upload: the imports exist, uninitialised (neutral badges); the main badge says V4
  // and sums them up instead of the misleading UNINITIALISED of /status.
  assert.equal(await badgeOf(page, dataset.id, 'badge--v4'), 'V4 · 0/2 imports done');
  assert.ok(await row(page, dataset.id).locator('.dataset__badge').evaluate((e) => e.classList.contains('badge--uninitialised')));
  assert.equal(await row(page, dataset.id).locator('.dataset__name').textContent(), 'Reviews (V4)');
  assert.deepEqual(await importsOf(page, dataset.id).locator('.import__file').allTextContents(), ['a.jsonl', 'b.jsonl']);
  for (const filename of ['a.jsonl', 'b.jsonl']) {
    const badge = importItem(page, dataset.id, filename).locator('.import__badge');
    assert.equal((await badge.textContent()).trim(), 'uninitialised');
    assert.ok(await badge.evaluate((e) => e.classList.contains('badge--other')), 'uninitialised is neutral');
  }
  assert.equal(await page.getByRole('list', { name: `Import jobs of ${dataset.id}` }).count(), 1);
  assert.equal(await badgeOf(page, 'status-READY', 'badge--ready'), 'READY');
  assert.equal(await row(page, 'status-READY').locator('.imports').isVisible(), false);
  assert.equal(await row(page, 'status-READY').locator('.dataset__problem').isVisible(), false);
  await waitUntil(async () => new RegExp(`${dataset.id} is a V4 dataset: 0/2 imports done`).test(await announcements()),
    { message: 'the V4 dataset to be announced' });

  const watchSwitch = page.getByRole('switch', { name: 'Watch' });
  await watchSwitch.click();
  assert.equal(await watchSwitch.getAttribute('aria-checked'), 'true');

  await putFile(clean, '{"text":"a"}\n{"text":"b"}\n');
  await putFile(messy, '{"text":"d"}\n{"text":"b"\nnot json\n[1, 2]\n"just a string"\n{"text":"c"}\n{oops}\n');
  await putFile(brokenUpload, 'nothing\nvalid\nhere\n');
  await putFile(schemalessUpload, '{"text":"a"}\n');
  assert.deepEqual(mock.tokenLeaks, []);

  assert.match(await importReaches(page, dataset.id, 'a.jsonl', 'complete'), /a\.jsonl complete 2 accepted$/);
  const partialText = await importReaches(page, dataset.id, 'b.jsonl', 'partial');
  assert.match(partialText, /b\.jsonl partial 2 accepted · 5 rejected/);
  assert.match(partialText, /Record errors: record 2: The line is not valid JSON\. record 3: The line is not valid JSON\. record 4: The record is not a JSON object\./);
  assert.match(await importReaches(page, broken.id, 'only-bad.jsonl', 'failed'),
    /Reason: The file could not be parsed: no valid record\./);
  assert.match(await importReaches(page, schemaless.id, 'c.jsonl', 'pending schema'), /Waiting for the dataset to have a schema/);

  // Each documented status has its own badge class.
  const badgeClass = (id, filename) => importItem(page, id, filename).locator('.import__badge').getAttribute('class');
  assert.match(await badgeClass(dataset.id, 'a.jsonl'), /\bbadge--import-complete\b/);
  assert.match(await badgeClass(dataset.id, 'b.jsonl'), /\bbadge--import-partial\b/);
  assert.match(await badgeClass(broken.id, 'only-bad.jsonl'), /\bbadge--import-failed\b/);
  assert.match(await badgeClass(schemaless.id, 'c.jsonl'), /\bbadge--import-pending-schema\b/);

  // Main badges sum the imports up; Watch treats every import being terminal as done, and stops.
  assert.equal(await badgeOf(page, dataset.id, 'badge--partial'), 'V4 · 2/2 imports done');
  assert.equal(await badgeOf(page, broken.id, 'badge--error'), 'V4 · 1/1 import done');
  assert.equal(await badgeOf(page, schemaless.id, 'badge--partial'), 'V4 · 1/1 import done');
  await waitUntil(async () => (await watchSwitch.getAttribute('aria-checked')) === 'false',
    { timeout: 20_000, message: 'Watch to turn itself off' });
  assert.match(await page.locator('#watch-status').textContent(), /Watch finished: 1 READY, 0 ERROR, 3 V4 with every import done\./);
  assert.match(await page.locator('#summary').textContent(), /4 datasets · 1 READY · 0 ERROR · 3 V4 with every import done/);
  const said = await announcements();
  assert.match(said, new RegExp(`${dataset.id}: .*a\\.jsonl is now complete \\(2 accepted\\)`));
  assert.match(said, new RegExp(`${dataset.id}: .*b\\.jsonl is now partial \\(2 accepted · 5 rejected\\)`));
  assert.match(said, new RegExp(`${dataset.id}: .*every import is done`));

  // Five errors: three shown, two more in a collapsed <details>, opened from the keyboard.
  const partial = importItem(page, dataset.id, 'b.jsonl');
  const more = partial.locator('details.import__more');
  assert.equal(await more.getAttribute('open'), null);
  assert.equal(await partial.getByText('record 5: The record is not a JSON object.').isVisible(), false);
  await more.locator('summary').focus();
  assert.equal((await more.locator('summary').textContent()).trim(), '2 more errors of b.jsonl');
  await page.keyboard.press('Enter');
  assert.notEqual(await more.getAttribute('open'), null);
  assert.equal(await partial.getByText('record 5: The record is not a JSON object.').isVisible(), true);
  assert.equal(await partial.getByText('record 7: The line is not valid JSON.').isVisible(), true);

  // Check now reads the V4 datasets again (/status, then the dataset with its import jobs);
  // unchanged jobs stay as they are, so the opened list stays open and keeps the focus.
  const datasetReads = () => mock.requests.filter((r) => r.path === `${DATASETS_PATH}/${dataset.id}`).length;
  const readsBefore = datasetReads();
  await more.locator('summary').evaluate((e) => { e.dataset.marked = 'before'; });
  // (A DOM click, so that the focus stays on the summary while the rows are read again.)
  await page.evaluate(() => document.getElementById('check-now').click());
  await waitUntil(() => datasetReads() > readsBefore, { message: 'Check now to read the V4 dataset' });
  await waitUntil(async () => (await page.locator('.dataset__reading:visible').count()) === 0, { message: 'reads to settle' });
  assert.notEqual(await more.getAttribute('open'), null);
  assert.equal(await more.locator('summary').evaluate((e) => e.dataset.marked === 'before' && e === document.activeElement), true);
  await more.locator('summary').evaluate((e) => { delete e.dataset.marked; });

  // The page only read: every request the dev server sent was a GET of a read endpoint.
  const forwarded = mock.requests.filter((r) => /^prolific-dataset-status-/.test(r.headers['user-agent'] ?? ''));
  assert.ok(forwarded.length > 0);
  for (const request of forwarded) {
    assert.equal(request.method, 'GET');
    assert.match(request.path, new RegExp(`^${DATASETS_PATH}/[^/]+(/status|/imports/[^/]+)?$`), request.path);
  }

  await noInlineStyles(page);
  await page.mouse.move(0, 0);
  await screenshot(page, 'dashboard-imports.png', { fullPage: true });
  await page.setViewportSize(NARROW);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
    'no horizontal scrolling at 375 px');
  await screenshot(page, 'dashboard-imports-narrow.png', { fullPage: true });

  // status-READY reads as a V3 dataset: no 404 anywhere.
  assert.deepEqual(issues.datasetNotFound, []);
  assert.deepEqual(issues.console, []);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.failedRequests, []);
  assert.deepEqual(issues.badResponses, []);
  assert.deepEqual(mock.tokenLeaks, []);
});
