// An AbortSignal ends a call at once even while the WebAssembly module is still downloading:
// the .wasm answer is held back until the page has seen the rejection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server;
let browser;

before(async () => {
  server = await startServer({ port: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('abort while the module loads rejects with the reason before the module arrives', async () => {
  const page = await browser.newPage();
  let releaseWasm;
  const wasmHeld = new Promise((resolve) => { releaseWasm = resolve; });
  let wasmRequested;
  const wasmAsked = new Promise((resolve) => { wasmRequested = resolve; });
  await page.route('**/*.wasm', async (route) => {
    wasmRequested();
    await wasmHeld;
    await route.continue();
  });
  try {
    await page.goto(`${server.url}/`);
    await page.evaluate(() => {
      window.outcome = (async () => {
        const { getDatasetStatus } = await import('/pkg/src/js/index.js');
        const controller = new AbortController();
        const call = getDatasetStatus('status-READY', { baseUrl: location.origin, signal: controller.signal });
        window.abortNow = () => controller.abort();
        try {
          await call;
          return 'resolved';
        } catch (error) {
          return error.name;
        }
      })();
    });
    await wasmAsked;
    await page.evaluate(() => window.abortNow());
    const outcome = await Promise.race([
      page.evaluate(() => window.outcome),
      new Promise((resolve) => setTimeout(() => resolve('still pending while the module loads'), 10000)),
    ]);
    assert.equal(outcome, 'AbortError');
    releaseWasm();
    // The module still loads for later calls.
    const later = await page.evaluate(async () => {
      const { getDatasetStatus } = await import('/pkg/src/js/index.js');
      return (await getDatasetStatus('status-READY', { baseUrl: location.origin })).status;
    });
    assert.equal(later, 'READY');
  } finally {
    releaseWasm();
    await page.close();
  }
});
