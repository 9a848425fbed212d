// Faults found by trying to break the library: each test fails without its fix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  getDatasetStatus, waitForDataset, getDatasetStatuses, NetworkError,
} from './support/entry.mjs';
import { TOKEN, startMock } from './support/mock.mjs';

let mock;
let options;

before(async () => ({ mock, options } = await startMock()));
after(() => mock.close());

/** A raw TCP server that answers every request with `answer` (bytes as a string). */
async function rawServer(answer) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.write(answer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

describe('answers that are not HTTP answers', () => {
  for (const [name, answer] of [
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n'],
    ['status 000 with a status body', 'HTTP/1.1 000 Broken\r\nContent-Length: 18\r\n\r\n{"status":"READY"}'],
  ]) {
    test(`${name} is a NetworkError, even with no timeout`, async () => {
      const server = await rawServer(answer);
      try {
        await assert.rejects(getDatasetStatus('x', { baseUrl: server.url, token: TOKEN, timeoutMs: 0, maxRetries: 0 }),
          NetworkError);
      } finally {
        server.close();
      }
    });
  }
});

describe('timers longer than setTimeout can hold', () => {
  test('timeoutMs and deadlineMs of 2^31 ms and more do not fire at once', async () => {
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const server = http.createServer((req, res) => setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"READY"}');
    }, 150));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${server.address().port}`;
    try {
      assert.equal((await getDatasetStatus('x', { baseUrl, timeoutMs: 2 ** 31 })).status, 'READY');
      assert.equal((await getDatasetStatus('x', { baseUrl, timeoutMs: 10 * 2 ** 31 })).status, 'READY');
      assert.equal((await waitForDataset('x', { baseUrl, timeoutMs: 0, deadlineMs: 30 * 24 * 3600 * 1000 })).status,
        'READY');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((name) => name === 'TimeoutOverflowWarning'), []);
    } finally {
      process.off('warning', onWarning);
      server.close();
    }
  });
});

describe('options and inputs from the caller', () => {
  test('a polluted Object.prototype chooses neither the base URL, the token, nor a wait', async () => {
    const script = `
      import http from 'node:http';
      const hits = [];
      const attacker = http.createServer((req, res) => { hits.push(req.headers.authorization); res.end('{}'); });
      await new Promise((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      Object.prototype.baseUrl = 'http://127.0.0.1:' + attacker.address().port;
      Object.prototype.token = 'from-the-prototype';
      Object.prototype.wait = { intervalMs: 10, maxIntervalMs: 10, deadlineMs: 60000 };
      Object.prototype.onStatus = () => {};
      const { getDatasetStatus, createClient } = await import(${JSON.stringify(new URL('../src/js/node.js', import.meta.url).href)});
      const first = await getDatasetStatus('status-PROCESSING');
      const second = await createClient({}).getDatasetStatus('status-PROCESSING');
      attacker.close();
      console.log(JSON.stringify({ first, second, hits }));`;
    mock.reset();
    // Asynchronously: the mock answering the child runs in this process.
    const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8', timeout: 30000, env: { ...process.env, PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url },
    });
    const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1));
    assert.deepEqual(outcome.hits, [], 'nothing reached the prototype\'s base URL');
    assert.equal(outcome.first.status, 'PROCESSING', 'one read, not a wait');
    assert.equal(outcome.second.status, 'PROCESSING');
    assert.ok(mock.requests.every((request) => request.headers.authorization === `Token ${TOKEN}`));
    assert.equal(mock.requests.length, 2);
  });

  test('getDatasetStatuses reads the ids as they were at the call', async () => {
    const ids = ['status-READY', 'status-ERROR', 'status-PROCESSING', 'status-A', 'status-B'];
    const pending = getDatasetStatuses(ids, { ...options, concurrency: 1 });
    ids.length = 1;
    ids.push('changed');
    const results = await pending;
    assert.deepEqual(results.map((result) => result.status), ['READY', 'ERROR', 'PROCESSING', 'A', 'B']);
    // A sparse array reads its holes as undefined ids: TypeError entries, never holes.
    // eslint-disable-next-line no-sparse-arrays
    const sparse = await getDatasetStatuses(['status-READY', , 'status-ERROR'], options);
    assert.equal(sparse.length, 3);
    assert.ok(1 in sparse);
    assert.ok(sparse[1].error instanceof TypeError);
  });
});

describe('a status string holding an escaped NUL', () => {
  test('is passed through whole, never cut at the NUL (READY\\u0000… is not READY)', async () => {
    const server = await rawServer(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n' +
      '{"status":"READY\\u0000broken"}');
    try {
      const result = await getDatasetStatus('x', { baseUrl: server.url, token: TOKEN, maxRetries: 0 });
      assert.equal(result.status, 'READY\u0000broken');
    } finally {
      server.close();
    }
  });
});
