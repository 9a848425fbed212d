// The package in Cloudflare's Workers runtime (workerd, through Miniflare): a Worker that imports
// 'prolific-dataset-status' is bundled by esbuild (the "workerd" export condition, the .wasm kept
// as a module that workerd compiles), then reads a status, waits for a dataset and follows a
// cross-origin redirect against the real mock Prolific API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { TOKEN, startMock } from './support/mock.mjs';
import { assertNoTokenCrossedOrigins, startCrossOriginRedirect } from './support/cross-origin.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
let mock;
let crossOrigin;
let outdir;

before(async () => {
  ({ mock } = await startMock());
  crossOrigin = await startCrossOriginRedirect();
  outdir = await mkdtemp(path.join(os.tmpdir(), 'prolific-workerd-'));
});

after(async () => {
  await mock.close();
  await crossOrigin.close();
  await rm(outdir, { recursive: true, force: true });
});

test('a Worker bundled by esbuild reads statuses in workerd, and no redirect carries the token away', async () => {
  // What Wrangler does for a Worker: ESM, the workerd/worker conditions, .wasm files kept as modules.
  await build({
    entryPoints: [path.join(ROOT, 'tests/workerd/worker.mjs')], bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], loader: { '.wasm': 'copy' },
    outdir, logLevel: 'warning',
  });
  assert.ok((await readdir(outdir)).some((file) => file.endsWith('.wasm')), 'the .wasm was kept as a module');
  const miniflare = new Miniflare({
    modules: true, modulesRoot: outdir, scriptPath: path.join(outdir, 'worker.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    bindings: { PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url }, compatibilityDate: '2025-01-01',
  });
  try {
    const query = new URLSearchParams({ base: mock.url, redirect: crossOrigin.redirectUrl });
    const response = await miniflare.dispatchFetch(`http://worker.test/?${query}`);
    const outcome = await response.json();
    assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    assert.deepEqual(outcome.read, { datasetId: 'status-READY', status: 'READY' });
    assert.deepEqual(outcome.waited, { datasetId: 'demo-ready', status: 'READY' });
    assertNoTokenCrossedOrigins(assert, outcome.redirected, crossOrigin.leaked);
    // README's snippet: the token and base URL from the Worker's environment.
    const readme = await miniflare.dispatchFetch('http://worker.test/?id=demo-ready');
    assert.deepEqual(await readme.json(), { status: 'READY' });
  } finally {
    await miniflare.dispose();
  }
});

test('prolific-dataset-status/status in workerd: its own entry imports the status-only .wasm as a module', async () => {
  const statusOutdir = path.join(outdir, 'status');
  await build({
    entryPoints: [path.join(ROOT, 'tests/workerd/status-worker.mjs')], bundle: true, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], loader: { '.wasm': 'copy' },
    outdir: statusOutdir, logLevel: 'warning', metafile: true, absWorkingDir: ROOT,
  }).then(({ metafile }) => {
    const inputs = Object.keys(metafile.inputs);
    assert.ok(inputs.includes('src/js/status-worker.js'), inputs.join(' '));
    assert.ok(!inputs.includes('src/js/lifecycle.js'));
    assert.ok(inputs.includes('dist/status/prolific-dataset-status.wasm'));
  });
  const miniflare = new Miniflare({
    modules: true, modulesRoot: statusOutdir, scriptPath: path.join(statusOutdir, 'status-worker.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    bindings: { PROLIFIC_TOKEN: TOKEN }, compatibilityDate: '2025-01-01',
  });
  try {
    const query = new URLSearchParams({ base: mock.url, redirect: crossOrigin.redirectUrl });
    const outcome = await (await miniflare.dispatchFetch(`http://worker.test/?${query}`)).json();
    assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
    assert.deepEqual(outcome.read, { datasetId: 'status-READY', status: 'READY' });
    assert.deepEqual(outcome.waited, { datasetId: 'demo-ready', status: 'READY' });
    assertNoTokenCrossedOrigins(assert, outcome.redirected, crossOrigin.leaked);
    assert.deepEqual(outcome.watched, [{ datasetId: 'status-READY', status: 'READY' },
      { datasetId: 'null-status', status: null }]);
    assert.equal(outcome.lifecycle, false);
  } finally {
    await miniflare.dispose();
  }
});
