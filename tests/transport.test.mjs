// The module's own transport checks (src/wasm/transport.cpp, src/core), driven through a transport
// that behaves like a browser's XMLHttpRequest: it follows redirects itself and reports only the
// final URL. These checks must hold whatever Emscripten release built the module: they read what
// the package keeps per request, never Emscripten's private Fetch state.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { browserLikeXMLHttpRequest } from './support/browser-like-xhr.mjs';
import { NodeXMLHttpRequest } from '../src/js/node-xhr.js';

const TOKEN = 'transport-token-0123456789';
const DIST = new URL('../dist/', import.meta.url);
const { default: createProlificModule } = await import(new URL('prolific-dataset-status.mjs', DIST));
const wasmBinary = fs.readFileSync(new URL('prolific-dataset-status.wasm', DIST));

function makeCertificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'transport-test-'));
  try {
    const r = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(resolve));
}

async function loadModule(settings) {
  return createProlificModule({
    wasmBinary, XMLHttpRequest: browserLikeXMLHttpRequest(settings), print() {}, printErr() {},
  });
}

let nextOperationId = 1;

test('a redirect from https to plain http fails with a NetworkError even when the transport follows it', async () => {
  const plainRequests = [];
  const plain = http.createServer((req, res) => {
    plainRequests.push(req.url);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"READY"}');
  });
  const plainPort = await listen(plain);
  const secure = https.createServer(makeCertificate(), (req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${plainPort}${req.url}` });
    res.end();
  });
  const securePort = await listen(secure);
  try {
    const module = await loadModule();
    const result = await module.getDatasetStatus({
      operationId: nextOperationId++, datasetId: 'ds-1', baseUrl: `https://127.0.0.1:${securePort}`,
      token: TOKEN, maxRetries: 0, timeoutMs: 10000,
    });
    assert.equal(plainRequests.length, 1, 'the browser-like transport followed the redirect itself');
    assert.equal(result.ok, false, `the downgraded answer must not be used: ${JSON.stringify(result)}`);
    assert.equal(result.error.kind, 'network');
    assert.match(result.error.cause, /ERR_REDIRECT_DOWNGRADE/);
    assert.equal(module.heapStats().operations, 0);
  } finally {
    await close(secure);
    await close(plain);
  }
});

test('the last byte of the response headers is read when the header block has no final CRLF', async () => {
  const server = http.createServer((req, res) => {
    res.writeHead(429, { 'retry-after': '17', 'content-type': 'application/json' });
    res.end('{"error":{"status":429,"title":"Too many requests","detail":"slow down"}}');
  });
  const port = await listen(server);
  try {
    // What a browser hands back: lines joined by CRLF, and no CRLF after the last one.
    const module = await loadModule({
      headerBlock: (status, headers) => Object.entries(headers).reverse()
        .map(([name, value]) => `${name}: ${value}`).join('\r\n'),
    });
    const result = await module.getDatasetStatus({
      operationId: nextOperationId++, datasetId: 'ds-2', baseUrl: `http://127.0.0.1:${port}`,
      token: TOKEN, maxRetries: 0, timeoutMs: 10000,
    });
    assert.equal(result.ok, false);
    assert.equal(result.error.kind, 'api');
    assert.equal(result.error.httpStatus, 429);
    assert.equal(result.error.retryAfterMs, 17000);
  } finally {
    await close(server);
  }
});

test('aborting an operation stops the request the package filed for it', async () => {
  let arrived;
  const arrivedPromise = new Promise((resolve) => { arrived = resolve; });
  let closed;
  const closedPromise = new Promise((resolve) => { closed = resolve; });
  const server = http.createServer((req, res) => {
    req.socket.on('close', closed);
    arrived();
  });
  const port = await listen(server);
  try {
    const module = await loadModule();
    const operationId = nextOperationId++;
    const pending = module.getDatasetStatus({
      operationId, datasetId: 'ds-3', baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, maxRetries: 0, timeoutMs: 0,
    });
    await arrivedPromise;
    assert.equal(module.abortOperation(operationId), true);
    const result = await pending;
    assert.equal(result.error.kind, 'aborted');
    await closedPromise;  // the connection of the aborted request was closed by the transport
    assert.equal(module.heapStats().operations, 0);
  } finally {
    await close(server);
  }
});

