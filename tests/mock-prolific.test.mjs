// Tests for scripts/mock-prolific.mjs (the mock Prolific API) and scripts/serve.mjs (the dev
// server). Real servers on 127.0.0.1 port 0; global fetch (or node:http for raw paths) as client.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startMockProlific, DEMO_DATASET_IDS, fixedDatasetUuid } from '../scripts/mock-prolific.mjs';
import { startServer } from '../scripts/serve.mjs';

const STATUS_PREFIX = '/api/v1/data-collection/datasets';

/** URL of the status endpoint for a raw (already encoded) id segment. */
function statusUrl(baseUrl, segment) {
  return `${baseUrl}${STATUS_PREFIX}/${segment}/status`;
}

/** GET the status of `segment` with `Authorization: Token <token>` (no header if token is null). */
function getStatus(baseUrl, segment, { token = 'mock-token', ...init } = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (token !== null) headers.Authorization = `Token ${token}`;
  return fetch(statusUrl(baseUrl, segment), { ...init, headers });
}

/**
 * A request sent with node:http so the path goes out byte for byte (fetch normalises "..").
 * @returns {Promise<{ status: number, headers: object, body: Buffer }>}
 */
function rawRequest(baseUrl, rawPath, { method = 'GET', headers = {} } = {}) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mock Prolific API', () => {
  let mock;
  before(async () => {
    mock = await startMockProlific({ timeScale: 0.05 });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  test('exports the demo dataset ids and a loopback URL', () => {
    assert.deepEqual(DEMO_DATASET_IDS, ['demo-ready', 'demo-slow', 'demo-error', 'demo-new']);
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(mock.url, `http://127.0.0.1:${mock.port}`);
  });

  describe('token check', () => {
    test('a missing token is 401 "not provided"', async () => {
      const res = await getStatus(mock.url, 'status-READY', { token: null });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(await res.json(), {
        error: {
          status: 401,
          error_code: 140100,
          title: 'Not authenticated',
          detail: 'Authentication credentials were not provided.',
        },
      });
    });

    test('a wrong token is 401 "Invalid token."', async () => {
      const res = await getStatus(mock.url, 'status-READY', { token: 'wrong' });
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.equal(body.error.detail, 'Invalid token.');
      assert.equal(body.error.error_code, 140100);
    });

    test('the right token is accepted and recorded', async () => {
      const res = await getStatus(mock.url, 'status-READY');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'READY' });
      assert.equal(mock.requests.length, 1);
      const [request] = mock.requests;
      assert.equal(request.method, 'GET');
      assert.equal(request.path, `${STATUS_PREFIX}/status-READY/status`);
      assert.equal(request.headers.authorization, 'Token mock-token');
      assert.equal(request.host, `127.0.0.1:${mock.port}`);
      assert.equal(typeof request.time, 'number');
    });

    test('token: null disables the check', async () => {
      const open = await startMockProlific({ token: null });
      try {
        const res = await getStatus(open.url, 'status-READY', { token: null });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: 'READY' });
      } finally {
        await open.close();
      }
    });
  });

  test('CORS headers on answers, and a 204 preflight with no token', async () => {
    const preflight = await fetch(statusUrl(mock.url, 'demo-ready'), {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
    assert.equal(preflight.headers.get('access-control-max-age'), '600');

    const denied = await getStatus(mock.url, 'status-READY', { token: null });
    assert.equal(denied.headers.get('access-control-allow-origin'), '*');
    assert.equal(denied.headers.get('access-control-expose-headers'), 'Retry-After');
    await denied.arrayBuffer();
  });

  test('demo timelines follow the scaled clock from the first read', async () => {
    // timeScale 0.05: demo-ready UNINITIALISED 0-150 ms, PROCESSING 150-500 ms, READY after;
    // demo-error UNINITIALISED 0-100 ms, PROCESSING 100-400 ms, ERROR after.
    const read = async (id) => (await (await getStatus(mock.url, id)).json()).status;
    const start = Date.now();
    assert.equal(await read('demo-ready'), 'UNINITIALISED');
    assert.equal(await read('demo-error'), 'UNINITIALISED');
    assert.equal(await read('demo-new'), 'UNINITIALISED');
    await sleep(300 - (Date.now() - start));
    assert.equal(await read('demo-ready'), 'PROCESSING');
    assert.equal(await read('demo-error'), 'PROCESSING');
    await sleep(650 - (Date.now() - start));
    assert.equal(await read('demo-ready'), 'READY');
    assert.equal(await read('demo-error'), 'ERROR');
    assert.equal(await read('demo-new'), 'UNINITIALISED');
    assert.equal(await read('demo-slow'), 'UNINITIALISED', 'demo-slow starts at its own first read');

    mock.reset();
    assert.equal(mock.requests.length, 0);
    assert.equal(await read('demo-ready'), 'UNINITIALISED', 'reset() restarts the timeline');
  });

  test('status-<VALUE> answers that value', async () => {
    for (const value of ['READY', 'ERROR', 'PROCESSING', 'UNINITIALISED', 'SOMETHING_NEW']) {
      const res = await getStatus(mock.url, `status-${value}`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: value });
    }
  });

  test('unknown ids, other paths, other methods and bad encoding', async () => {
    const unknown = await getStatus(mock.url, 'no-such-dataset');
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), {
      error: {
        status: 404,
        error_code: 140400,
        title: 'Not found',
        detail: 'Dataset not found or you do not have permissions.',
      },
    });

    const otherPath = await fetch(`${mock.url}/api/v1/studies/`, {
      headers: { Authorization: 'Token mock-token' },
    });
    assert.equal(otherPath.status, 404);
    assert.equal((await otherPath.json()).error.status, 404);

    const post = await getStatus(mock.url, 'status-READY', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal((await post.json()).error.status, 405);

    const badEncoding = await getStatus(mock.url, 'bad%E0%A4%A');
    assert.equal(badEncoding.status, 400);
    assert.equal((await badEncoding.json()).error.status, 400);
  });

  test('http-<code> answers that code with a Prolific error body', async () => {
    const res = await getStatus(mock.url, 'http-503');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      error: { status: 503, error_code: 150300, title: 'Service Unavailable', detail: 'Simulated 503.' },
    });
  });

  test('detail-object carries field errors and additional_information', async () => {
    const res = await getStatus(mock.url, 'detail-object');
    assert.equal(res.status, 422);
    const { error } = await res.json();
    assert.deepEqual(error.detail, {
      name: ['This field is required.'],
      workspace_id: ['Not a valid id.', 'Required.'],
    });
    assert.equal(error.additional_information, 'See the API reference.');
  });

  test('flaky-<n> fails n times, then answers READY', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await getStatus(mock.url, 'flaky-2');
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [503, 503, 200, 200]);

    const throttled = await getStatus(mock.url, 'flaky429-1');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '0');
    await throttled.arrayBuffer();
    assert.deepEqual(await (await getStatus(mock.url, 'flaky429-1')).json(), { status: 'READY' });
  });

  test('rate-limited-<n> sends Retry-After in seconds', async () => {
    const res = await getStatus(mock.url, 'rate-limited-7');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal((await res.json()).error.status, 429);

    const dated = await getStatus(mock.url, 'retry-after-date');
    assert.equal(dated.status, 503);
    const delayMs = Date.parse(dated.headers.get('retry-after')) - Date.now();
    assert.ok(delayMs > 1000 && delayMs <= 3000, `Retry-After date ${delayMs} ms ahead`);
    await dated.arrayBuffer();
  });

  test('redirect-cross points to the other loopback name of the same server', async () => {
    const res = await getStatus(mock.url, 'redirect-cross', { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'),
      `http://localhost:${mock.port}${STATUS_PREFIX}/status-READY/status`);

    const fromLocalhost = await rawRequest(mock.url, `${STATUS_PREFIX}/redirect-cross/status`, {
      headers: { Host: `localhost:${mock.port}`, Authorization: 'Token mock-token' },
    });
    assert.equal(fromLocalhost.status, 302);
    assert.equal(fromLocalhost.headers.location,
      `http://127.0.0.1:${mock.port}${STATUS_PREFIX}/status-READY/status`);

    // Followed by fetch: the second request reaches the same server under the other host name,
    // and `requests` shows which Authorization header it carried (fetch drops it cross-origin).
    mock.reset();
    const followed = await getStatus(mock.url, 'redirect-cross');
    await followed.arrayBuffer();
    assert.equal(mock.requests.length, 2);
    assert.equal(mock.requests[0].headers.authorization, 'Token mock-token');
    assert.equal(mock.requests[1].host, `localhost:${mock.port}`);
    assert.equal(mock.requests[1].headers.authorization, undefined);
    assert.equal(followed.status, 401);
  });

  test('redirect-same and redirect-many-<n> stay on the same origin', async () => {
    const same = await getStatus(mock.url, 'redirect-same', { redirect: 'manual' });
    assert.equal(same.status, 302);
    assert.equal(same.headers.get('location'), `${STATUS_PREFIX}/status-READY/status`);

    const chain = await getStatus(mock.url, 'redirect-many-3');
    assert.equal(chain.status, 200);
    assert.deepEqual(await chain.json(), { status: 'READY' });
    assert.deepEqual(mock.requests.slice(1).map((r) => r.path), [
      `${STATUS_PREFIX}/redirect-many-3/status`,
      `${STATUS_PREFIX}/redirect-many-2/status`,
      `${STATUS_PREFIX}/redirect-many-1/status`,
      `${STATUS_PREFIX}/redirect-many-0/status`,
    ]);
  });

  test('reset sends headers then drops the connection mid-body', async () => {
    const res = await getStatus(mock.url, 'reset');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '100');
    await assert.rejects(res.text());
  });

  test('close drops the connection without an answer', async () => {
    await assert.rejects(getStatus(mock.url, 'close'), TypeError);
  });

  test('echo-token puts the Authorization header into the error', async () => {
    const res = await getStatus(mock.url, 'echo-token');
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.ok(error.title.includes('Token mock-token'));
    assert.ok(error.detail.includes('Token mock-token'));
  });

  test('body-shape scenarios send the exact bytes', async () => {
    const bytes = async (id) => Buffer.from(await (await getStatus(mock.url, id)).arrayBuffer());
    assert.equal((await bytes('truncated')).toString(), '{"status": "REA');
    assert.equal((await bytes('wrong-type')).toString(), '{"status": 5}');
    assert.equal((await bytes('no-status')).toString(), '{}');
    assert.deepEqual([...(await bytes('bom')).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.deepEqual(await bytes('bad-utf8'),
      Buffer.concat([Buffer.from('{"status":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    const deep = await bytes('deep');
    assert.equal(deep.length, 200_000);
    assert.equal(deep[99_999], '['.charCodeAt(0));
    assert.equal(deep[100_000], ']'.charCodeAt(0));

    const accepted = await getStatus(mock.url, 'accepted-202');
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { status: 'READY' });
    const noContent = await getStatus(mock.url, 'no-content-204');
    assert.equal(noContent.status, 204);
  });

  test('null-status and no-status are V4 datasets with an import job on GET …/datasets/{id}', async () => {
    const headers = { Authorization: 'Token mock-token' };
    for (const [id, statusBody] of [['null-status', '{"status": null}'], ['no-status', '{}']]) {
      const response = await fetch(`${mock.url}${STATUS_PREFIX}/${id}`, { headers });
      assert.equal(response.status, 200, id);
      const dataset = await response.json();
      assert.equal(dataset.id, fixedDatasetUuid(id));
      assert.equal(dataset.schema_version, 4);
      assert.equal(dataset.status, null);
      assert.equal(dataset.imports.length, 1);
      const [job] = dataset.imports;
      assert.equal(job.status, 'complete');
      assert.equal(job.dataset_id, dataset.id);
      assert.equal(job.accepted_count, dataset.total_datapoint_count);
      const read = await fetch(`${mock.url}${STATUS_PREFIX}/${id}/imports/${job.import_id}`, { headers });
      assert.deepEqual(await read.json(), job);
      // /status keeps its own answer, by name and by the dataset's UUID.
      assert.equal(await (await getStatus(mock.url, id)).text(), statusBody);
      assert.equal(await (await getStatus(mock.url, dataset.id)).text(), statusBody);
      // A ready-made dataset takes no upload.
      assert.equal((await fetch(`${mock.url}${STATUS_PREFIX}/${id}/upload-url/a.jsonl`, { headers })).status, 404);
    }
  });

  test('the CLI shows and waits for null-status and no-status as V4 datasets', async () => {
    const cli = (args) => new Promise((resolve) => {
      const env = { ...process.env, PROLIFIC_URL: mock.url, PROLIFIC_TOKEN: 'mock-token' };
      delete env.PROLIFIC_TOKEN_FILE;
      const child = spawn(process.execPath, [new URL('../src/js/cli.js', import.meta.url).pathname, ...args],
        { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      });
    });
    const show = await cli(['show', 'null-status']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^Version\s+V4$/m);
    assert.match(show.stdout, /complete\s+records\.jsonl\s+\(120 accepted\)/);
    const wait = await cli(['--wait', '--json', '--quiet', '--interval', '0.05', 'null-status', 'no-status']);
    assert.equal(wait.code, 0, wait.stderr);
    const lines = wait.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((line) => line.datasetId).sort(), ['no-status', 'null-status']);
    for (const line of lines) {
      assert.equal(line.status, null);
      assert.deepEqual(line.imports.map((job) => job.status), ['complete']);
    }
  });

  test('huge is 5 MiB with Content-Length; huge-chunked has none', async () => {
    const huge = await getStatus(mock.url, 'huge');
    assert.equal(huge.headers.get('content-length'), String(5 * 1024 * 1024));
    const hugeBody = await huge.text();
    assert.equal(Buffer.byteLength(hugeBody), 5 * 1024 * 1024);
    assert.equal(JSON.parse(hugeBody).status, 'READY');

    const chunked = await getStatus(mock.url, 'huge-chunked');
    assert.equal(chunked.headers.get('content-length'), null);
    assert.equal(chunked.headers.get('transfer-encoding'), 'chunked');
    assert.equal((await chunked.arrayBuffer()).byteLength, 5 * 1024 * 1024);
  });

  test('setHandler overrides one id and counts its requests', async () => {
    mock.setHandler('custom', (req, res, ctx) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: ctx.count < 2 ? 'PROCESSING' : 'READY' }));
    });
    try {
      assert.deepEqual(await (await getStatus(mock.url, 'custom')).json(), { status: 'PROCESSING' });
      assert.deepEqual(await (await getStatus(mock.url, 'custom')).json(), { status: 'READY' });
    } finally {
      mock.setHandler('custom', null);
    }
    assert.equal((await getStatus(mock.url, 'custom')).status, 404);
  });

  test('close() resolves promptly while slow scenarios are in flight', async () => {
    const slow = await startMockProlific();
    // Settle into values at once so that the rejections are never unhandled.
    const outcome = (promise) => promise.then(() => 'answered', (err) => err);
    const headersOutcome = outcome(getStatus(slow.url, 'slow-headers'));
    const slowBody = await getStatus(slow.url, 'slow-body');
    assert.equal(slowBody.status, 200);
    const bodyOutcome = outcome(slowBody.text());
    await sleep(50);
    const started = Date.now();
    await slow.close();
    assert.ok(Date.now() - started < 1000, 'close() took too long');
    assert.ok((await headersOutcome) instanceof TypeError, 'slow-headers request fails');
    assert.ok((await bodyOutcome) instanceof TypeError, 'slow-body read fails');
  });
});

