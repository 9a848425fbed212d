// Contract tests against docs/openapi/prolific-datasets.yaml, the OpenAPI document written from
// Prolific's published reference. Two independent checks:
//  1. every answer of our mock that claims to be a valid answer is validated against the document
//     with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses);
//  2. the client runs against Stoplight Prism serving the document in dynamic mode (random
//     schema-valid answers), at least 200 calls per endpoint, with Prism's request validation
//     turned into errors (--errors), so a request the document does not allow fails the call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import {
  createDataset, getDataset, getDatasetStatus, getImportStatus, getUploadUrl,
  LIFECYCLE_SKIP,
} from './support/entry.mjs';
import { TOKEN, sleep, startMock } from './support/mock.mjs';
import { fixedDatasetUuid } from '../scripts/mock-prolific.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCUMENT_PATH = `${ROOT}docs/openapi/prolific-datasets.yaml`;
const PRISM = `${ROOT}node_modules/@stoplight/prism-cli/dist/index.js`;
const DATASETS = '/api/v1/data-collection/datasets';
const CALLS_PER_ENDPOINT = 200;
const document = parseYaml(await readFile(DOCUMENT_PATH, 'utf8'));

/** The document's operation for an OpenAPI path template and method. */
function operation(pathTemplate, method) {
  const found = document.paths[pathTemplate]?.[method];
  assert.ok(found, `the document has no ${method.toUpperCase()} ${pathTemplate}`);
  return found;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'prolific-datasets', components: document.components }, 'prolific-datasets');

/**
 * Validates one HTTP answer against what the document says `method pathTemplate` answers with
 * that status (an exact code, else its class, 4XX or 5XX).
 * @returns {string[]} the problems found; empty when the answer is valid
 */
function problemsOf(pathTemplate, method, { status, contentType, body }) {
  const { responses } = operation(pathTemplate, method);
  const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
  if (!response) return [`HTTP ${status} is not a documented answer`];
  const resolved = response.$ref ? document.components.responses[response.$ref.split('/').pop()] : response;
  const media = resolved.content?.['application/json'];
  if (!media) return body === '' ? [] : ['a body where the document gives none'];
  if (!/^application\/json\b/.test(contentType ?? '')) return [`Content-Type ${contentType}, not application/json`];
  let value;
  try {
    value = JSON.parse(body);
  } catch {
    return ['the body is not JSON'];
  }
  const ref = media.schema.$ref ?? null;
  const validate = ref ? ajv.getSchema(`prolific-datasets${ref}`) : ajv.compile(media.schema);
  if (validate(value)) return [];
  return validate.errors.map((error) => `${error.instancePath || '/'} ${error.message} (${error.schemaPath})`);
}

