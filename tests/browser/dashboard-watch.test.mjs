/**
 * Browser tests of the dashboard on the watch engine: rows shown as their own read ends, the
 * library's decisions (a 501 is final), the list and Watch kept across reloads, Remove all with
 * Undo, pasted app links, the finished count in the title, and a 401 in direct mode. Real dev
 * server, real mock Prolific API, Debian's Chromium.
 *
 *   node --test tests/browser/dashboard-watch.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { startMockProlific } from '../../scripts/mock-prolific.mjs';
import { watchDatasets } from '../../src/js/node.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STATUS_PATH = (id) => `/api/v1/data-collection/datasets/${id}/status`;

let browser;
let mock;
let server;
const closers = [];

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  closers.push(() => browser.close());
  mock = await startMockProlific({ timeScale: 0.05 });
  closers.push(() => mock.close());
  server = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'mock-token', PROLIFIC_URL: mock.url } });
  closers.push(() => server.close());
});

after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

/**
 * Opens the dashboard; records page errors and console errors that come from the page's own
 * scripts (the browser's own "Failed to load resource" lines for 4XX/5XX answers are the
 * scenarios under test, not faults of the page).
 */
async function open(url, { context } = {}) {
  const ctx = context ?? await browser.newContext({ viewport: { width: 1200, height: 800 } });
  if (!context) closers.push(() => ctx.close());
  const page = await ctx.newPage();
  const issues = { pageErrors: [], console: [] };
  page.on('pageerror', (error) => issues.pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of \d+/.test(message.text())) return;
    issues.console.push(message.text());
  });
  await page.goto(url);
  await page.locator('html[data-ready="true"]').waitFor({ state: 'attached', timeout: 10_000 });
  return { page, issues, context: ctx };
}

function row(page, id) {
  return page.locator('li.dataset').filter({ has: page.locator('.dataset__id', { hasText: new RegExp(`^${id}$`) }) });
}

