// The package through bundlers, the way README's "Runtimes and bundlers" shows: an esbuild ESM
// bundle, a Vite build and a webpack build of a page, each run in headless Chromium against the
// real mock Prolific API (a status read, a waitForDataset, a redirect to another origin that must
// never carry the token); and what a minifier does to the error classes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { chromium } from 'playwright-core';
import { TOKEN, startMock } from './support/mock.mjs';
import { assertNoTokenCrossedOrigins, startCrossOriginRedirect } from './support/cross-origin.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const PAGES = path.join(ROOT, 'tests/bundlers');
const ERROR_CLASSES = ['ProlificError', 'ProlificApiError', 'NetworkError', 'TimeoutError', 'InvalidResponseError',
  'DatasetProcessingError'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const page = (script, type = 'module') => `<!doctype html><meta charset="utf-8"><title>bundle</title>
<script type="${type}" src="./${script}"></script>`;

let dir;
let mock;
let crossOrigin;
let browser;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'prolific-bundlers-'));
  ({ mock } = await startMock());
  crossOrigin = await startCrossOriginRedirect();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await crossOrigin?.close();
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Serves `folder` on loopback, opens its index.html in Chromium and runs the page's checks. */
async function runPage(folder) {
  const server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://localhost').pathname;
    const file = path.join(folder, path.normalize(pathname === '/' ? '/index.html' : pathname));
    if (!file.startsWith(folder) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(await readFile(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  try {
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => typeof globalThis.runChecks === 'function', null, { timeout: 30000 });
    const outcome = await tab.evaluate((input) => globalThis.runChecks(input),
      { baseUrl: mock.url, redirectUrl: crossOrigin.redirectUrl, token: TOKEN });
    assert.deepEqual(errors, []);
    assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    assert.deepEqual(outcome.read, { datasetId: 'status-READY', status: 'READY' });
    assert.deepEqual(outcome.waited, { datasetId: 'demo-ready', status: 'READY' });
    assertNoTokenCrossedOrigins(assert, outcome.redirected, crossOrigin.leaked);
  } finally {
    await tab.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('an esbuild ESM bundle of a page (the .wasm imported with the file loader, handed over by setWasmSource)', async () => {
  const outdir = path.join(dir, 'esbuild');
  await build({
    entryPoints: [path.join(PAGES, 'page-esbuild.mjs')], bundle: true, format: 'esm', platform: 'browser',
    loader: { '.wasm': 'file' }, outdir, logLevel: 'warning',
  });
  await writeFile(path.join(outdir, 'index.html'), page('page-esbuild.js'));
  await runPage(outdir);
});

test('a Vite build of a page, with no configuration for the package', async () => {
  const outDir = path.join(dir, 'vite');
  await viteBuild({ root: PAGES, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  await runPage(outDir);
});

test('a webpack build of a page, with no configuration for the package', async () => {
  const outdir = path.join(dir, 'webpack');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', target: 'web', entry: path.join(PAGES, 'page.mjs'),
    output: { path: outdir, filename: 'main.js' },
  }, (error, result) => (error ? reject(error) : resolve(result))));
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  await writeFile(path.join(outdir, 'index.html'), page('main.js', 'text/javascript'));
  await runPage(outdir);
});

test('an esbuild bundle for Node finds its .wasm through setWasmSource, and says so when it cannot', async () => {
  const outfile = path.join(dir, 'node', 'app.mjs');
  await build({
    entryPoints: [path.join(PAGES, 'node-app.mjs')], bundle: true, format: 'esm', platform: 'node', outfile,
    logLevel: 'warning',
  });
  const run = async (wasm) => JSON.parse((await promisify(execFile)(process.execPath,
    [outfile, wasm, mock.url, TOKEN], { cwd: dir })).stdout);
  assert.deepEqual(await run(path.join(ROOT, 'dist/prolific-dataset-status.wasm')),
    { datasetId: 'status-READY', status: 'READY' });
  const missing = await run('-');
  assert.equal(missing.name, 'ProlificError');
  assert.match(missing.message, /setWasmSource/);
});

test('a minified bundle keeps the class names of its errors in error.name', async () => {
  const outfile = path.join(dir, 'minified', 'bundle.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'src/js/index.js')], bundle: true, minify: true, format: 'esm',
    platform: 'browser', outfile, logLevel: 'silent', loader: { '.wasm': 'file' },
  });
  const bundle = await import(pathToFileURL(outfile).href);
  const text = readFileSync(outfile, 'utf8');
  const renamed = ERROR_CLASSES.filter((name) => !new RegExp(`class ${name}\\b`).test(text));
  assert.ok(renamed.length > 0, 'the minifier renamed the classes (otherwise this test shows nothing)');
  for (const name of ERROR_CLASSES) {
    const ErrorClass = bundle[name];
    assert.equal(ErrorClass.name, name);
    const error = new ErrorClass('message', { httpStatus: 500, timeoutMs: 1, datasetId: 'd', status: 'ERROR',
      bodySnippet: '' });
    assert.equal(error.name, name);
    assert.ok(error instanceof bundle.ProlificError);
    assert.match(String(error), new RegExp(`^${name}: message`));
  }
});
