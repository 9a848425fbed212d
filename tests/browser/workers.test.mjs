// The browser entry in a Chromium service worker (no XMLHttpRequest there, and no dynamic
// import()) and in a module Worker, against the real mock Prolific API: the checks of
// tests/runtimes/outcome.mjs, a cross-origin redirect included. Headless Chromium from the system.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TOKEN, startMock } from '../support/mock.mjs';
import { assertNoTokenCrossedOrigins, startCrossOriginRedirect } from '../support/cross-origin.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

// The worker scripts: the package and the checks, imported statically (a service worker may not
// use import()); they answer a message with the outcome.
const WORKER = (reply) => `
import * as pkg from '/src/js/index.js';
import { runChecks } from '/tests/runtimes/outcome.mjs';
self.addEventListener('message', async (event) => {
  const outcome = await runChecks(pkg, event.data);
  ${reply}
});
`;
const PAGE = '<!doctype html><meta charset="utf-8"><title>workers</title><p>workers</p>';

let mock;
let crossOrigin;
let server;
let origin;
let browser;

before(async () => {
  ({ mock } = await startMock());
  crossOrigin = await startCrossOriginRedirect();
  // Serves the repository's src/js, dist and tests/runtimes, plus the page and the worker scripts.
  server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const generated = { '/': PAGE, '/sw.js': WORKER('event.source.postMessage(outcome);'),
      '/worker.js': WORKER('self.postMessage(outcome);') };
    if (pathname in generated) {
      res.writeHead(200, { 'content-type': pathname === '/' ? 'text/html' : 'text/javascript' });
      res.end(generated[pathname]);
      return;
    }
    const allowed = ['/src/js/', '/dist/', '/tests/runtimes/'].some((prefix) => pathname.startsWith(prefix));
    const file = path.join(ROOT, path.normalize(pathname));
    if (!allowed || !file.startsWith(ROOT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await crossOrigin?.close();
  await mock?.close();
});

function settings() {
  return { baseUrl: mock.url, redirectUrl: crossOrigin.redirectUrl, token: TOKEN };
}

function assertOutcome(outcome) {
  assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
  assert.deepEqual(outcome.read, { datasetId: 'status-READY', status: 'READY' });
  assert.deepEqual(outcome.waited, { datasetId: 'demo-ready', status: 'READY' });
  assertNoTokenCrossedOrigins(assert, outcome.redirected, crossOrigin.leaked);
}

test('the browser entry works in a service worker (stand-in over fetch(), static imports only)', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    const outcome = await page.evaluate(async (input) => {
      const registration = await navigator.serviceWorker.register('/sw.js', { type: 'module' });
      const worker = registration.installing ?? registration.waiting ?? registration.active;
      return new Promise((resolve, reject) => {
        navigator.serviceWorker.addEventListener('message', (event) => resolve(event.data));
        worker.addEventListener('error', reject);
        worker.postMessage(input);
      });
    }, settings());
    assertOutcome(outcome);
  } finally {
    await page.close();
  }
});

test('the browser entry works in a module Worker', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    const outcome = await page.evaluate((input) => new Promise((resolve, reject) => {
      const worker = new Worker('/worker.js', { type: 'module' });
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage(input);
    }), settings());
    assertOutcome(outcome);
  } finally {
    await page.close();
  }
});