async function waitUntil(check, { timeout = 10_000, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const badge = (page, id) => row(page, id).locator('.dataset__badge');
const reads = (id) => mock.requests.filter((r) => r.path === STATUS_PATH(id)).length;

test('a fast dataset shows READY while a rate-limited one is still pending; each row has its own read time', { timeout: 60_000 }, async () => {
  mock.reset();
  const { page, issues } = await open(`${server.url}/#ids=demo-ready,rate-limited-3`);
  const watch = page.getByRole('switch', { name: 'Watch' });
  await watch.click();
  const started = Date.now();
  await badge(page, 'demo-ready').filter({ hasText: /^READY$/ }).waitFor({ timeout: 1_500 });
  assert.ok(Date.now() - started <= 1_500, 'READY within 1.5 s of turning Watch on');
  // The rate-limited row has no status (not read yet, or its read got a 429): it is held back by
  // nobody and holds back nobody.
  assert.match((await badge(page, 'rate-limited-3').textContent()).trim(), /^(Not read yet|Read failed)$/);
  const readyAt = Date.parse(await row(page, 'demo-ready').locator('.dataset__time time').getAttribute('datetime'));
  const problemTime = row(page, 'rate-limited-3').locator('.dataset__problem time');
  await problemTime.waitFor({ timeout: 10_000 });
  const firstAt = Date.parse(await problemTime.getAttribute('datetime'));
  assert.match(await row(page, 'rate-limited-3').locator('.dataset__problem').innerText(), /Rate limited \(429\)[^]*reads it again later/);
  // Its next read (after the 3 s the server asked for) shows with that read's own time.
  await waitUntil(async () => Date.parse(await problemTime.getAttribute('datetime')) !== firstAt,
    { timeout: 15_000, message: 'the next read of the rate-limited dataset' });
  const secondAt = Date.parse(await problemTime.getAttribute('datetime'));
  assert.ok(secondAt - firstAt >= 2_500, `the 429 row's time is its own read's (${firstAt} then ${secondAt})`);
  assert.ok(secondAt - readyAt >= 1_000, `the READY row kept its own read's time (${readyAt}), not the slow row's (${secondAt})`);
  assert.match(await row(page, 'demo-ready').locator('.dataset__time time').getAttribute('title'), /\d{4}/);
  await watch.click();
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});

test('a 501 is final in the library and on the page: read once, not again', { timeout: 60_000 }, async () => {
  mock.reset();
  // The library: one read, a final error entry.
  const [entry] = await watchDatasets(['http-501'], { baseUrl: mock.url, token: 'mock-token', intervalMs: 50 });
  assert.equal(entry.error.httpStatus, 501);
  assert.equal(reads('http-501'), 1);

  // The page: Check now on opening (one read), then Watch, which reads it once more and stops there,
  // while it keeps reading a dataset that never finishes.
  mock.reset();
  const { page, issues } = await open(`${server.url}/#ids=http-501,demo-new`);
  await row(page, 'http-501').locator('.dataset__problem').waitFor();
  assert.equal(reads('http-501'), 1, 'Check now does not retry a 501');
  await page.getByRole('switch', { name: 'Watch' }).click();
  await waitUntil(async () => /does not read it again/.test(await row(page, 'http-501').locator('.dataset__problem').innerText()),
    { message: 'the 501 row to say it is final' });
  const afterWatch = reads('http-501');
  await waitUntil(() => reads('demo-new') >= 4, { timeout: 15_000, message: 'Watch to go on reading demo-new' });
  assert.equal(reads('http-501'), afterWatch, 'Watch does not read the 501 again');
  assert.equal(afterWatch, 2);
  assert.match(await row(page, 'http-501').locator('.dataset__problem').innerText(), /Server error \(501 Not Implemented\)/);
  await page.getByRole('switch', { name: 'Watch' }).click();
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});

test('the list and Watch survive a reload; the link wins over the saved list', { timeout: 60_000 }, async () => {
  mock.reset();
  const { page, issues, context } = await open(`${server.url}/`);
  const input = page.getByRole('textbox', { name: 'Add dataset ids' });
  await input.fill('status-READY;demo-new');
  await input.press('Enter');
  await badge(page, 'demo-new').filter({ hasText: 'UNINITIALISED' }).waitFor();
  await page.getByRole('switch', { name: 'Watch' }).click();
  assert.match(await page.title(), /^\(1\/2\) Prolific dataset status$/);

  // Reload without the fragment: the list and Watch come back from this browser's storage.
  await page.goto(`${server.url}/`);
  await page.locator('html[data-ready="true"]').waitFor({ state: 'attached' });
  assert.deepEqual(await page.locator('.dataset__id').allTextContents(), ['status-READY', 'demo-new']);
  assert.equal(await page.getByRole('switch', { name: 'Watch' }).getAttribute('aria-checked'), 'true');
  assert.equal(new URL(page.url()).hash, '#ids=status-READY,demo-new');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.match(storage, /status-READY/);

  // A link wins: it replaces the saved list.
  const second = await open(`${server.url}/#ids=status-ERROR`, { context });
  assert.deepEqual(await second.page.locator('.dataset__id').allTextContents(), ['status-ERROR']);
  await page.close();
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(second.issues.pageErrors, []);
});

test('Remove all can be undone; Copy link gives the list\'s address', { timeout: 30_000 }, async () => {
  const { page, issues, context } = await open(`${server.url}/#ids=status-READY,status-PROCESSING`);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await badge(page, 'status-READY').filter({ hasText: 'READY' }).waitFor();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await waitUntil(async () => /Link copied/.test(await page.locator('#list-message').textContent()), { message: 'the copy' });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/#ids=status-READY,status-PROCESSING`);

  await page.getByRole('button', { name: 'Remove all' }).click();
  assert.equal(await page.locator('li.dataset').count(), 0);
  assert.equal(new URL(page.url()).hash, '');
  await page.getByRole('button', { name: 'Undo' }).click();
  assert.deepEqual(await page.locator('.dataset__id').allTextContents(), ['status-READY', 'status-PROCESSING']);
  // Put back as they were: no read needed to show their status again.
  assert.equal((await badge(page, 'status-READY').textContent()).trim(), 'READY');
  assert.equal(new URL(page.url()).hash, '#ids=status-READY,status-PROCESSING');
  assert.deepEqual(issues.pageErrors, []);
});

test('pasted app links, tabs, quotes and semicolons give ids; impossible ids are refused', { timeout: 30_000 }, async () => {
  const { page, issues } = await open(`${server.url}/`);
  const input = page.getByRole('textbox', { name: 'Add dataset ids' });
  await input.fill('https://app.prolific.com/researcher/workspaces/ws1/ai-task-builder/datasets/status-READY\t"status-ERROR";\'status-PROCESSING\' ../x');
  await input.press('Enter');
  await row(page, 'status-PROCESSING').waitFor();
  assert.deepEqual(await page.locator('.dataset__id').allTextContents(), ['status-READY', 'status-ERROR', 'status-PROCESSING']);
  const message = await page.locator('#add-message').textContent();
  assert.match(message, /Added 3 datasets \(1 from a link\)\./);
  assert.match(message, /Not a dataset id .*"\.\.\/x"/);
  // The refused piece stays in the field to be corrected.
  assert.match(await input.inputValue(), /\.\.\/x/);
  await input.fill('https://app.prolific.com/researcher/datasets/status-UNINITIALISED');
  await input.press('Enter');
  await badge(page, 'status-UNINITIALISED').filter({ hasText: 'UNINITIALISED' }).waitFor();
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});

test('direct mode: a 401 replaces the old results instead of sitting beside them', { timeout: 30_000 }, async () => {
  const other = await startMockProlific({ token: 'the-right-token' });
  closers.push(() => other.close());
  const { page, issues } = await open(`${server.url}/#ids=status-READY`);
  await badge(page, 'status-READY').filter({ hasText: 'READY' }).waitFor();
  await page.locator('#direct-details > summary').click();
  await page.getByLabel('API base URL').fill(other.url);
  await page.getByLabel('API token').fill('a-wrong-token');
  await page.getByRole('button', { name: 'Use direct mode' }).click();
  assert.equal(await page.locator('#mode-label').textContent(), 'Direct mode');
  await row(page, 'status-READY').locator('.dataset__problem').waitFor();
  assert.match(await row(page, 'status-READY').locator('.dataset__problem').innerText(), /Token rejected \(401\)/);
  assert.equal((await badge(page, 'status-READY').textContent()).trim(), 'Read failed', 'the old READY is gone');

  // Changing only the address keeps the token for the same origin, and asks for it for another.
  await page.getByLabel('API base URL').fill(other.url.replace('127.0.0.1', 'localhost'));
  await page.getByRole('button', { name: 'Update direct mode' }).click();
  assert.match(await page.locator('#direct-message').textContent(), /Type the token again/);
  await page.getByLabel('API base URL').fill(`${other.url}/`);
  await page.getByRole('button', { name: 'Update direct mode' }).click();
  assert.match(await page.locator('#direct-message').textContent(), /with the token you typed before/);
  assert.deepEqual(issues.pageErrors, []);
  await other.close();
});

test('when Watch finishes, the title shows the count and, if allowed, a desktop notification says so', { timeout: 30_000 }, async () => {
  mock.reset();
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  closers.push(() => context.close());
  await context.grantPermissions(['notifications'], { origin: server.url });
  // Records the notifications the page shows (the browser's own Notification still runs).
  await context.addInitScript(() => {
    const Original = window.Notification;
    window.__notifications = [];
    window.Notification = class extends Original {
      constructor(title, options) {
        super(title, options);
        window.__notifications.push({ title, body: options?.body });
      }
    };
  });
  const { page, issues } = await open(`${server.url}/#ids=status-READY,demo-ready`, { context });
  await page.getByLabel('Notify me when Watch finishes').check();
  await page.getByRole('switch', { name: 'Watch' }).click();
  await waitUntil(async () => (await page.getByRole('switch', { name: 'Watch' }).getAttribute('aria-checked')) === 'false',
    { timeout: 20_000, message: 'Watch to finish' });
  assert.equal(await page.title(), '✓ 2/2 ready · Prolific dataset status');
  const shown = await page.evaluate(() => window.__notifications);
  assert.equal(shown.length, 1);
  assert.match(shown[0].body, /Watch finished: 2 READY, 0 ERROR\. ✓ 2\/2 ready/);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});

test('one rule of "finished": the summary, the Watch line and the title agree; a 404 row is "Not found", not "Not read yet"', { timeout: 60_000 }, async () => {
  mock.reset();
  const ids = ['demo-ready', 'demo-slow', 'demo-error', 'demo-new', 'missing-one', 'missing-two'];
  const { page, issues } = await open(`${server.url}/#ids=${ids.join(',')}`);
  await page.getByRole('switch', { name: 'Watch' }).click();
  // demo-new never finishes; the other three finish by their data, the two 404s by the library's
  // final answer.
  await waitUntil(async () => /Watching: 5 of 6 datasets finished/.test(await page.locator('#watch-status').textContent()),
    { timeout: 20_000, message: 'Watch to count 5 of 6 finished' });
  const summary = await page.locator('#summary').textContent();
  assert.equal(summary, '6 datasets · 2 READY · 1 ERROR · 2 finished with a read error · 1 not finished');
  assert.equal(await page.locator('#watch-status').textContent(), 'Watching: 5 of 6 datasets finished (2 with a read error).');
  assert.match(await page.title(), /^\(5\/6\) /);
  for (const id of ['missing-one', 'missing-two']) {
    assert.equal((await badge(page, id).textContent()).trim(), 'Not found');
    assert.match(await row(page, id).locator('.dataset__problem').innerText(), /Not found \(404\)[^]*does not read it again/);
  }
  assert.equal((await badge(page, 'demo-new').textContent()).trim(), 'UNINITIALISED');
  await page.getByRole('switch', { name: 'Watch' }).click();
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});

test('the mock\'s ready-made V4 ids (null-status, no-status) show their import job, not a 404', { timeout: 30_000 }, async () => {
  mock.reset();
  const { page, issues } = await open(`${server.url}/#ids=null-status,no-status`);
  for (const id of ['null-status', 'no-status']) {
    await row(page, id).locator('.imports').waitFor({ timeout: 10_000 });
    assert.match((await badge(page, id).textContent()).trim(), /^V4 · /);
    assert.equal(await row(page, id).locator('.dataset__problem').isVisible(), false);
    assert.match(await row(page, id).locator('.imports').innerText(), /records\.jsonl/);
  }
  await page.getByRole('switch', { name: 'Watch' }).click();
  await waitUntil(async () => (await page.getByRole('switch', { name: 'Watch' }).getAttribute('aria-checked')) === 'false',
    { timeout: 15_000, message: 'Watch to finish' });
  assert.match(await page.locator('#watch-status').textContent(), /Watch finished: 0 READY, 0 ERROR, 2 V4 with every import done\./);
  assert.match(await page.locator('#summary').textContent(), /^2 datasets · 0 READY · 0 ERROR · 2 V4 with every import done$/);
  assert.deepEqual(issues.pageErrors, []);
  assert.deepEqual(issues.console, []);
});