describe('dev server (serve.mjs)', () => {
  let root;
  let server;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'serve-test-'));
    await mkdir(path.join(root, 'web'), { recursive: true });
    await mkdir(path.join(root, 'src', 'js'), { recursive: true });
    await mkdir(path.join(root, 'dist'), { recursive: true });
    await writeFile(path.join(root, 'web', 'index.html'), '<!doctype html><title>Dashboard</title>');
    await writeFile(path.join(root, 'web', 'app.css'), 'body { margin: 0; }');
    await writeFile(path.join(root, 'src', 'js', 'x.js'), 'export const x = 1;\n');
    await writeFile(path.join(root, 'src', 'js', 'x.d.ts'), 'export const x: number;\n');
    await writeFile(path.join(root, 'dist', 'x.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await writeFile(path.join(root, 'package.json'), '{"secret": true}');
    server = await startServer({ port: 0, root, env: {} });
  });
  after(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(() => server.mock.reset());

  test('serves web/index.html at / with security headers', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('content-security-policy'),
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
      "img-src 'self' data:; connect-src 'self' https: http://localhost:* http://127.0.0.1:*; " +
      "base-uri 'none'; frame-ancestors 'none'");
    assert.equal(await res.text(), '<!doctype html><title>Dashboard</title>');
  });

  test('answers only to its own names, so a DNS-rebinding page cannot use its token', async () => {
    const { port } = new URL(server.url);
    const statusFor = (hostHeader) => new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/api/v1/data-collection/datasets/status-READY/status',
        headers: hostHeader === undefined ? {} : { Host: hostHeader } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      request.on('error', reject);
      request.end();
    });
    for (const name of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal(await statusFor(name), 200, name);
    }
    server.mock.reset();
    for (const name of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`, `127.0.0.1.evil.example:${port}`]) {
      assert.equal(await statusFor(name), 421, name);
    }
    assert.equal(server.mock.requests.length, 0, 'nothing was forwarded');
  });

  test('serves src/js and dist under /pkg with the right content types', async () => {
    const js = await fetch(`${server.url}/pkg/src/js/x.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await js.text(), 'export const x = 1;\n');

    const dts = await fetch(`${server.url}/pkg/src/js/x.d.ts`);
    assert.equal(dts.headers.get('content-type'), 'text/plain; charset=utf-8');
    await dts.arrayBuffer();

    const wasm = await fetch(`${server.url}/pkg/dist/x.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer())], [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

    const css = await fetch(`${server.url}/app.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('content-security-policy'), null);
    await css.arrayBuffer();
  });

  test('HEAD works, other methods and missing files do not', async () => {
    const head = await fetch(`${server.url}/pkg/src/js/x.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String('export const x = 1;\n'.length));

    const post = await fetch(`${server.url}/index.html`, { method: 'POST' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();

    const missing = await fetch(`${server.url}/nope.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  });

  test('refuses path traversal, plain and percent-encoded', async () => {
    for (const rawPath of [
      '/pkg/src/js/../../package.json',
      '/pkg/src/js/%2e%2e/%2e%2e/package.json',
      '/pkg/dist/..%2f..%2fpackage.json',
      '/../package.json',
      '/%2e%2e/package.json',
      '/pkg/src/js/x.js%00.html',
    ]) {
      const res = await rawRequest(server.url, rawPath);
      assert.equal(res.status, 404, rawPath);
      assert.ok(!res.body.toString().includes('secret'), rawPath);
    }
  });

  test('forwards the status endpoint to the built-in mock with its token', async () => {
    assert.equal(server.upstream, 'built-in mock Prolific API');
    const res = await fetch(statusUrl(server.url, 'status-READY'), {
      headers: { Authorization: 'Token from-the-browser', Cookie: 'session=abc', Accept: 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { status: 'READY' });

    assert.equal(server.mock.requests.length, 1);
    const [forwarded] = server.mock.requests;
    assert.equal(forwarded.method, 'GET');
    assert.equal(forwarded.headers.authorization, 'Token mock-token');
    assert.equal(forwarded.headers.cookie, undefined);
    assert.equal(forwarded.headers.accept, 'application/json');
  });

  test('forwards the id segment exactly as received', async () => {
    const res = await fetch(statusUrl(server.url, 'status-A%20B'));
    assert.deepEqual(await res.json(), { status: 'A B' });
    assert.equal(server.mock.requests[0].path, `${STATUS_PREFIX}/status-A%20B/status`);
  });

  test('passes errors and Retry-After through', async () => {
    const res = await fetch(statusUrl(server.url, 'rate-limited-3'));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal((await res.json()).error.status, 429);
  });

  test('forwards a dataset and its import jobs (GET) to the built-in mock with its token', async () => {
    // A V4 dataset with one import job, made directly on the mock (the dev server forwards reads only).
    const auth = { Authorization: 'Token mock-token' };
    const created = await fetch(`${server.mock.url}${STATUS_PREFIX}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Forwarded', workspace_id: 'ws-1', schema: { fields: [] } }),
    });
    assert.equal(created.status, 201);
    const dataset = await created.json();
    const upload = await (await fetch(`${server.mock.url}${STATUS_PREFIX}/${dataset.id}/upload-url/a.jsonl`,
      { headers: auth })).json();
    assert.equal(typeof upload.import_id, 'string');
    server.mock.reset();

    const headers = { Authorization: 'Token from-the-browser', Cookie: 'session=abc', Accept: 'application/json' };
    const datasetRes = await fetch(`${server.url}${STATUS_PREFIX}/${dataset.id}`, { headers });
    assert.equal(datasetRes.status, 200);
    assert.equal(datasetRes.headers.get('content-type'), 'application/json');
    const forwardedDataset = await datasetRes.json();
    assert.equal(forwardedDataset.id, dataset.id);
    assert.equal(forwardedDataset.schema_version, 4);
    assert.deepEqual(forwardedDataset.imports.map((job) => [job.import_id, job.filename, job.status]),
      [[upload.import_id, 'a.jsonl', 'uninitialised']]);

    const jobRes = await fetch(`${server.url}${STATUS_PREFIX}/${dataset.id}/imports/${upload.import_id}`, { headers });
    assert.equal(jobRes.status, 200);
    const { created_at: createdAt, updated_at: updatedAt, ...job } = await jobRes.json();
    assert.deepEqual(job,
      { import_id: upload.import_id, dataset_id: dataset.id, type: 'jsonl', filename: 'a.jsonl', status: 'uninitialised' });
    assert.equal(createdAt, updatedAt);

    // Errors pass through: an unknown import job, a dataset the endpoint does not know.
    const noJob = await fetch(`${server.url}${STATUS_PREFIX}/${dataset.id}/imports/import-nope`);
    assert.equal(noJob.status, 404);
    assert.equal((await noJob.json()).error.detail, 'Import job not found.');
    const noDataset = await fetch(`${server.url}${STATUS_PREFIX}/no-such-dataset`);
    assert.equal(noDataset.status, 404);
    await noDataset.arrayBuffer();

    assert.deepEqual(server.mock.requests.map((r) => [r.method, r.path]), [
      ['GET', `${STATUS_PREFIX}/${dataset.id}`],
      ['GET', `${STATUS_PREFIX}/${dataset.id}/imports/${upload.import_id}`],
      ['GET', `${STATUS_PREFIX}/${dataset.id}/imports/import-nope`],
      ['GET', `${STATUS_PREFIX}/no-such-dataset`],
    ]);
    // The demo and status-<VALUE> ids read as V3 datasets, as real datasets do.
    const demo = await (await fetch(`${server.url}${STATUS_PREFIX}/status-PROCESSING`)).json();
    assert.deepEqual([demo.id, demo.schema_version, demo.status], [fixedDatasetUuid('status-PROCESSING'), 3, 'PROCESSING']);
    for (const forwarded of server.mock.requests) {
      assert.equal(forwarded.headers.authorization, 'Token mock-token');
      assert.equal(forwarded.headers.cookie, undefined);
    }
  });

  test('forwards dataset and import id segments exactly as received', async () => {
    for (const rawPath of [
      `${STATUS_PREFIX}/a%20b`,
      `${STATUS_PREFIX}/a%20b/imports/i%2Bj`,
      `${STATUS_PREFIX}/status`,
      `${STATUS_PREFIX}/imports/imports/imports`,
    ]) {
      server.mock.reset();
      const res = await rawRequest(server.url, rawPath);
      assert.equal(res.status, 404, rawPath); // the mock knows none of them
      assert.deepEqual(server.mock.requests.map((r) => r.path), [rawPath]);
    }
  });

  test('refuses other /api paths and methods without calling upstream', async () => {
    for (const rawPath of [
      '/api/v1/studies/',
      '/api/v1/data-collection/datasets',
      '/api/v1/data-collection/datasets/',
      '/api/v1/data-collection/datasets/x/',
      '/api/v1/data-collection/datasets/x/upload-url/file.csv',
      '/api/v1/data-collection/datasets/x/imports',
      '/api/v1/data-collection/datasets/x/imports/',
      '/api/v1/data-collection/datasets/x/imports/i/status',
      '/api/v1/data-collection/datasets/x/status/extra',
      '/api/v1/data-collection/datasets/../status',
      '/api/v1/data-collection/datasets/%2e%2e/status',
      '/api/v1/data-collection/datasets/a%2Fb/status',
      '/api/v1/data-collection/datasets//status',
      '/api/v1/data-collection/datasets/..',
      '/api/v1/data-collection/datasets/.',
      '/api/v1/data-collection/datasets/%2E',
      '/api/v1/data-collection/datasets/%2e%2E',
      '/api/v1/data-collection/datasets/a%2fb',
      '/api/v1/data-collection/datasets/a%5Cb',
      '/api/v1/data-collection/datasets/a%00b',
      '/api/v1/data-collection/datasets/bad%E0%A4%A',
      '/api/v1/data-collection/datasets/x/imports/..',
      '/api/v1/data-collection/datasets/x/imports/%2e%2e',
      '/api/v1/data-collection/datasets/x/imports/a%2Fb',
      '/api/v1/data-collection/datasets/%2e%2e/imports/i',
      '/api/v1/data-collection/datasets//imports/i',
      '/api',
    ]) {
      const res = await rawRequest(server.url, rawPath);
      assert.equal(res.status, 404, rawPath);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(JSON.parse(res.body).error.status, 404, rawPath);
    }
    // Creating a dataset is not forwarded: the dashboard only reads.
    const create = await fetch(`${server.url}${STATUS_PREFIX}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x', workspace_id: 'w' }),
    });
    assert.equal(create.status, 404);
    await create.arrayBuffer();
    for (const url of [
      statusUrl(server.url, 'status-READY'),
      `${server.url}${STATUS_PREFIX}/x`,
      `${server.url}${STATUS_PREFIX}/x/imports/i`,
    ]) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
        const res = await fetch(url, { method });
        assert.equal(res.status, 405, `${method} ${url}`);
        assert.equal(res.headers.get('allow'), 'GET');
        if (method !== 'HEAD') assert.equal((await res.json()).error.status, 405);
      }
    }
    assert.equal(server.mock.requests.length, 0);
  });

  test('turns an upstream redirect into 502 on every forwarded path', async () => {
    // An upstream that redirects everything (with the Location a real API could send).
    const redirecting = http.createServer((req, res) => {
      res.writeHead(302, { Location: 'http://example.test/elsewhere', 'Content-Length': '0' });
      res.end();
    });
    await new Promise((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${redirecting.address().port}`;
    const redirectServer = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 't', PROLIFIC_URL: upstreamUrl } });
    try {
      for (const rawPath of [`${STATUS_PREFIX}/x/status`, `${STATUS_PREFIX}/x`, `${STATUS_PREFIX}/x/imports/i`]) {
        const res = await fetch(`${redirectServer.url}${rawPath}`, { redirect: 'manual' });
        assert.equal(res.status, 502, rawPath);
        assert.equal(res.headers.get('location'), null);
        assert.match((await res.json()).error.detail, /Upstream redirect refused/);
      }
    } finally {
      await redirectServer.close();
      redirecting.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
    }
  });

  test('turns an upstream redirect into 502', async () => {
    const res = await fetch(statusUrl(server.url, 'redirect-same'), { redirect: 'manual' });
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('location'), null);
    const { error } = await res.json();
    assert.equal(error.status, 502);
    assert.match(error.detail, /Upstream redirect refused/);
    assert.equal(server.mock.requests.length, 1, 'the redirect is not followed');
  });
});

describe('dev server with PROLIFIC_TOKEN', () => {
  test('uses PROLIFIC_URL (with a path prefix) and adds PROLIFIC_TOKEN', async () => {
    const upstream = await startMockProlific({ token: 'real-token', pathPrefix: '/gateway' });
    const server = await startServer({
      port: 0,
      env: { PROLIFIC_TOKEN: 'real-token', PROLIFIC_URL: upstream.url },
    });
    try {
      assert.equal(server.mock, undefined);
      assert.equal(server.upstream, upstream.url);
      assert.ok(!JSON.stringify(server).includes('real-token'));
      const res = await fetch(statusUrl(server.url, 'status-READY'));
      assert.deepEqual(await res.json(), { status: 'READY' });
      assert.equal(upstream.requests[0].path, `/gateway${STATUS_PREFIX}/status-READY/status`);
      assert.equal(upstream.requests[0].headers.authorization, 'Token real-token');

      const dataset = await fetch(`${server.url}${STATUS_PREFIX}/some-dataset`);
      assert.equal(dataset.status, 404);
      await dataset.arrayBuffer();
      const job = await fetch(`${server.url}${STATUS_PREFIX}/some-dataset/imports/some-import`);
      assert.equal(job.status, 404);
      await job.arrayBuffer();
      assert.deepEqual(upstream.requests.slice(1).map((r) => [r.path, r.headers.authorization]), [
        [`/gateway${STATUS_PREFIX}/some-dataset`, 'Token real-token'],
        [`/gateway${STATUS_PREFIX}/some-dataset/imports/some-import`, 'Token real-token'],
      ]);
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  test('an upstream that echoes the token has it redacted before the page sees it', async () => {
    const upstream = await startMockProlific({ token: 'Real-Token-42' });
    const escaped = 'Real-Token-42'.split('').map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    upstream.setHandler('echo-escaped', (req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json', 'Retry-After': 'real-token-42' });
      res.end(`{"error":{"title":"${escaped}","detail":"raw Real-Token-42, lower real-token-42"}}`);
    });
    const server = await startServer({ port: 0, env: { PROLIFIC_TOKEN: 'Real-Token-42', PROLIFIC_URL: upstream.url } });
    try {
      for (const id of ['echo-token', 'echo-escaped']) {
        const res = await fetch(statusUrl(server.url, id));
        const text = await res.text();
        assert.equal(res.status, 400);
        assert.match(text, /\[REDACTED\]/);
        assert.ok(!/real-token-42/i.test(text), text);
        assert.ok(!text.includes('\\u0052'), text);
        assert.ok(!/real-token-42/i.test(res.headers.get('retry-after') ?? ''));
      }
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  test('an unreachable upstream is 502, a silent one 504', async () => {
    const upstream = await startMockProlific({ token: 'real-token' });
    const server = await startServer({
      port: 0,
      env: { PROLIFIC_TOKEN: 'real-token', PROLIFIC_URL: upstream.url },
      upstreamTimeoutMs: 200,
    });
    try {
      const slow = await fetch(statusUrl(server.url, 'slow-headers'));
      assert.equal(slow.status, 504);
      assert.equal((await slow.json()).error.status, 504);

      await upstream.close();
      const down = await fetch(statusUrl(server.url, 'status-READY'));
      assert.equal(down.status, 502);
      const { error } = await down.json();
      assert.equal(error.status, 502);
      assert.ok(!JSON.stringify(error).includes('real-token'));
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  test('refuses plain http to a non-loopback host', async () => {
    await assert.rejects(
      startServer({ port: 0, env: { PROLIFIC_TOKEN: 't', PROLIFIC_URL: 'http://example.com' } }),
      TypeError,
    );
  });
});

describe('the mock as a program (node:util parseArgs)', () => {
  const MOCK = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'scripts', 'mock-prolific.mjs');

  /** Runs the mock with `args` until it exits, or until it prints its URL (then stops it with SIGTERM). */
  function runMock(args) {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MOCK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the mock did not stop: ${stdout}${stderr}`)); }, 20_000);
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        stdout += chunk;
        if (/Mock Prolific API on http:\/\/127\.0\.0\.1:\d+/.test(stdout) && /Token check/.test(stdout)) child.kill('SIGTERM');
      });
      child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
      child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
  }

  test('unknown flags, values for a boolean and bad numbers are usage errors (exit 2)', async () => {
    for (const [args, message] of [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--no-token=x'], /--no-token/],
      [['--port', 'eighty'], /--port must be an integer from 0 to 65535/],
      [['--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['--time-scale=-1'], /--time-scale must be a number >= 0/],
      [['--time-scale', '-1'], /--time-scale' argument is ambiguous/],
      [['--time-scale', ''], /--time-scale must be a number >= 0/],
      [['stray'], /positional|Unexpected argument/i],
    ]) {
      const result = await runMock(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /Usage: node scripts\/mock-prolific\.mjs/);
    }
  });

  test('--help prints the usage; valid flags start the server', async () => {
    const help = await runMock(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: node scripts\/mock-prolific\.mjs/);
    const started = await runMock(['--port', '0', '--no-token', '--time-scale', '0.5']);
    assert.match(started.stdout, /Token check: off/);
    const custom = await runMock(['--port=0', '--token', 'secret-value']);
    assert.match(custom.stdout, /Token check: on \(send "Authorization: Token <the value given with --token>"\)/);
    assert.doesNotMatch(custom.stdout, /secret-value/);
  });
});