describe('the mock answers exactly the documented shapes (ajv)', () => {
  let mock;
  let options;
  const checked = [];

  before(async () => ({ mock, options } = await startMock({ timeScale: 0.01 })));
  after(() => mock.close());

  /** Sends a request to the mock and validates its answer against `pathTemplate`. */
  async function check(name, pathTemplate, method, path, { body, headers = {} } = {}) {
    const response = await fetch(`${mock.url}${path}`, {
      method: method.toUpperCase(),
      headers: { Authorization: `Token ${TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
    const problems = problemsOf(pathTemplate, method, answer);
    assert.deepEqual(problems, [], `${name}: ${method.toUpperCase()} ${path} → ${answer.status} ${answer.body.slice(0, 300)}`);
    checked.push(name);
    return { status: answer.status, value: answer.body === '' ? undefined : JSON.parse(answer.body) };
  }

  const STATUS = `${DATASETS}/{dataset_id}/status`;
  const DATASET = `${DATASETS}/{dataset_id}`;
  const UPLOAD_URL = `${DATASETS}/{dataset_id}/upload-url/{filename}`;
  const IMPORT = `${DATASETS}/{dataset_id}/imports/{import_id}`;

  test('/status: demo, fixed, null and absent statuses, and every error scenario with the error body', async () => {
    const valid = ['demo-ready', 'demo-slow', 'demo-error', 'demo-new', 'status-UNINITIALISED', 'status-PROCESSING',
      'status-READY', 'status-ERROR', 'null-status', 'no-status', 'http-400', 'http-404', 'http-429', 'http-500',
      'http-503', 'detail-array', 'detail-object', 'error-traceback', 'echo-token', 'hostile', 'rate-limited-1',
      'retry-after-date', 'retry-after-garbage', 'flaky-1', 'flaky429-1', 'no-such-dataset'];
    for (const id of valid) {
      await check(id, STATUS, 'get', `${DATASETS}/${encodeURIComponent(id)}/status`);
    }
    // The demo timelines move through every documented status (the clocks start at the first
    // read; a slower clock here, so that a loaded machine still reads every phase).
    const slower = await startMock({ timeScale: 0.1 });
    try {
      for (const [id, last] of [['demo-slow', 'READY'], ['demo-error', 'ERROR']]) {
        const seen = new Set();
        for (let i = 0; i < 2000 && !seen.has(last); i++) {
          const response = await fetch(`${slower.mock.url}${DATASETS}/${id}/status`, { headers: { Authorization: `Token ${TOKEN}` } });
          const answer = { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
          assert.deepEqual(problemsOf(STATUS, 'get', answer), [], `${id}: ${answer.body}`);
          seen.add(JSON.parse(answer.body).status);
          await sleep(20);
        }
        assert.deepEqual([...seen], ['UNINITIALISED', 'PROCESSING', last]);
      }
    } finally {
      await slower.mock.close();
    }
    await check('demo dataset by its UUID', STATUS, 'get', `${DATASETS}/${fixedDatasetUuid('demo-ready')}/status`);
    await check('no token', STATUS, 'get', `${DATASETS}/demo-ready/status`, { headers: { Authorization: '' } });
    await check('wrong token', STATUS, 'get', `${DATASETS}/demo-ready/status`, { headers: { Authorization: 'Token nope' } });
  });

  test('the dataset lifecycle: created datasets, upload URLs, import jobs in every state, and their errors', async () => {
    const v3 = (await check('create V3', DATASETS, 'post', DATASETS, { body: { name: 'R', workspace_id: 'ws' } })).value;
    const v4 = (await check('create V4', DATASETS, 'post', DATASETS,
      { body: { name: 'T', workspace_id: 'ws', schema: { fields: [{ name: 'text' }] } } })).value;
    const pending = (await check('create V4, empty schema', DATASETS, 'post', DATASETS,
      { body: { name: 'E', workspace_id: 'ws', schema: {} } })).value;
    await check('create, refused', DATASETS, 'post', DATASETS, { body: { name: '' } });
    await check('V3 dataset', DATASET, 'get', `${DATASETS}/${v3.id}`);
    await check('V4 dataset, no imports', DATASET, 'get', `${DATASETS}/${v4.id}`);
    await check('V4 status (null)', STATUS, 'get', `${DATASETS}/${v4.id}/status`);
    const demo = (await check('demo dataset', DATASET, 'get', `${DATASETS}/demo-ready`)).value;
    assert.equal(demo.id, fixedDatasetUuid('demo-ready'));
    await check('demo dataset by its UUID', DATASET, 'get', `${DATASETS}/${demo.id}`);
    await check('fixed dataset', DATASET, 'get', `${DATASETS}/status-READY`);
    for (const id of ['null-status', 'no-status']) {
      const fixedV4 = (await check(`${id} dataset (V4)`, DATASET, 'get', `${DATASETS}/${id}`)).value;
      assert.equal(fixedV4.schema_version, 4);
      assert.equal(fixedV4.id, fixedDatasetUuid(id));
      assert.ok(fixedV4.imports.length >= 1, `${id} lists an import job`);
      await check(`${id} dataset by its UUID`, DATASET, 'get', `${DATASETS}/${fixedV4.id}`);
      await check(`${id} import job`, IMPORT, 'get', `${DATASETS}/${id}/imports/${fixedV4.imports[0].import_id}`);
      await check(`${id} status by its UUID`, STATUS, 'get', `${DATASETS}/${fixedV4.id}/status`);
    }
    await check('unknown dataset', DATASET, 'get', `${DATASETS}/no-such-dataset`);
    await check('V3 upload URL', UPLOAD_URL, 'get', `${DATASETS}/${v3.id}/upload-url/a.csv`);
    await check('upload URL, refused type', UPLOAD_URL, 'get', `${DATASETS}/${v4.id}/upload-url/a.txt`);

    const files = {
      'complete.jsonl': '{"text":"a"}\n{"text":"b"}\n',
      'partial.jsonl': '{"text":"c"}\nnot json\n[1]\n{"text":null}\n{"text":"c"}\n',
      'failed.jsonl': 'x\ny\n',
      'rows.csv': 'text,label\nhello,1\nbad\n',
    };
    const jobs = [];
    for (const [filename, data] of Object.entries(files)) {
      const target = (await check(`V4 upload URL ${filename}`, UPLOAD_URL, 'get', `${DATASETS}/${v4.id}/upload-url/${filename}`)).value;
      await check(`${filename} uninitialised`, IMPORT, 'get', `${DATASETS}/${v4.id}/imports/${target.import_id}`);
      const put = await fetch(target.upload_url, { method: 'PUT', headers: { 'Content-Type': target.content_type }, body: data });
      assert.equal(put.status, 200);
      jobs.push([v4.id, target.import_id]);
    }
    const onHold = (await check('pending upload URL', UPLOAD_URL, 'get', `${DATASETS}/${pending.id}/upload-url/a.csv`)).value;
    await fetch(onHold.upload_url, { method: 'PUT', headers: { 'Content-Type': onHold.content_type }, body: 'text\nhi\n' });
    jobs.push([pending.id, onHold.import_id]);

    const statuses = new Set();
    const deadline = Date.now() + 30_000;
    for (const [datasetId, importId] of jobs) {
      for (;;) {
        const job = (await check('import job', IMPORT, 'get', `${DATASETS}/${datasetId}/imports/${importId}`)).value;
        statuses.add(job.status);
        if (['complete', 'partial', 'failed', 'pending_schema'].includes(job.status)) break;
        assert.ok(Date.now() < deadline, 'the mock\'s import jobs end within 30 s');
        await sleep(5);
      }
    }
    for (const status of ['complete', 'partial', 'failed', 'pending_schema']) assert.ok(statuses.has(status), status);
    const listed = (await check('V4 dataset with import jobs', DATASET, 'get', `${DATASETS}/${v4.id}`)).value;
    assert.equal(listed.imports.length, 4);
    const partial = listed.imports.find((job) => job.filename === 'partial.jsonl');
    assert.deepEqual(partial.errors, [
      { record_index: 1, reason: 'The line is not valid JSON.' },
      { record_index: 2, reason: 'The record is not a JSON object.' },
      { record_index: 3, field: 'text', reason: 'The value must not be null.' },
    ]);
    assert.equal(partial.duplicate_count, 1);
    await check('unknown import job', IMPORT, 'get', `${DATASETS}/${v4.id}/imports/00000000-0000-4000-8000-000000000000`);
  });

  test('the validator refuses an answer that drifts from the document', () => {
    // The validation itself is checked, so the tests above cannot pass by accepting anything.
    const drifted = [
      [`${DATASETS}/{dataset_id}/status`, { status: 200, body: '{"status":"DONE"}' }],
      [`${DATASETS}/{dataset_id}/status`, { status: 200, body: '{"status":5}' }],
      [`${DATASETS}/{dataset_id}/imports/{import_id}`, {
        status: 200, body: JSON.stringify({ import_id: 'x', dataset_id: 'd', type: 'jsonl', status: 'partial',
          created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', errors: [{ row: 1, message: 'bad' }] }),
      }],
      [`${DATASETS}/{dataset_id}`, { status: 200, body: JSON.stringify({ id: 'dataset-0001', name: 'n' }) }],
      [`${DATASETS}/{dataset_id}/status`, { status: 404, body: '{"message":"Not found"}' }],
    ];
    for (const [pathTemplate, answer] of drifted) {
      const problems = problemsOf(pathTemplate, 'get', { contentType: 'application/json', ...answer });
      assert.notDeepEqual(problems, [], answer.body);
    }
    assert.ok(checked.length > 50, `${checked.length} answers validated`);
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts Prism in dynamic mode on a free port; resolves once it answers HTTP. */
async function startPrism() {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'mock', '--dynamic', '--errors', '--host', '127.0.0.1',
    '--port', String(port), DOCUMENT_PATH], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Prism exited (${child.exitCode}):\n${log}`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`Prism did not listen within 90 s:\n${log}`);
      }
      await sleep(200);
    }
  }
  return {
    url,
    log: () => log,
    async close() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

/** Runs `call(i)` for i in 0…count-1, `concurrency` at a time; resolves with every settled result. */
async function many(count, concurrency, call) {
  const results = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        results[index] = { value: await call(index) };
      } catch (error) {
        results[index] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Asserts that every call resolved, showing the first failures. */
function assertAllResolved(name, results) {
  const failures = results.filter((result) => 'error' in result).map((result) => String(result.error?.message ?? result.error));
  assert.equal(failures.length, 0, `${name}: ${failures.length}/${results.length} calls failed, e.g.\n${failures.slice(0, 3).join('\n')}`);
  assert.equal(results.length, CALLS_PER_ENDPOINT);
}

const RECORD_LINE = /^record \d+(, field ".*")?: /s;

describe('the client against Prism serving the document (dynamic answers, request validation)', { timeout: 240_000 }, () => {
  let prism;
  let options;
  const datasetId = '5f7b5e9a-3f3c-4b3e-8f1a-1a2b3c4d5e6f';
  const importId = '01935c2d-1a2b-3c4d-5e6f-7a8b9c0d1e2f';

  before(async () => {
    prism = await startPrism();
    options = { token: TOKEN, baseUrl: prism.url, maxRetries: 0, timeoutMs: 20_000 };
  });
  after(() => prism?.close());

  test(`getDatasetStatus accepts every dynamic answer (${CALLS_PER_ENDPOINT} calls), null included`, async () => {
    const results = await many(CALLS_PER_ENDPOINT, 8, () => getDatasetStatus(datasetId, options));
    assertAllResolved('getDatasetStatus', results);
    const statuses = new Set(results.map((result) => result.value.status));
    for (const status of statuses) assert.ok(status === null || ['UNINITIALISED', 'PROCESSING', 'READY', 'ERROR'].includes(status), String(status));
    assert.ok(statuses.has(null), 'some answers had no status');
    assert.ok(statuses.size >= 3, `statuses seen: ${[...statuses].join(', ')}`);
  });

  test(`getDataset accepts every dynamic answer (${CALLS_PER_ENDPOINT} calls); every listed import has its importId`, { skip: LIFECYCLE_SKIP }, async () => {
    const results = await many(CALLS_PER_ENDPOINT, 8, () => getDataset(datasetId, options));
    assertAllResolved('getDataset', results);
    let imports = 0;
    let recordErrors = 0;
    for (const { value } of results) {
      assert.equal(typeof value.id, 'string');
      for (const job of value.imports ?? []) {
        imports += 1;
        assert.equal(typeof job.importId, 'string', JSON.stringify(job).slice(0, 300));
        assert.ok(job.importId.length > 0);
        for (const line of job.errors ?? []) {
          recordErrors += 1;
          assert.match(line, RECORD_LINE);
        }
      }
    }
    assert.ok(imports > 0, 'some datasets listed import jobs');
    assert.ok(recordErrors > 0, 'some import jobs had record errors');
  });

  test(`getImportStatus accepts every dynamic answer (${CALLS_PER_ENDPOINT} calls); every record error reads "record N…: reason"`, { skip: LIFECYCLE_SKIP }, async () => {
    const results = await many(CALLS_PER_ENDPOINT, 8, () => getImportStatus(datasetId, importId, options));
    assertAllResolved('getImportStatus', results);
    let withErrors = 0;
    for (const { value } of results) {
      assert.equal(typeof value.status, 'string');
      if (!value.errors) continue;
      withErrors += 1;
      assert.equal(value.recordErrors.length, value.errors.length);
      value.errors.forEach((line, index) => {
        const structured = value.recordErrors[index];
        assert.match(line, RECORD_LINE);
        assert.ok(Number.isInteger(structured.recordIndex) && structured.recordIndex >= 0, JSON.stringify(structured));
        assert.ok(line.startsWith(`record ${structured.recordIndex + 1}`), line);
        assert.ok(line.endsWith(structured.reason), line);
      });
    }
    assert.ok(withErrors > 0, 'some import jobs had record errors');
  });

  test(`getUploadUrl accepts every dynamic answer (${CALLS_PER_ENDPOINT} calls)`, { skip: LIFECYCLE_SKIP }, async () => {
    const results = await many(CALLS_PER_ENDPOINT, 8, (i) => getUploadUrl(datasetId, i % 2 ? 'data.csv' : 'data.jsonl', options));
    assertAllResolved('getUploadUrl', results);
    for (const { value } of results) {
      assert.match(value.uploadUrl, /^(https:\/\/|http:\/\/127\.0\.0\.1:)/);
      assert.equal(value.httpMethod, 'PUT');
      assert.equal(typeof value.contentType, 'string');
      assert.ok(['api', 'filename'].includes(value.contentTypeSource));
    }
  });

  test(`createDataset accepts every dynamic answer (${CALLS_PER_ENDPOINT} calls), V3 and V4 requests`, { skip: LIFECYCLE_SKIP }, async () => {
    const results = await many(CALLS_PER_ENDPOINT, 8, (i) => createDataset({
      name: `Dataset ${i}`, workspaceId: '6278acb09062db3b35bcbeb0', ...(i % 2 ? { schema: { fields: [{ name: 'text' }] } } : {}),
    }, options));
    assertAllResolved('createDataset', results);
    for (const { value } of results) assert.equal(typeof value.id, 'string');
  });

  test('no request the client sent broke Prism\'s request validation', () => {
    assert.doesNotMatch(prism.log(), /Violation: request/, prism.log().split('\n').filter((line) => /Violation/.test(line)).slice(0, 3).join('\n'));
  });

  test('(after the client\'s calls) Prism enforces the document: a request without the token is refused', async () => {
    const response = await fetch(`${prism.url}${DATASETS}/${datasetId}/status`);
    assert.equal(response.status, 401);
    await response.arrayBuffer();
    const wrongPath = await fetch(`${prism.url}${DATASETS}/${datasetId}/nothing`, { headers: { Authorization: `Token ${TOKEN}` } });
    assert.equal(wrongPath.status, 404);
    await wrongPath.arrayBuffer();
  });

});
