// The package through bundlers: what a minifier does to it must not change what users see.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const ERROR_CLASSES = ['ProlificError', 'ProlificApiError', 'NetworkError', 'TimeoutError', 'InvalidResponseError',
  'DatasetProcessingError'];

test('a minified bundle keeps the class names of its errors in error.name', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prolific-minified-'));
  try {
    const outfile = path.join(dir, 'bundle.mjs');
    await build({
      entryPoints: [path.join(ROOT, 'src/js/index.js')], bundle: true, minify: true, format: 'esm',
      platform: 'browser', outfile, logLevel: 'silent', external: ['*.wasm'],
    });
    const bundle = await import(pathToFileURL(outfile).href);
    const renamed = ERROR_CLASSES.filter((name) => bundle[name].name !== name);
    assert.ok(renamed.length > 0, 'the minifier renamed the classes (otherwise this test shows nothing)');
    for (const name of ERROR_CLASSES) {
      const ErrorClass = bundle[name];
      const error = new ErrorClass('message', { httpStatus: 500, timeoutMs: 1, datasetId: 'd', status: 'ERROR',
        bodySnippet: '' });
      assert.equal(error.name, name);
      assert.ok(error instanceof bundle.ProlificError);
      assert.match(String(error), new RegExp(`^${name}: message`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