test('the response headers are read only for an answer other than 2xx, and then once', async () => {
  const server = http.createServer((req, res) => {
    if (req.url.includes('/busy-')) {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
      res.end('{"error":{"status":429,"title":"Too many requests","detail":"slow down"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '5' });
    res.end('{"status":"READY"}');
  });
  const port = await listen(server);
  const counts = { headerReads: 0 };
  const Base = browserLikeXMLHttpRequest();
  class CountingXMLHttpRequest extends Base {
    getAllResponseHeaders() {
      counts.headerReads += 1;
      return super.getAllResponseHeaders();
    }
  }
  try {
    const module = await createProlificModule({
      wasmBinary, XMLHttpRequest: CountingXMLHttpRequest, print() {}, printErr() {},
    });
    const read = (datasetId) => module.getDatasetStatus({
      operationId: nextOperationId++, datasetId, baseUrl: `http://127.0.0.1:${port}`, token: TOKEN,
      maxRetries: 0, timeoutMs: 10000,
    });
    const ok = await read('ds-ok');
    assert.deepEqual({ ok: ok.ok, status: ok.status }, { ok: true, status: 'READY' });
    assert.equal(counts.headerReads, 0, 'a 200 answer has no header the module uses');
    const busy = await read('busy-ds');
    assert.equal(busy.error.httpStatus, 429);
    assert.equal(busy.error.retryAfterMs, 3000, 'the Retry-After of a 429 is still honoured');
    assert.equal(counts.headerReads, 1, 'the header block of a 429 is read once');
  } finally {
    await close(server);
  }
});

test('reads in flight together share one attempt timer, and no timer is left once they end', async () => {
  const COUNT = 20;
  const TIMEOUT_MS = 12345;
  const held = [];
  const server = http.createServer((req, res) => {
    held.push(res);
    // Every answer waits until all reads are in flight, so their attempts overlap.
    if (held.length === COUNT) {
      for (const r of held) {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.end('{"status":"READY"}');
      }
    }
  });
  const port = await listen(server);
  const module = await loadModule();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const attemptTimers = new Set();
  let armed = 0;
  globalThis.setTimeout = function countingSetTimeout(callback, delay, ...rest) {
    const handle = realSetTimeout.call(this, callback, delay, ...rest);
    // The module's attempt timers: a delay just under the attempt timeout (none else is this long).
    if (delay > TIMEOUT_MS - 1000 && delay <= TIMEOUT_MS) {
      armed += 1;
      // The module keeps a timer's handle as a number (a Node Timeout's primitive value).
      attemptTimers.add(Number(handle));
    }
    return handle;
  };
  globalThis.clearTimeout = function countingClearTimeout(handle) {
    attemptTimers.delete(Number(handle));
    return realClearTimeout.call(this, handle);
  };
  try {
    const results = await Promise.all(Array.from({ length: COUNT }, (_, i) => module.getDatasetStatus({
      operationId: nextOperationId++, datasetId: `ds-timer-${i}`, baseUrl: `http://127.0.0.1:${port}`, token: TOKEN,
      maxRetries: 0, timeoutMs: TIMEOUT_MS,
    })));
    assert.deepEqual(results.map((r) => r.status), Array(COUNT).fill('READY'));
    assert.ok(armed >= 1 && armed < COUNT / 2, `${armed} attempt timers armed for ${COUNT} overlapping attempts`);
    assert.equal(attemptTimers.size, 0, 'the attempt timer is cleared once no attempt is running');
    assert.equal(module.heapStats().operations, 0);
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    await close(server);
  }
});

test('readDatasetStatus, the typed entry of one read, checks and answers as getDatasetStatus(request) does', async () => {
  const authorizations = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url.includes('/none/') ? '{"status":null}' : '{"status":"PROCESSING"}');
  });
  const port = await listen(server);
  try {
    const module = await loadModule();
    const baseUrl = `http://127.0.0.1:${port}`;
    const withToken = await module.readDatasetStatus(nextOperationId++, 'ds-typed', baseUrl, TOKEN, true, 10000, 0);
    assert.deepEqual({ ...withToken }, { ok: true, status: 'PROCESSING' });
    const withoutToken = await module.readDatasetStatus(nextOperationId++, 'none', baseUrl, 'ignored', false, 10000, 0);
    assert.deepEqual({ ...withoutToken }, { ok: true, status: null });
    assert.deepEqual(authorizations, [`Token ${TOKEN}`, undefined], 'the token is sent only when has_token is true');

    // The same refusals, with the same messages, as the request-object entry.
    for (const [typed, request] of [
      [[0, 'ds', baseUrl, '', false, 1000, 0], { operationId: 0 }],
      [[nextOperationId, 'ds', baseUrl, '', false, 1000, 1.5], { operationId: nextOperationId + 1, maxRetries: 1.5 }],
      [[nextOperationId + 2, '', baseUrl, '', false, 1000, 0], { operationId: nextOperationId + 3, datasetId: '' }],
      [[nextOperationId + 4, 'ds', 'ftp://x', '', false, 1000, 0], { operationId: nextOperationId + 5, baseUrl: 'ftp://x' }],
    ]) {
      const a = await module.readDatasetStatus(...typed);
      const b = await module.getDatasetStatus({ datasetId: 'ds', baseUrl, timeoutMs: 1000, maxRetries: 0, ...request });
      assert.equal(a.ok, false);
      assert.equal(a.error.kind, 'invalid_argument');
      assert.deepEqual(a.error, b.error, JSON.stringify(typed));
    }
    nextOperationId += 6;
    const held = nextOperationId++;
    const first = module.readDatasetStatus(held, 'ds-held', baseUrl, '', false, 10000, 0);
    const second = await module.readDatasetStatus(held, 'ds-held', baseUrl, '', false, 10000, 0);
    assert.equal(second.error.message, 'operationId is already in use');
    assert.equal((await first).ok, true);
    assert.equal(module.heapStats().operations, 0);
  } finally {
    await close(server);
  }
});

