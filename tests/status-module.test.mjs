// The status-only entry (prolific-dataset-status/status) over the status-only WebAssembly module
// (dist/status/), in its Node form (src/js/status-node.js, the "node" condition) and as the
// minified browser bundle (dist/browser/status.js, over the stand-in over fetch() here): reads,
// waits, many reads, watches (V3 and V4), errors and cancellation, against the real mock API.
// Also: the bundles keep every error class's name, and their source maps resolve to src/js/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as statusNode from 'prolific-dataset-status/status';
import * as full from '../src/js/node.js';
import { startMock } from './support/mock.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ERROR_CLASSES = ['ProlificError', 'ProlificApiError', 'NetworkError', 'TimeoutError', 'InvalidResponseError',
  'DatasetProcessingError'];
const STATUS_NAMES = ['getDatasetStatus', 'waitForDataset', 'getDatasetStatuses', 'watchDatasets', 'createClient',
  'checkClientOptions', 'setWasmSource', 'DATASET_STATUSES', 'isTerminalStatus', 'TERMINAL_IMPORT_STATUSES',
  'loadModuleForDiagnostics', ...ERROR_CLASSES];
const LIFECYCLE_NAMES = ['createDataset', 'getDataset', 'getUploadUrl', 'uploadDatasetFile', 'getImportStatus',
  'waitForImport', 'uploadAndWait', 'MAX_UPLOAD_BYTES'];

let mock;
let options;
let statusBundle;
let fullBundle;

before(async () => {
  ({ mock, options } = await startMock());
  statusBundle = await import('../dist/browser/status.js');
  statusBundle.setWasmSource(readFileSync(path.join(ROOT, 'dist/status/prolific-dataset-status.wasm')));
  fullBundle = await import('../dist/browser/index.js');
  fullBundle.setWasmSource(readFileSync(path.join(ROOT, 'dist/prolific-dataset-status.wasm')));
});
after(() => mock.close());

const variants = [
  ['status entry for Node (status-node.js)', () => statusNode],
  ['minified browser bundle dist/browser/status.js', () => statusBundle],
];

