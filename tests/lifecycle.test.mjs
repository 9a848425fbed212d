// The whole dataset lifecycle against the mock: create, upload URL, upload to a presigned URL on
// another origin, then V3 status or V4 import jobs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createDataset, getDataset, getUploadUrl, uploadDatasetFile, getImportStatus, waitForImport, uploadAndWait, createClient,
  getDatasetStatus, waitForDataset, ProlificError, ProlificApiError, InvalidResponseError, DatasetProcessingError, TimeoutError, TERMINAL_IMPORT_STATUSES,
  NetworkError,
} from '../src/js/node.js';
import { TOKEN, assertNoSecret, startMock } from './support/mock.mjs';

let mock;
let options;

before(async () => ({ mock, options } = await startMock({ timeScale: 0.02 })));
after(() => mock.close());

const V4_SCHEMA = { fields: [{ name: 'text', type: 'string' }] };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const requestsTo = (fragment) => mock.requests.filter((request) => request.path.includes(fragment));

describe('createDataset', () => {
  test('creates V3 and V4 datasets', async () => {
    const v3 = await createDataset({ name: 'Reviews', workspaceId: 'ws-1' }, options);
    assert.match(v3.id, UUID);
    assert.match(v3.createdAt, DATE_TIME);
    assert.equal(typeof v3.createdBy, 'string');
    assert.equal(v3.name, 'Reviews');
    assert.equal(v3.workspaceId, 'ws-1');
    assert.equal(v3.schemaVersion, 3);
    const v4 = await createDataset({ name: 'Typed', workspaceId: 'ws-1', schema: V4_SCHEMA }, options);
    assert.equal(v4.schemaVersion, 4);
    const post = mock.requests.filter((request) => request.method === 'POST').at(-1);
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.headers.authorization, `Token ${TOKEN}`);
  });

  test('bad input is a TypeError, a refused body a ProlificApiError with field details', async () => {
    mock.reset();
    for (const bad of [null, {}, { name: '', workspaceId: 'w' }, { name: 'n', workspaceId: 5 },
      { name: 'n', workspaceId: 'w', schema: [] }, { name: 'n', workspaceId: 'w', extra: 1 }]) {
      await assert.rejects(createDataset(bad, options), TypeError);
    }
    assert.equal(mock.requests.length, 0);
  });

  test('is not retried on a server error (it is not idempotent)', async () => {
    mock.reset();
    const client = createClient({ ...options, baseUrl: `${mock.url}/broken` });
    await assert.rejects(client.createDataset({ name: 'n', workspaceId: 'w' }), ProlificApiError);
    assert.equal(mock.requests.length, 1);
  });
});