test('the module listens to no readystatechange, and still stops an endless body at the size limit', async () => {
  let sockets = 0;
  const server = http.createServer((req, res) => {
    sockets += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"');
    const chunk = 'A'.repeat(64 * 1024);
    // No end: only the module's size limit (a progress event past it) can end this read.
    const pump = () => { while (res.write(chunk)); };
    res.on('drain', pump);
    pump();
  });
  const port = await listen(server);
  const seenAtSend = [];
  class RecordingXMLHttpRequest extends NodeXMLHttpRequest {
    send(body) {
      seenAtSend.push({ readystatechange: this.onreadystatechange, progress: typeof this.onprogress });
      return super.send(body);
    }
  }
  try {
    const module = await createProlificModule({
      wasmBinary, XMLHttpRequest: RecordingXMLHttpRequest, print() {}, printErr() {},
    });
    const result = await module.getDatasetStatus({
      operationId: nextOperationId++, datasetId: 'ds-endless', baseUrl: `http://127.0.0.1:${port}`, token: TOKEN,
      maxRetries: 0, timeoutMs: 60000,
    });
    assert.equal(result.ok, false);
    assert.equal(result.error.kind, 'invalid_response', JSON.stringify(result.error));
    assert.match(result.error.message, /larger than/);
    assert.deepEqual(seenAtSend, [{ readystatechange: null, progress: 'function' }]);
    assert.equal(sockets, 1);
    assert.equal(module.heapStats().operations, 0);
  } finally {
    await close(server);
  }
});

test('a Retry-After HTTP-date on a 503 is read against the wall clock of the answer', async () => {
  const server = http.createServer((req, res) => {
    res.writeHead(503, { 'retry-after': new Date(Date.now() + 40_000).toUTCString(), 'content-type': 'text/plain' });
    res.end('busy');
  });
  const port = await listen(server);
  try {
    const module = await loadModule();
    const result = await module.getDatasetStatus({
      operationId: nextOperationId++, datasetId: 'ds-date', baseUrl: `http://127.0.0.1:${port}`, token: TOKEN,
      maxRetries: 0, timeoutMs: 10000,
    });
    assert.equal(result.error.httpStatus, 503);
    // 40 s ahead at whole-second resolution: about 39 to 40 s (a wrong clock gives 0 or the 60 s clamp).
    assert.ok(result.error.retryAfterMs > 30_000 && result.error.retryAfterMs <= 40_000, String(result.error.retryAfterMs));
  } finally {
    await close(server);
  }
});