for (const [label, entry] of variants) {
  describe(`prolific-dataset-status/status: ${label}`, () => {
    test('exports the status functions and none of the lifecycle calls', () => {
      const pkg = entry();
      assert.deepEqual(Object.keys(pkg).sort(), [...STATUS_NAMES].sort());
      for (const name of LIFECYCLE_NAMES) assert.equal(name in pkg, false, name);
      assert.deepEqual(Object.keys(pkg.createClient(options)).sort(),
        ['getDatasetStatus', 'getDatasetStatuses', 'waitForDataset', 'watchDatasets']);
    });

    test('runs on the status-only module, which refuses the lifecycle kinds', async () => {
      const module = await entry().loadModuleForDiagnostics();
      const answer = await module.startOperation({ operationId: 99, kind: 'createDataset', ...options, name: 'x',
        workspaceId: 'y' });
      assert.deepEqual([answer.ok, answer.error.kind, answer.error.message], [false, 'invalid_argument',
        'unknown request kind']);
      const importJob = await module.startOperation({ operationId: 97, kind: 'importStatus', ...options,
        datasetId: 'v4-ready', importId: 'x' });
      assert.deepEqual([importJob.ok, importJob.error.message], [false, 'unknown request kind']);
      const full = await module.startOperation({ operationId: 98, kind: 'datasetStatus', datasetId: 'status-READY',
        ...options });
      assert.deepEqual([full.ok, full.status], [true, 'READY']);
    });

    test('getDatasetStatus reads statuses, and maps API errors to the error classes', async () => {
      const pkg = entry();
      assert.deepEqual(await pkg.getDatasetStatus('status-PROCESSING', options),
        { datasetId: 'status-PROCESSING', status: 'PROCESSING' });
      assert.deepEqual(await pkg.getDatasetStatus('null-status', options), { datasetId: 'null-status', status: null });
      const error = await pkg.getDatasetStatus('http-404', options).then(() => assert.fail('resolved'), (e) => e);
      assert.ok(error instanceof pkg.ProlificApiError);
      assert.equal(error.name, 'ProlificApiError');
      assert.equal(error.httpStatus, 404);
      const invalid = await pkg.getDatasetStatus('wrong-type', options).then(() => assert.fail('resolved'), (e) => e);
      assert.equal(invalid.name, 'InvalidResponseError');
      await assert.rejects(pkg.getDatasetStatus('', options), TypeError);
      await assert.rejects(pkg.getDatasetStatus('status-READY', { ...options, uploadTimeoutMs: 1 }), TypeError);
      assert.deepEqual(await pkg.getDatasetStatus('flaky-1', options), { datasetId: 'flaky-1', status: 'READY' });
    });

    test('waitForDataset polls to READY and rejects ERROR with DatasetProcessingError', async () => {
      const pkg = entry();
      const seen = [];
      const ready = await pkg.waitForDataset('demo-ready', { ...options, intervalMs: 20, maxIntervalMs: 40,
        onStatus: (result) => seen.push(result.status) });
      assert.deepEqual(ready, { datasetId: 'demo-ready', status: 'READY' });
      assert.equal(seen.at(-1), 'READY');
      const error = await pkg.waitForDataset('demo-error', { ...options, intervalMs: 20, maxIntervalMs: 40 })
        .then(() => assert.fail('resolved'), (e) => e);
      assert.equal(error.name, 'DatasetProcessingError');
      assert.equal(error.status, 'ERROR');
    });

    test('getDatasetStatuses keeps order and per-id errors', async () => {
      const results = await entry().getDatasetStatuses(['status-READY', 'http-404', 'status-ERROR', ''], options);
      assert.deepEqual(results.map((r) => r.status ?? r.error.name),
        ['READY', 'ProlificApiError', 'ERROR', 'TypeError']);
    });

    test('watchDatasets finishes V3 datasets by status and V4 ones by their import jobs', async () => {
      const updates = [];
      const results = await entry().watchDatasets(['demo-ready', 'null-status', 'http-404'], {
        ...options, intervalMs: 20, maxIntervalMs: 40, onUpdate: (update) => updates.push(update),
      });
      assert.equal(results[0].status, 'READY');
      assert.equal(results[1].status, null);
      assert.ok(results[1].imports.length >= 1);
      assert.ok(results[1].imports.every((job) => job.status === 'complete'));
      assert.equal(results[2].error.name, 'ProlificApiError');
      assert.ok(updates.some((update) => update.datasetId === 'demo-ready' && update.terminal));
    });

    test('an AbortSignal rejects with its reason', async () => {
      const controller = new AbortController();
      const waiting = entry().waitForDataset('demo-new', { ...options, intervalMs: 20, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop')), 50);
      await assert.rejects(waiting, { message: 'stop' });
    });

    test('leaves no operation running and no embind handle behind', async () => {
      const module = await entry().loadModuleForDiagnostics();
      assert.equal(module.heapStats().operations, 0);
      assert.equal(module.count_emval_handles(), 0);
    });
  });
}

describe('the minified browser bundles', () => {
  test('every error class keeps its name, and so do the errors thrown', async () => {
    for (const pkg of [statusBundle, fullBundle]) {
      for (const name of ERROR_CLASSES) {
        assert.equal(pkg[name].name, name);
        assert.equal(new pkg[name]('x', {}).name, name);
      }
      const error = await pkg.getDatasetStatus('http-500', { ...options, maxRetries: 0 }).then(() => assert.fail(), (e) => e);
      assert.equal(error.name, 'ProlificApiError');
      assert.ok(error instanceof pkg.ProlificError);
    }
  });

  test('the full bundle has the whole API of the full Node entry', () => {
    assert.deepEqual(Object.keys(fullBundle).sort(), Object.keys(full).sort());
  });

  test('each source map names only files of src/js/ and its module\'s glue, and each of them exists', () => {
    for (const [bundle, glue, wasm] of [
      ['index.js', 'dist/prolific-dataset-status.mjs', '../prolific-dataset-status.wasm'],
      ['status.js', 'dist/status/prolific-dataset-status.mjs', '../status/prolific-dataset-status.wasm']]) {
      const file = path.join(ROOT, 'dist/browser', bundle);
      assert.match(readFileSync(file, 'utf8'), new RegExp(`//# sourceMappingURL=${bundle}\\.map\\s*$`));
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
      assert.equal(map.version, 3);
      assert.ok(map.sources.length >= 5);
      assert.ok(map.mappings.length > 0);
      for (const source of map.sources) {
        const resolved = path.resolve(path.dirname(file), map.sourceRoot ?? '', source);
        if (resolved !== path.join(ROOT, glue)) assert.equal(path.dirname(resolved), path.join(ROOT, 'src/js'), source);
        assert.ok(existsSync(resolved), source);
      }
      // The glue is inside the bundle (scripts/bundle.mjs), its .wasm named from dist/browser/.
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /prolific-dataset-status\.mjs/);
      assert.ok(text.includes(`new URL("${wasm}",import.meta.url)`), bundle);
      assert.ok(existsSync(path.resolve(path.dirname(file), wasm)), wasm);
      // The name the bundle writes for ProlificApiError maps back to its line in src/js/errors.js.
      const offset = text.indexOf('"ProlificApiError"]');
      assert.notEqual(offset, -1);
      const before = text.slice(0, offset).split('\n');
      const entry = new SourceMap(map).findEntry(before.length - 1, before.at(-1).length);
      assert.equal(path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, '')),
        path.join(ROOT, 'src/js/errors.js'));
      const line = readFileSync(path.join(ROOT, 'src/js/errors.js'), 'utf8').split('\n')[entry.originalLine];
      assert.match(line, /ProlificApiError, 'ProlificApiError'/);
    }
  });
});