describe('V4: upload URL, upload, import job', () => {
  test('a clean JSONL file ends complete, and the upload host never sees the token', async () => {
    const dataset = await createDataset({ name: 'Typed', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    const target = await getUploadUrl(dataset.id, 'reviews.jsonl', options);
    assert.equal(target.datasetId, dataset.id);
    assert.equal(target.httpMethod, 'PUT');
    assert.ok(target.uploadUrl.startsWith(mock.uploadServerUrl));
    assert.equal(target.contentType, 'application/x-ndjson');
    assert.equal(target.contentTypeSource, 'api');
    assert.match(target.importId, UUID);
    assert.equal((await getImportStatus(dataset.id, target.importId, options)).status, 'uninitialised');
    const file = '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n';
    const uploaded = await uploadDatasetFile(target, file, { timeoutMs: 5000 });
    assert.deepEqual(uploaded, { datasetId: dataset.id, bytes: file.length, httpStatus: 200 });
    const upload = mock.uploads.at(-1);
    assert.equal(upload.bytes, file.length);
    assert.equal(upload.contentType, 'application/x-ndjson');
    const reads = [];
    const job = await waitForImport(dataset.id, target.importId, {
      ...options, intervalMs: 10, onStatus: (read, meta) => reads.push([read.status, meta.attempt]),
    });
    const { createdAt, updatedAt, ...rest } = job;
    assert.deepEqual(rest, {
      datasetId: dataset.id, importId: target.importId, type: 'jsonl', filename: 'reviews.jsonl', status: 'complete',
      acceptedCount: 3,
    });
    assert.match(createdAt, DATE_TIME);
    assert.ok(updatedAt >= createdAt);
    assert.deepEqual(reads.at(-1), ['complete', reads.length]);
    assert.deepEqual(mock.tokenLeaks, []);
  });

  test('partial carries counts and record errors; failed carries a reason', async () => {
    const dataset = await createDataset({ name: 'Typed', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    const partial = await uploadAndWait({
      datasetId: dataset.id, filename: 'mixed.jsonl',
      data: '{"text":"ok"}\nnot json\n[1]\n{"text":"ok"}\n{"text":null}\n{"text":"new"}\n',
    }, { ...options, intervalMs: 10 });
    assert.equal(partial.status, 'partial');
    assert.equal(partial.acceptedCount, 2);
    assert.equal(partial.rejectedCount, 3);
    assert.equal(partial.duplicateCount, 1);
    assert.deepEqual(partial.errors, [
      'record 2: The line is not valid JSON.', 'record 3: The record is not a JSON object.',
      'record 5, field "text": The value must not be null.',
    ]);
    assert.deepEqual(partial.recordErrors, [
      { recordIndex: 1, reason: 'The line is not valid JSON.' },
      { recordIndex: 2, reason: 'The record is not a JSON object.' },
      { recordIndex: 4, field: 'text', reason: 'The value must not be null.' },
    ]);
    const failed = await uploadAndWait({ datasetId: dataset.id, filename: 'bad.jsonl', data: new TextEncoder().encode('x\ny\n') },
      { ...options, intervalMs: 10 });
    assert.equal(failed.status, 'failed');
    assert.match(failed.reason, /could not be parsed/);
    assert.deepEqual(mock.tokenLeaks, []);
  });

  test('a dataset without a usable schema ends in pending_schema', async () => {
    const dataset = await createDataset({ name: 'Empty', workspaceId: 'ws', schema: {} }, options);
    const stages = [];
    const job = await uploadAndWait({ datasetId: dataset.id, filename: 'a.csv', data: 'text\nhello\n' },
      { ...options, intervalMs: 10, onProgress: (progress) => stages.push(progress.stage) });
    assert.equal(job.status, 'pending_schema');
    assert.deepEqual(stages, ['upload-url', 'uploading', 'processing']);
    assert.ok(TERMINAL_IMPORT_STATUSES.includes(job.status));
  });

  test('getDataset lists a V4 dataset\'s import jobs', async () => {
    const dataset = await createDataset({ name: 'Listed', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    const first = await getUploadUrl(dataset.id, 'one.jsonl', options);
    const second = await getUploadUrl(dataset.id, 'two.csv', options);
    await uploadDatasetFile(first, '{"text":"a"}\n');
    await waitForImport(dataset.id, first.importId, { ...options, intervalMs: 10 });
    const read = await getDataset(dataset.id, options);
    assert.equal(read.id, dataset.id);
    assert.equal(read.schemaVersion, 4);
    assert.equal(read.status, undefined, 'a V4 dataset has no status of its own');
    const withoutTimes = read.imports.map(({ createdAt, updatedAt, ...rest }) => rest);
    assert.deepEqual(withoutTimes, [
      { importId: first.importId, type: 'jsonl', filename: 'one.jsonl', status: 'complete', acceptedCount: 1 },
      { importId: second.importId, type: 'csv', filename: 'two.csv', status: 'uninitialised' },
    ]);
    for (const job of read.imports) assert.match(job.createdAt, DATE_TIME);
    const legacy = await getDataset((await createDataset({ name: 'L', workspaceId: 'ws' }, options)).id, options);
    assert.equal(legacy.imports, undefined);
    assert.equal(legacy.status, 'UNINITIALISED');
  });

  test('waitForImport times out at the deadline', async () => {
    const dataset = await createDataset({ name: 'T', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    const target = await getUploadUrl(dataset.id, 'never.jsonl', options);
    await assert.rejects(waitForImport(dataset.id, target.importId, { ...options, intervalMs: 10, deadlineMs: 150 }),
      (error) => error instanceof TimeoutError && error.timeoutMs === 150);
  });
});

describe('V3: upload then /status', () => {
  test('a V3 upload waits for READY, a failing file ends in DatasetProcessingError', async () => {
    const dataset = await createDataset({ name: 'Legacy', workspaceId: 'ws' }, options);
    const ready = await uploadAndWait({ datasetId: dataset.id, filename: 'data.csv', data: 'a,b\n1,2\n' },
      { ...options, intervalMs: 10 });
    assert.deepEqual(ready, { datasetId: dataset.id, status: 'READY' });
    assert.equal((await getDatasetStatus(dataset.id, options)).status, 'READY');
    const failing = await createDataset({ name: 'Legacy2', workspaceId: 'ws' }, options);
    await assert.rejects(uploadAndWait({ datasetId: failing.id, filename: 'data.csv', data: 'FAIL' },
      { ...options, intervalMs: 10 }), DatasetProcessingError);
    assert.deepEqual(mock.tokenLeaks, []);
  });

  test('a file type the dataset does not take is refused by the API', async () => {
    const dataset = await createDataset({ name: 'Legacy', workspaceId: 'ws' }, options);
    const error = await getUploadUrl(dataset.id, 'data.jsonl', options).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 400);
  });
});

describe('upload options', () => {
  test('uploadTimeoutMs and onProgress of the wrong type are TypeErrors, in createClient too, before anything is sent', async () => {
    for (const bad of [{ uploadTimeoutMs: -1 }, { uploadTimeoutMs: '5' }, { uploadTimeoutMs: Infinity }, { onProgress: 'log' }]) {
      assert.throws(() => createClient({ ...options, ...bad }), TypeError, JSON.stringify(bad));
      mock.reset();
      await assert.rejects(uploadAndWait({ datasetId: 'd', filename: 'a.jsonl', data: '{}' }, { ...options, ...bad }), TypeError);
      assert.equal(mock.requests.length, 0);
    }
    // The status functions take neither.
    await assert.rejects(createClient(options).getDatasetStatus('status-READY', { uploadTimeoutMs: 1 }), TypeError);
  });
});

describe('upload safety', () => {
  test('uploads never carry the token, whatever the options say', async () => {
    const dataset = await createDataset({ name: 'L', workspaceId: 'ws' }, options);
    const target = await getUploadUrl(dataset.id, 'x.csv', options);
    await assert.rejects(uploadDatasetFile(target, 'a', { token: TOKEN }), TypeError, 'token is not an upload option');
    await uploadDatasetFile(target, 'a\n');
    assert.deepEqual(mock.tokenLeaks, []);
  });

  test('a bad signature is a ProlificApiError from the storage host, and it is not retried', async () => {
    const dataset = await createDataset({ name: 'L', workspaceId: 'ws' }, options);
    const target = await getUploadUrl(dataset.id, 'x.csv', options);
    const forged = { ...target, uploadUrl: target.uploadUrl.replace(/X-Signature=\w+/, 'X-Signature=forged') };
    const before = mock.uploads.length;
    const error = await uploadDatasetFile(forged, 'a').catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 403);
    assert.equal(mock.uploads.length, before);
  });

  test('upload URLs that are not https (or http to loopback) are refused before sending', async () => {
    for (const uploadUrl of ['http://storage.example.com/x?sig=1', 'https://user:pw@storage.example.com/x',
      'ftp://storage.example.com/x', 'https://storage.example.com/x#frag', '']) {
      await assert.rejects(uploadDatasetFile({ uploadUrl }, 'a'), TypeError, uploadUrl);
    }
    for (const data of [42, null, {}, [1, 2]]) {
      await assert.rejects(uploadDatasetFile({ uploadUrl: 'https://storage.example.com/x' }, data), TypeError);
    }
  });

  test('a hostile upload-URL answer is an InvalidResponseError', async () => {
    mock.setHandler('hostile-upload', () => {});
    const id = 'hostile-upload';
    const server = (await import('node:http')).createServer((req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ upload_url: `http://evil.example.com/steal?t=${TOKEN}`, http_method: 'PUT' }));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await getUploadUrl(id, 'a.csv', { ...options, baseUrl: `http://127.0.0.1:${server.address().port}` })
        .catch((caught) => caught);
      assert.ok(error instanceof InvalidResponseError);
      assertNoSecret(assert, error, TOKEN);
    } finally {
      server.close();
      mock.setHandler(id, null);
    }
  });

  test('V4 datasets have no status of their own: null on /status, and waitForDataset says so at once', async () => {
    const dataset = await createDataset({ name: 'Typed', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    await uploadAndWait({ datasetId: dataset.id, filename: 'a.jsonl', data: '{"text":"a"}\n' }, { ...options, intervalMs: 10 });
    assert.deepEqual(await getDatasetStatus(dataset.id, options), { datasetId: dataset.id, status: null });
    assert.equal(requestsTo('/upload-url/').length > 0, true);
    mock.reset();
    const reads = [];
    const error = await waitForDataset(dataset.id, { ...options, intervalMs: 10, deadlineMs: 60_000,
      onStatus: (read) => reads.push(read) }).catch((caught) => caught);
    assert.ok(error instanceof ProlificError, String(error));
    assert.equal(error.name, 'ProlificError');
    assert.equal(error.datasetId, dataset.id);
    assert.equal(error.status, null);
    assert.match(error.message, /has no status of its own/);
    assert.match(error.message, /V4/);
    assert.match(error.message, /import jobs/);
    assert.equal(requestsTo('/status').length, 1, 'one read, no polling');
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(reads, [{ datasetId: dataset.id, status: null }]);
  });

  test('an upload-URL answer without content_type: the type of the file name, or a clear error', async () => {
    const dataset = await createDataset({ name: 'Typed', workspaceId: 'ws', schema: V4_SCHEMA }, options);
    const real = await getUploadUrl(dataset.id, 'a.jsonl', options);
    const answer = JSON.stringify({ upload_url: real.uploadUrl, http_method: 'PUT', import_id: real.importId });
    const server = await startAnswerServer(answer);
    try {
      const inferred = await getUploadUrl(dataset.id, 'reviews.JSONL', { ...options, baseUrl: server.url });
      assert.equal(inferred.contentType, 'application/x-ndjson');
      assert.equal(inferred.contentTypeSource, 'filename');
      assert.equal((await getUploadUrl(dataset.id, 'r.csv', { ...options, baseUrl: server.url })).contentType, 'text/csv');
      const refused = await getUploadUrl(dataset.id, 'notes.txt', { ...options, baseUrl: server.url })
        .catch((caught) => caught);
      assert.ok(refused instanceof InvalidResponseError, String(refused));
      assert.match(refused.message, /content_type/);
    } finally {
      server.close();
    }
  });
});

describe('uploads under hostile storage hosts and callers', () => {
  /** A storage server on 127.0.0.1 answering each PUT with `answer(req, res)`; records what arrives. */
  async function storage(answer) {
    const http = await import('node:http');
    const seen = [];
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization,
          bytes: Buffer.concat(chunks).length });
        answer(req, res);
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => server.close() };
  }

  test('a 303 that would turn the PUT into a GET is a NetworkError, not a successful upload', async () => {
    const host = await storage((req, res) => {
      if (req.method === 'PUT') res.writeHead(303, { Location: '/elsewhere' }).end();
      else res.writeHead(200).end('ok');
    });
    try {
      await assert.rejects(uploadDatasetFile({ uploadUrl: `${host.url}/put?sig=1` }, 'payload'), NetworkError);
      assert.deepEqual(host.seen.map((request) => request.method), ['PUT']);
    } finally {
      host.close();
    }
  });

  test('a redirect to a URL with credentials never adds an Authorization header', async () => {
    const host = await storage((req, res) => {
      if (req.url.startsWith('/put')) res.writeHead(307, { Location: `http://user:pw@${req.headers.host}/final` }).end();
      else res.writeHead(200).end();
    });
    try {
      await assert.rejects(uploadDatasetFile({ uploadUrl: `${host.url}/put?sig=1` }, 'payload'), NetworkError);
      assert.ok(host.seen.every((request) => request.authorization === undefined));
    } finally {
      host.close();
    }
  });

  test('the upload budget is released even when the caller detaches the buffer mid-upload', async () => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const host = await storage((req, res) => { held.then(() => res.writeHead(200).end()); });
    try {
      const big = new Uint8Array(200 * 1024 * 1024);
      const first = uploadDatasetFile({ uploadUrl: `${host.url}/a?sig=1` }, big);
      await new Promise((resolve) => setTimeout(resolve, 200));
      structuredClone(big.buffer, { transfer: [big.buffer] });
      release();
      const done = await first;
      assert.equal(done.bytes, 200 * 1024 * 1024);
      // Were the 200 MiB still counted, these two would not fit in the 512 MiB budget together.
      const [a, b] = await Promise.all([
        uploadDatasetFile({ uploadUrl: `${host.url}/b?sig=1` }, new Uint8Array(250 * 1024 * 1024)),
        uploadDatasetFile({ uploadUrl: `${host.url}/c?sig=1` }, new Uint8Array(250 * 1024 * 1024)),
      ]);
      assert.deepEqual([a.httpStatus, b.httpStatus], [200, 200]);
      const fourBytes = await Promise.race([
        uploadDatasetFile({ uploadUrl: `${host.url}/d?sig=1` }, 'tiny'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for room'), 20000)),
      ]);
      assert.equal(fourBytes.httpStatus, 200);
    } finally {
      host.close();
    }
  });

  test('a storage refusal names the storage host', async () => {
    const host = await storage((req, res) => res.writeHead(403, { 'Content-Type': 'application/xml' }).end('<Error/>'));
    try {
      const error = await uploadDatasetFile({ uploadUrl: `${host.url}/x?sig=1` }, 'a').catch((caught) => caught);
      assert.ok(error instanceof ProlificApiError);
      assert.match(error.message, /^The storage host answered HTTP 403/);
    } finally {
      host.close();
    }
  });

  test('a schema too deep to send is a TypeError that says so', async () => {
    let deep = {};
    for (let i = 0; i < 100; i += 1) deep = { a: deep };
    await assert.rejects(createDataset({ name: 'n', workspaceId: 'w', schema: deep }, options), /nested deeper than/);
  });
});

/** A loopback server that answers every request 201 with `body` (an upload-URL answer). */
async function startAnswerServer(body) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}
