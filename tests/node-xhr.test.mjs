// Tests for src/js/node-xhr.js, the XMLHttpRequest stand-in handed to Emscripten's fetch glue
// in Node. Real servers on 127.0.0.1 (and `localhost`, a second origin on the same port).
// Run: node --test tests/node-xhr.test.mjs

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

import { NodeXMLHttpRequest, planRedirect, MAX_REDIRECTS } from '../src/js/node-xhr.js';

const MODULE_PATH = fileURLToPath(new URL('../src/js/node-xhr.js', import.meta.url));
const TOKEN = 'Token sekrit-0123456789abcdef';

// --- helpers -------------------------------------------------------------------------------------

/**
 * Starts an HTTP server on 127.0.0.1:0 with `routes` (path → handler(req, res, ctx)). Every
 * request is recorded with its method, path, headers and body.
 */
async function startServer(routes, { tls = null, keepAliveTimeout } = {}) {
  const requests = [];
  const sockets = new Set();
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      const record = {
        method: req.method,
        path: url.pathname,
        search: url.search,
        host: req.headers.host,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      Object.defineProperty(record, 'socket', { value: req.socket }); // not serialised by /echo
      requests.push(record);
      res.sendDate = false;
      const route = routes[url.pathname];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no route');
        return;
      }
      route(req, res, { url, record, server: ctx });
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const scheme = tls ? 'https' : 'http';
  const ctx = {
    server,
    port,
    requests,
    sockets,
    base: `${scheme}://127.0.0.1:${port}`,
    otherBase: `${scheme}://localhost:${port}`,
    async close() {
      server.closeAllConnections?.();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return ctx;
}

/** A raw TCP server that answers every connection with `respond(socket)`. */
async function startRawServer(respond) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => respond(socket));
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that nothing listens on. */
async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const EVENT_TYPES = ['readystatechange', 'loadstart', 'progress', 'load', 'error', 'timeout', 'abort', 'loadend'];

/** Sets every on* handler to record events as { type, readyState, status, loaded, total, lengthComputable }. */
function recordEvents(xhr) {
  const events = [];
  for (const type of EVENT_TYPES) {
    xhr[`on${type}`] = function handler(e) {
      assert.equal(this, xhr);
      assert.equal(e.type, type);
      const entry = { type, readyState: xhr.readyState, status: xhr.status };
      if ('loaded' in e) {
        entry.loaded = e.loaded;
        entry.total = e.total;
        entry.lengthComputable = e.lengthComputable;
      }
      events.push(entry);
    };
  }
  return events;
}

/**
 * Runs one request the way Emscripten's Fetch.js `fetchXHR` drives it, and resolves on loadend
 * with the xhr, its events, and the time it took.
 */
function run({ method = 'GET', url, headers = {}, body = null, timeout = 0, options, xhr: given, onEvents } = {}) {
  const xhr = given ?? new NodeXMLHttpRequest(options);
  xhr.withCredentials = false;
  xhr.open(method, url, true, undefined, undefined);
  xhr.timeout = timeout;
  xhr.url_ = url;
  xhr.responseType = 'arraybuffer';
  for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
  const events = recordEvents(xhr);
  onEvents?.(xhr, events);
  const started = Date.now();
  return new Promise((resolve) => {
    const recordLoadend = xhr.onloadend;
    xhr.onloadend = function loadend(e) {
      recordLoadend.call(this, e);
      resolve({ xhr, events, elapsed: Date.now() - started });
    };
    xhr.send(body);
    assert.deepEqual(events, [], 'no event is dispatched synchronously inside send()');
  });
}

const text = (buf) => Buffer.from(buf).toString('utf8');
const types = (events) => events.map((e) => e.type);
const stateChanges = (events) => events.filter((e) => e.type === 'readystatechange').map((e) => e.readyState);

function assertNetworkErrorState(xhr) {
  assert.equal(xhr.readyState, 4);
  assert.equal(xhr.status, 0);
  assert.equal(xhr.statusText, '');
  assert.equal(xhr.response, null);
  assert.equal(xhr.responseURL, '');
  assert.equal(xhr.getAllResponseHeaders(), '');
}

async function waitFor(predicate, ms = 2000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (predicate()) return true;
    await delay(10);
  }
  return predicate();
}

// --- the main HTTP server ----------------------------------------------------------------------

let srv;
const gzipBody = 'compressed '.repeat(500);

test.before(async () => {
  srv = await startServer({
    '/hello': (req, res) => {
      res.writeHead(200, 'OK', [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Content-Length', '11'],
        ['X-Multi', 'a'],
        ['X-Multi', 'b'],
        ['Set-Cookie', 'session=1'],
      ]);
      res.write('hello ');
      setTimeout(() => res.end('world'), 60);
    },
    '/echo': (req, res, { record }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(record));
    },
    '/not-found': (req, res) => {
      res.writeHead(404, 'Not Found', { 'content-type': 'application/json' });
      res.end('{"error":{"status":404}}');
    },
    '/empty': (req, res) => {
      res.writeHead(204);
      res.end();
    },
    '/reset-mid-body': (req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100, 0x61), () => setTimeout(() => res.socket.destroy(), 30));
    },
    '/hang': () => {},
    '/hang-body': (req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('first chunk');
    },
    '/slow-headers': (req, res) => {
      setTimeout(() => {
        if (!res.destroyed) res.end('late');
      }, 500);
    },
    '/redirect-same': (req, res) => {
      res.writeHead(302, { location: '/echo?from=same' });
      res.end();
    },
    '/redirect-cross': (req, res, { server }) => {
      res.writeHead(302, { location: `${server.otherBase}/echo?from=cross` });
      res.end();
    },
    '/redirect-cross-and-back': (req, res, { server }) => {
      res.writeHead(307, { location: `${server.otherBase}/redirect-back` });
      res.end();
    },
    '/redirect-back': (req, res, { server }) => {
      res.writeHead(308, { location: `${server.base}/echo?from=back` });
      res.end();
    },
    '/redirect-303': (req, res) => {
      res.writeHead(303, { location: '/echo' });
      res.end('see other');
    },
    '/redirect-301': (req, res) => {
      res.writeHead(301, { location: '/echo' });
      res.end();
    },
    '/redirect-307': (req, res) => {
      res.writeHead(307, { location: '/echo' });
      res.end();
    },
    '/redirect-no-location': (req, res) => {
      res.writeHead(302, { 'content-type': 'text/plain' });
      res.end('nowhere');
    },
    '/redirect-file': (req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    },
    '/loop': (req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    },
    '/hops': (req, res, { url }) => {
      const n = Number(url.searchParams.get('n'));
      if (n === 0) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('arrived');
      } else {
        res.writeHead(302, { location: `/hops?n=${n - 1}` });
        res.end();
      }
    },
    '/gzip': (req, res) => {
      const body = zlib.gzipSync(gzipBody);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(body);
    },
    '/deflate': (req, res) => {
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateSync(gzipBody));
    },
    '/deflate-raw': (req, res) => {
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(zlib.deflateRawSync(gzipBody));
    },
    '/br': (req, res) => {
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(zlib.brotliCompressSync(gzipBody));
    },
    '/gzip-corrupt': (req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(Buffer.from('this is not gzip at all'));
    },
    '/gzip-empty': (req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': '0' });
      res.end();
    },
  });
});

test.after(async () => {
  await srv.close();
});

// --- success path --------------------------------------------------------------------------------

test('200: body bytes, status, headers, progress and readyState sequence', async () => {
  const url = `${srv.base}/hello`;
  const { xhr, events } = await run({ url, headers: { 'X-A': '1', 'x-a': '2', Authorization: TOKEN } });

  assert.equal(xhr.readyState, 4);
  assert.equal(xhr.status, 200);
  assert.equal(xhr.statusText, 'OK');
  assert.equal(xhr.responseURL, url);
  assert.equal(xhr.errorCause, null);
  assert.ok(xhr.response instanceof ArrayBuffer);
  assert.equal(xhr.response.byteLength, 11);
  assert.equal(text(xhr.response), 'hello world');
  assert.equal(xhr.response, xhr.response, 'the same ArrayBuffer on every read');

  // readyState 2 → 3 → 4, then load and loadend; progress per chunk, in between.
  assert.equal(events[0].type, 'loadstart');
  assert.deepEqual(stateChanges(events), [2, 3, 4]);
  assert.deepEqual(types(events).slice(-3), ['readystatechange', 'load', 'loadend']);
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 2, `one progress event per chunk, got ${progress.length}`);
  assert.deepEqual(progress.map((e) => e.loaded), [6, 11]);
  for (const p of progress) {
    assert.equal(p.total, 11);
    assert.equal(p.lengthComputable, true);
    assert.equal(p.readyState, 3);
  }
  const load = events.find((e) => e.type === 'load');
  assert.equal(load.loaded, 11);
  assert.equal(load.total, 11);
  // readystatechange(3) comes before the first progress event.
  const firstLoading = events.findIndex((e) => e.type === 'readystatechange' && e.readyState === 3);
  assert.ok(firstLoading < events.findIndex((e) => e.type === 'progress'));

  // Response headers as the XHR standard serialises them.
  assert.equal(
    xhr.getAllResponseHeaders(),
    'connection: keep-alive\r\n'
      + 'content-length: 11\r\n'
      + 'content-type: text/plain; charset=utf-8\r\n'
      + 'keep-alive: timeout=5\r\n'
      + 'x-multi: a, b\r\n',
  );
  assert.equal(xhr.getResponseHeader('X-MULTI'), 'a, b');
  assert.equal(xhr.getResponseHeader('content-type'), 'text/plain; charset=utf-8');
  assert.equal(xhr.getResponseHeader('set-cookie'), null);
  assert.equal(xhr.getResponseHeader('nope'), null);

  // What the server received: merged header, Accept default, no Accept-Encoding.
  const seen = srv.requests.at(-1);
  assert.equal(seen.method, 'GET');
  assert.equal(seen.headers['x-a'], '1, 2');
  assert.equal(seen.headers.authorization, TOKEN);
  assert.equal(seen.headers.accept, '*/*');
  assert.equal(seen.headers['accept-encoding'], undefined);

  // Fetch.js assigns xhr.status in strict mode; this module is strict too.
  xhr.status = 200;
  assert.equal(xhr.status, 200);
  assert.equal(xhr.url_, url, 'arbitrary expando properties are kept');
});

test('text responseType decodes UTF-8; json parses', async () => {
  const xhr = new NodeXMLHttpRequest();
  xhr.open('POST', `${srv.base}/echo`);
  xhr.responseType = 'json';
  const done = new Promise((resolve) => { xhr.onload = resolve; });
  xhr.send('héllo');
  await done;
  assert.equal(xhr.response.method, 'POST');
  assert.equal(xhr.response.body, 'héllo');
  assert.equal(xhr.response.headers['content-type'], 'text/plain;charset=UTF-8');
  assert.equal(xhr.response.headers['content-length'], String(Buffer.byteLength('héllo')));

  const t = new NodeXMLHttpRequest();
  t.open('GET', `${srv.base}/hello`);
  const done2 = new Promise((resolve) => { t.onload = resolve; });
  t.send();
  await done2;
  assert.equal(t.response, 'hello world');
  assert.equal(t.responseText, 'hello world');
});

test('404 is delivered through onload with its body', async () => {
  const { xhr, events } = await run({ url: `${srv.base}/not-found` });
  assert.deepEqual(types(events).filter((t) => t !== 'progress' && t !== 'readystatechange'), ['loadstart', 'load', 'loadend']);
  assert.equal(xhr.status, 404);
  assert.equal(xhr.statusText, 'Not Found');
  assert.equal(text(xhr.response), '{"error":{"status":404}}');
  assert.equal(xhr.errorCause, null);
});

test('204 with no body goes from HEADERS_RECEIVED straight to DONE', async () => {
  const { xhr, events } = await run({ url: `${srv.base}/empty` });
  assert.equal(xhr.status, 204);
  assert.deepEqual(stateChanges(events), [2, 4]);
  assert.equal(xhr.response.byteLength, 0);
  const progress = events.filter((e) => e.type === 'progress');
  assert.deepEqual(progress.map((e) => e.loaded), [0]);
});

// --- network errors ------------------------------------------------------------------------------

test('refused port: onerror with errorCause ECONNREFUSED, no header value in the message', async () => {
  const port = await freePort();
  const { xhr, events } = await run({ url: `http://127.0.0.1:${port}/x`, headers: { Authorization: TOKEN } });
  assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'error', 'loadend']);
  assertNetworkErrorState(xhr);
  assert.equal(xhr.errorCause.code, 'ECONNREFUSED');
  assert.match(xhr.errorCause.message, /ECONNREFUSED/);
  assert.ok(!xhr.errorCause.message.includes('sekrit'));
  assert.deepEqual(Object.keys(xhr.errorCause).sort(), ['code', 'message']);
  const error = events.find((e) => e.type === 'error');
  assert.equal(error.loaded, 0);
  assert.equal(error.total, 0);
});

test('DNS failure: onerror', async () => {
  const { xhr } = await run({ url: 'http://no-such-host.invalid/' });
  assertNetworkErrorState(xhr);
  assert.ok(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL'].includes(xhr.errorCause.code), xhr.errorCause.code);
});

test('connection reset mid-body: onerror after some progress', async () => {
  const { xhr, events } = await run({ url: `${srv.base}/reset-mid-body` });
  assert.ok(events.some((e) => e.type === 'progress' && e.loaded === 100));
  assert.deepEqual(types(events).slice(-3), ['readystatechange', 'error', 'loadend']);
  assert.ok(!events.some((e) => e.type === 'load'));
  assertNetworkErrorState(xhr);
  assert.equal(xhr.errorCause.code, 'ECONNRESET');
});

test('Content-Length longer than the body, then close: onerror', async () => {
  const raw = await startRawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    setTimeout(() => socket.end(), 30);
  });
  try {
    const { xhr, events } = await run({ url: `${raw.base}/` });
    assert.ok(events.some((e) => e.type === 'progress' && e.loaded === 5));
    assert.ok(events.some((e) => e.type === 'error'));
    assert.ok(!events.some((e) => e.type === 'load'));
    assertNetworkErrorState(xhr);
    assert.equal(xhr.errorCause.code, 'ECONNRESET');
  } finally {
    await raw.close();
  }
});

test('chunked body without its last chunk, then close: onerror', async () => {
  const raw = await startRawServer((socket) => {
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    setTimeout(() => socket.end(), 30);
  });
  try {
    const { xhr, events } = await run({ url: `${raw.base}/` });
    assert.ok(events.some((e) => e.type === 'error'));
    assertNetworkErrorState(xhr);
  } finally {
    await raw.close();
  }
});

test('socket closed before any response: onerror', async () => {
  const raw = await startRawServer((socket) => socket.destroy());
  try {
    const { xhr, events } = await run({ url: `${raw.base}/` });
    assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'error', 'loadend']);
    assertNetworkErrorState(xhr);
    assert.equal(xhr.errorCause.code, 'ECONNRESET');
  } finally {
    await raw.close();
  }
});

test('unsupported URL scheme fails asynchronously with a network error', async () => {
  const { xhr, events } = await run({ url: 'ftp://127.0.0.1/x' });
  assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'error', 'loadend']);
  assert.equal(xhr.errorCause.code, 'ERR_UNSUPPORTED_SCHEME');
});

// --- timeout and abort ---------------------------------------------------------------------------

test('timeout before headers: ontimeout, status 0, socket closed', async () => {
  const before = srv.requests.length;
  const { xhr, events, elapsed } = await run({ url: `${srv.base}/hang`, timeout: 150 });
  assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'timeout', 'loadend']);
  assertNetworkErrorState(xhr);
  assert.equal(xhr.errorCause.code, 'ETIMEDOUT');
  assert.ok(elapsed >= 140 && elapsed < 2000, `elapsed ${elapsed} ms`);
  assert.equal(srv.requests.length, before + 1);
  const serverSocket = srv.requests.at(-1).socket;
  assert.ok(await waitFor(() => serverSocket.destroyed), 'the server sees the connection closed');
});

test('timeout covers the body too', async () => {
  const { xhr, events, elapsed } = await run({ url: `${srv.base}/hang-body`, timeout: 200 });
  assert.ok(events.some((e) => e.type === 'progress' && e.loaded === 11));
  assert.deepEqual(types(events).slice(-3), ['readystatechange', 'timeout', 'loadend']);
  assertNetworkErrorState(xhr);
  assert.ok(elapsed >= 190 && elapsed < 2000, `elapsed ${elapsed} ms`);
});

test('abort() in flight: abort events, readyState 0, no later events, socket gone', async () => {
  const xhr = new NodeXMLHttpRequest();
  const events = recordEvents(xhr);
  xhr.open('GET', `${srv.base}/hang-body`);
  xhr.responseType = 'arraybuffer';
  const gotProgress = new Promise((resolve) => {
    const record = xhr.onprogress;
    xhr.onprogress = function progress(e) {
      record.call(this, e);
      resolve();
    };
  });
  xhr.send();
  await gotProgress;
  const serverSocket = srv.requests.at(-1).socket;
  assert.equal(srv.requests.at(-1).path, '/hang-body');
  const before = events.length;
  xhr.abort();
  // The XHR standard's abort steps run synchronously.
  assert.deepEqual(events.slice(before).map((e) => [e.type, e.readyState]),
    [['readystatechange', 4], ['abort', 4], ['loadend', 4]]);
  assert.equal(xhr.readyState, 0);
  assert.equal(xhr.status, 0);
  assert.equal(xhr.response, null);
  assert.equal(xhr.errorCause.code, 'ABORT_ERR');
  const count = events.length;
  assert.ok(await waitFor(() => serverSocket.destroyed), 'the server-side socket closes');
  await delay(150);
  assert.equal(events.length, count, 'nothing fires after abort()');
  // Twice, and after completion: harmless.
  xhr.abort();
  assert.equal(xhr.readyState, 0);
  assert.equal(events.length, count);
});

test('abort() with handlers nulled (as the C++ side does) fires nothing and closes the socket', async () => {
  const before = srv.requests.length;
  const xhr = new NodeXMLHttpRequest();
  const events = recordEvents(xhr);
  xhr.open('GET', `${srv.base}/slow-headers`);
  xhr.send();
  assert.ok(await waitFor(() => srv.requests.length === before + 1));
  const serverSocket = srv.requests.at(-1).socket;
  for (const type of EVENT_TYPES) xhr[`on${type}`] = null;
  xhr.abort();
  assert.equal(xhr.readyState, 0);
  assert.ok(await waitFor(() => serverSocket.destroyed), 'the server-side socket closes');
  await delay(600); // past the server's late answer
  assert.deepEqual(events.map((e) => [e.type, e.readyState]), [['readystatechange', 1], ['loadstart', 1]]);
});

test('abort() before the request left and after completion', async () => {
  const xhr = new NodeXMLHttpRequest();
  const events = recordEvents(xhr);
  const before = srv.requests.length;
  xhr.open('GET', `${srv.base}/echo`);
  xhr.send();
  xhr.abort(); // synchronously after send(): nothing leaves
  assert.deepEqual(types(events), ['readystatechange', 'readystatechange', 'abort', 'loadend']);
  await delay(100);
  assert.equal(srv.requests.length, before);

  const done = await run({ url: `${srv.base}/echo` });
  done.xhr.abort();
  assert.equal(done.xhr.readyState, 0);
  done.xhr.abort();
});

// --- redirects -----------------------------------------------------------------------------------

test('same-origin redirect keeps Authorization and Cookie', async () => {
  const { xhr } = await run({
    url: `${srv.base}/redirect-same`,
    headers: { Authorization: TOKEN, Cookie: 'a=b', 'X-Custom': 'kept' },
  });
  assert.equal(xhr.status, 200);
  assert.equal(xhr.responseURL, `${srv.base}/echo?from=same`);
  const seen = JSON.parse(text(xhr.response));
  assert.equal(seen.path, '/echo');
  assert.equal(seen.headers.authorization, TOKEN);
  assert.equal(seen.headers.cookie, 'a=b');
  assert.equal(seen.headers['x-custom'], 'kept');
});

test('cross-origin redirect (127.0.0.1 → localhost) drops Authorization and Cookie', async () => {
  const { xhr } = await run({
    url: `${srv.base}/redirect-cross`,
    headers: { Authorization: TOKEN, Cookie: 'a=b', 'X-Custom': 'kept' },
  });
  assert.equal(xhr.status, 200);
  assert.equal(xhr.responseURL, `${srv.otherBase}/echo?from=cross`);
  const seen = JSON.parse(text(xhr.response));
  assert.equal(seen.host, `localhost:${srv.port}`);
  assert.equal(seen.headers.authorization, undefined);
  assert.equal(seen.headers.cookie, undefined);
  assert.equal(seen.headers['x-custom'], 'kept');
  assert.ok(!JSON.stringify(srv.requests.filter((r) => r.host.startsWith('localhost'))).includes('sekrit'));
});

test('credentials stay dropped when a later redirect returns to the original origin', async () => {
  const { xhr } = await run({
    method: 'POST',
    url: `${srv.base}/redirect-cross-and-back`,
    headers: { Authorization: TOKEN },
    body: new Uint8Array([1, 2, 3]),
  });
  const seen = JSON.parse(text(xhr.response));
  assert.equal(seen.host, `127.0.0.1:${srv.port}`);
  assert.equal(seen.method, 'POST', '307 and 308 keep the method');
  assert.equal(seen.body, '\u0001\u0002\u0003', 'and the body');
  assert.equal(seen.headers.authorization, undefined);
});

test('a 303 or 301 that would drop a POST body is refused; 307 keeps POST and body', async () => {
  const headers = { 'Content-Type': 'application/json' };
  for (const route of ['/redirect-303', '/redirect-301']) {
    const { xhr } = await run({ method: 'POST', url: `${srv.base}${route}`, headers, body: '{"a":1}' });
    assertNetworkErrorState(xhr);
    assert.equal(xhr.errorCause.code, 'ERR_REDIRECT_DROPS_BODY', route);
  }
  const { xhr } = await run({ method: 'POST', url: `${srv.base}/redirect-307`, headers, body: '{"a":1}' });
  const seen = JSON.parse(text(xhr.response));
  assert.equal(seen.method, 'POST');
  assert.equal(seen.body, '{"a":1}');
  assert.equal(seen.headers['content-type'], 'application/json');
});

test('redirect status without Location is delivered as the response', async () => {
  const { xhr } = await run({ url: `${srv.base}/redirect-no-location` });
  assert.equal(xhr.status, 302);
  assert.equal(text(xhr.response), 'nowhere');
});

test('redirect to a non-http(s) scheme is a network error', async () => {
  const { xhr } = await run({ url: `${srv.base}/redirect-file` });
  assertNetworkErrorState(xhr);
  assert.equal(xhr.errorCause.code, 'ERR_REDIRECT_UNSUPPORTED_SCHEME');
});

test('redirect loop: ERR_TOO_MANY_REDIRECTS after following 20', async () => {
  const before = srv.requests.length;
  const { xhr, events } = await run({ url: `${srv.base}/loop` });
  assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'error', 'loadend']);
  assertNetworkErrorState(xhr);
  assert.equal(xhr.errorCause.code, 'ERR_TOO_MANY_REDIRECTS');
  assert.equal(srv.requests.length - before, MAX_REDIRECTS + 1, 'the first request and 20 redirects');
});

test('exactly 20 redirects are followed', async () => {
  const { xhr } = await run({ url: `${srv.base}/hops?n=20` });
  assert.equal(xhr.status, 200);
  assert.equal(text(xhr.response), 'arrived');
  assert.equal(xhr.responseURL, `${srv.base}/hops?n=0`);
  const { xhr: over } = await run({ url: `${srv.base}/hops?n=21` });
  assert.equal(over.errorCause.code, 'ERR_TOO_MANY_REDIRECTS');
});

test('planRedirect: the decision function', () => {
  const base = { status: 302, method: 'GET', redirectCount: 0 };
  const same = planRedirect({ ...base, location: '/b', currentUrl: 'http://127.0.0.1:8080/a', originalUrl: 'http://127.0.0.1:8080/a' });
  assert.equal(same.ok, true);
  assert.equal(same.url.href, 'http://127.0.0.1:8080/b');
  assert.equal(same.crossOrigin, false);

  for (const location of ['http://localhost:8080/b', 'https://127.0.0.1:8080/b', 'http://127.0.0.1:8081/b']) {
    const p = planRedirect({ ...base, location, currentUrl: 'http://127.0.0.1:8080/a', originalUrl: 'http://127.0.0.1:8080/a' });
    assert.equal(p.ok, true, location);
    assert.equal(p.crossOrigin, true, location);
  }
  // Compared with the ORIGINAL origin, not only the current one.
  const back = planRedirect({ ...base, location: 'http://b.test/x', currentUrl: 'http://b.test/y', originalUrl: 'http://a.test/' });
  assert.equal(back.crossOrigin, true);
  // Default ports are the same origin.
  assert.equal(planRedirect({ ...base, location: 'https://a.test:443/x', currentUrl: 'https://a.test/', originalUrl: 'https://a.test/' }).crossOrigin, false);

  const down = planRedirect({ ...base, location: 'http://a.test/', currentUrl: 'https://a.test/', originalUrl: 'https://a.test/' });
  assert.deepEqual([down.ok, down.code], [false, 'ERR_REDIRECT_DOWNGRADE']);
  const up = planRedirect({ ...base, location: 'https://a.test/', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' });
  assert.deepEqual([up.ok, up.crossOrigin], [true, true]);

  const many = planRedirect({ ...base, redirectCount: 20, location: '/x', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' });
  assert.deepEqual([many.ok, many.code], [false, 'ERR_TOO_MANY_REDIRECTS']);
  assert.equal(planRedirect({ ...base, redirectCount: 19, location: '/x', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' }).ok, true);

  assert.equal(planRedirect({ ...base, location: 'javascript:alert(1)', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' }).code,
    'ERR_REDIRECT_UNSUPPORTED_SCHEME');
  assert.equal(planRedirect({ ...base, location: 'http://[bad', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' }).code,
    'ERR_INVALID_REDIRECT');
  assert.equal(planRedirect({ ...base, location: 'http://u:p@b.test/', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' }).code,
    'ERR_REDIRECT_CREDENTIALS');

  // Same-origin targets with credentials are refused too: they would add a Basic Authorization.
  assert.equal(planRedirect({ ...base, location: 'http://u:p@a.test/', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' }).code,
    'ERR_REDIRECT_CREDENTIALS');

  const m = (status, method) => {
    const p = planRedirect({ status, method, redirectCount: 0, location: '/x', currentUrl: 'http://a.test/', originalUrl: 'http://a.test/' });
    return p.ok ? [p.method, p.dropBody] : p.code;
  };
  // Redirects that would turn a request with a body into a GET without it are refused.
  assert.equal(m(303, 'POST'), 'ERR_REDIRECT_DROPS_BODY');
  assert.equal(m(303, 'PUT'), 'ERR_REDIRECT_DROPS_BODY');
  assert.deepEqual(m(303, 'HEAD'), ['HEAD', false]);
  assert.deepEqual(m(303, 'GET'), ['GET', false]);
  assert.equal(m(302, 'POST'), 'ERR_REDIRECT_DROPS_BODY');
  assert.equal(m(301, 'POST'), 'ERR_REDIRECT_DROPS_BODY');
  assert.deepEqual(m(302, 'PUT'), ['PUT', false]);
  assert.deepEqual(m(307, 'POST'), ['POST', false]);
  assert.deepEqual(m(308, 'POST'), ['POST', false]);
});

// --- content coding ------------------------------------------------------------------------------

test('gzip body is decompressed; progress counts decompressed bytes', async () => {
  const { xhr, events } = await run({ url: `${srv.base}/gzip` });
  assert.equal(xhr.status, 200);
  assert.equal(text(xhr.response), gzipBody);
  assert.equal(xhr.getResponseHeader('content-encoding'), 'gzip');
  const progress = events.filter((e) => e.type === 'progress');
  assert.equal(progress.at(-1).loaded, Buffer.byteLength(gzipBody));
  assert.equal(progress.at(-1).total, 0, 'Content-Length counts compressed bytes, so total is unknown');
  assert.equal(progress.at(-1).lengthComputable, false);
  assert.equal(srv.requests.at(-1).headers['accept-encoding'], undefined);
});

test('deflate (zlib and raw) and br bodies are decompressed', async () => {
  for (const route of ['/deflate', '/deflate-raw', '/br']) {
    const { xhr } = await run({ url: `${srv.base}${route}` });
    assert.equal(xhr.status, 200, route);
    assert.equal(text(xhr.response), gzipBody, route);
  }
});

test('empty gzip body is an empty response; corrupt gzip is a network error', async () => {
  const { xhr } = await run({ url: `${srv.base}/gzip-empty` });
  assert.equal(xhr.status, 200);
  assert.equal(xhr.response.byteLength, 0);
  const { xhr: bad, events } = await run({ url: `${srv.base}/gzip-corrupt` });
  assert.ok(events.some((e) => e.type === 'error'));
  assertNetworkErrorState(bad);
  assert.equal(bad.errorCause.code, 'ERR_CONTENT_DECODING_FAILED');
});

// --- API rules -----------------------------------------------------------------------------------

test('state and argument checks throw like the XHR standard', () => {
  const xhr = new NodeXMLHttpRequest();
  assert.equal(xhr.readyState, NodeXMLHttpRequest.UNSENT);
  assert.equal(xhr.DONE, 4);
  assert.throws(() => xhr.setRequestHeader('a', 'b'), { name: 'InvalidStateError' });
  assert.throws(() => xhr.send(), { name: 'InvalidStateError' });
  assert.throws(() => xhr.open('GET', 'not a url'), { name: 'SyntaxError' });
  assert.throws(() => xhr.open('GE T', 'http://a.test/'), { name: 'SyntaxError' });
  assert.throws(() => xhr.open('TRACE', 'http://a.test/'), { name: 'SecurityError' });
  assert.throws(() => xhr.open('GET', 'http://a.test/', false), { name: 'NotSupportedError' });
  xhr.open('get', 'http://a.test/');
  assert.equal(xhr.readyState, 1);
  assert.throws(() => xhr.setRequestHeader('bad name', 'x'), { name: 'SyntaxError' });
  assert.throws(() => xhr.setRequestHeader('X-A', 'a\r\nInjected: 1'), { name: 'SyntaxError' });
  assert.throws(() => xhr.setRequestHeader('X-A', 'a\u0000b'), { name: 'SyntaxError' });
  assert.throws(() => xhr.setRequestHeader('X-A', '\u0100'), TypeError);
  assert.throws(() => new NodeXMLHttpRequest({ bogus: 1 }), TypeError);
  assert.equal('XMLHttpRequest' in globalThis, false, 'no global is written');
});

test('framing headers cannot be set; the method is upper-cased', async () => {
  const { xhr } = await run({
    method: 'post',
    url: `${srv.base}/echo`,
    headers: { 'Content-Length': '999', Host: 'evil.test', 'Transfer-Encoding': 'chunked', Connection: 'close' },
    body: 'abc',
  });
  const seen = JSON.parse(text(xhr.response));
  assert.equal(seen.method, 'POST');
  assert.equal(seen.headers['content-length'], '3');
  assert.equal(seen.host, `127.0.0.1:${srv.port}`);
  assert.equal(seen.headers['transfer-encoding'], undefined);
  assert.equal(seen.body, 'abc');
});

test('an exception thrown by a handler neither stops the request nor escapes it', async () => {
  const xhr = new NodeXMLHttpRequest();
  const boom = new Error('handler failure');
  const uncaught = [];
  const listener = (err) => uncaught.push(err);
  process.prependListener('uncaughtException', listener);
  const reported = [];
  NodeXMLHttpRequest.onHandlerError = (err) => reported.push(err);
  try {
    xhr.open('GET', `${srv.base}/hello`);
    xhr.responseType = 'arraybuffer';
    xhr.onreadystatechange = () => { throw boom; };
    const loaded = new Promise((resolve) => { xhr.onload = resolve; });
    xhr.send();
    await loaded;
    await delay(10);
    assert.equal(text(xhr.response), 'hello world');
    assert.deepEqual(uncaught, [], 'nothing reaches the process');
    assert.ok(reported.length >= 1 && reported.every((e) => e === boom));
  } finally {
    NodeXMLHttpRequest.onHandlerError = null;
    process.removeListener('uncaughtException', listener);
  }
});

test('a child process whose handler throws keeps running', async () => {
  const script = `
    import http from 'node:http';
    import { NodeXMLHttpRequest } from ${JSON.stringify(new URL('../src/js/node-xhr.js', import.meta.url).href)};
    const server = http.createServer((req, res) => res.end('x')).listen(0, '127.0.0.1', () => {
      const xhr = new NodeXMLHttpRequest();
      xhr.open('GET', 'http://127.0.0.1:' + server.address().port + '/');
      xhr.onload = () => { throw new Error('from onload'); };
      xhr.send();
      setTimeout(() => { console.log('still alive'); server.close(); }, 100);
    });`;
  const { spawnSync } = await import('node:child_process');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10000 });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /still alive/);
});

for (const [name, answer, code] of [
  ['a 101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'ERR_UNEXPECTED_UPGRADE'],
  ['status 000', 'HTTP/1.1 000 Broken\r\nContent-Length: 18\r\n\r\n{"status":"READY"}', 'ERR_INVALID_HTTP_STATUS'],
  ['status 099', 'HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}', 'ERR_INVALID_HTTP_STATUS'],
]) {
  test(`${name} is a network error, never a hang or a success`, async () => {
    const net = await import('node:net');
    const server = net.createServer((socket) => {
      socket.once('data', () => { socket.write(answer); });
      socket.on('error', () => {});
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const xhr = new NodeXMLHttpRequest();
      xhr.open('GET', `http://127.0.0.1:${server.address().port}/`);
      xhr.responseType = 'arraybuffer';
      const outcome = await new Promise((resolve) => {
        xhr.onload = () => resolve('load');
        xhr.onerror = () => resolve('error');
        xhr.send();
      });
      assert.equal(outcome, 'error');
      assert.equal(xhr.status, 0);
      assert.equal(xhr.errorCause.code, code);
    } finally {
      server.close();
    }
  });
}

// --- keep-alive and process lifetime ------------------------------------------------------------

test('connections are reused (one keep-alive agent)', async () => {
  const local = await startServer({ '/x': (req, res) => res.end('x') }, { keepAliveTimeout: 10000 });
  try {
    const ports = new Set();
    local.server.on('request', (req) => ports.add(req.socket.remotePort));
    for (let i = 0; i < 3; i += 1) {
      const { xhr } = await run({ url: `${local.base}/x` });
      assert.equal(xhr.status, 200);
    }
    assert.equal(ports.size, 1);
  } finally {
    await local.close();
  }
});

test('a keep-alive connection the server closed on reuse is retried once for GET, not for POST', async () => {
  // Each connection answers its first request and resets on the second one, like a server
  // whose keep-alive timeout expired just as the client reused the idle connection.
  let connections = 0;
  let requestsSeen = 0;
  const sockets = new Set();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let answered = false;
    socket.on('data', () => {
      requestsSeen += 1;
      if (answered) {
        socket.destroy();
        return;
      }
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const first = await run({ url: `${base}/1` });
    assert.equal(first.xhr.status, 200);
    const second = await run({ url: `${base}/2` });
    assert.equal(second.xhr.status, 200, 'retried on a new connection');
    assert.equal(text(second.xhr.response), 'ok');
    assert.equal(connections, 2);
    assert.equal(requestsSeen, 3, 'the second request went out twice: reused socket, then a new one');
    const post = await run({ method: 'POST', url: `${base}/3`, body: 'x' });
    assertNetworkErrorState(post.xhr);
    assert.equal(post.xhr.errorCause.code, 'ECONNRESET');
    assert.equal(connections, 2, 'POST is not retried');
    assert.equal(requestsSeen, 4);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('timeout set while the request is in flight counts from send()', async () => {
  const xhr = new NodeXMLHttpRequest();
  xhr.open('GET', `${srv.base}/hang`);
  const started = Date.now();
  const timedOut = new Promise((resolve) => { xhr.ontimeout = resolve; });
  xhr.send();
  await delay(100);
  xhr.timeout = 150;
  await timedOut;
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 140 && elapsed < 400, `elapsed ${elapsed} ms`);
  assert.equal(xhr.readyState, 4);
});

test('HEAD: headers without a body', async () => {
  const { xhr, events } = await run({ method: 'HEAD', url: `${srv.base}/hello` });
  assert.equal(xhr.status, 200);
  assert.equal(xhr.getResponseHeader('content-length'), '11');
  assert.equal(xhr.response.byteLength, 0);
  assert.deepEqual(stateChanges(events), [2, 4]);
});

test('a child process doing one request exits on its own (idle sockets are unref\'d)', async () => {
  const local = await startServer({ '/x': (req, res) => res.end('x') }, { keepAliveTimeout: 60000 });
  try {
    const code = `
      import { NodeXMLHttpRequest } from ${JSON.stringify(pathToFileURL(MODULE_PATH).href)};
      const xhr = new NodeXMLHttpRequest();
      xhr.open('GET', ${JSON.stringify(`${local.base}/x`)});
      xhr.onload = () => console.log(xhr.status, xhr.getResponseHeader('connection'));
      xhr.onerror = () => { console.log('error', xhr.errorCause.code); process.exitCode = 1; };
      xhr.send();
    `;
    const started = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const killer = setTimeout(() => child.kill(), 10000);
    const [exitCode] = await once(child, 'exit');
    clearTimeout(killer);
    const elapsed = Date.now() - started;
    assert.equal(stderr, '');
    assert.equal(stdout.trim(), '200 keep-alive', 'the connection was kept alive, not closed');
    assert.equal(exitCode, 0);
    assert.ok(elapsed < 5000, `child exited after ${elapsed} ms`);
  } finally {
    await local.close();
  }
});

// --- TLS -----------------------------------------------------------------------------------------

function makeCertificate() {
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (openssl.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-xhr-test-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { encoding: 'utf8' });
  try {
    if (r.status !== 0) return null;
    return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('https: works with a trusted CA, and never redirects down to http:', async (t) => {
  const pem = makeCertificate();
  if (!pem) {
    t.skip('openssl cannot make a test certificate here');
    return;
  }
  const plain = await startServer({ '/echo': (req, res) => res.end('plain http reached') });
  const secure = await startServer({
    '/hello': (req, res) => res.end('secure hello'),
    '/downgrade': (req, res) => {
      res.writeHead(302, { location: `${plain.base}/echo` });
      res.end();
    },
    '/upgrade-same': (req, res) => {
      res.writeHead(302, { location: '/hello' });
      res.end();
    },
  }, { tls: { key: pem.key, cert: pem.cert } });
  try {
    const options = { ca: pem.cert };
    const { xhr } = await run({ url: `${secure.base}/hello`, options, headers: { Authorization: TOKEN } });
    assert.equal(xhr.status, 200);
    assert.equal(text(xhr.response), 'secure hello');
    assert.equal(secure.requests.at(-1).headers.authorization, TOKEN);

    const { xhr: same } = await run({ url: `${secure.base}/upgrade-same`, options });
    assert.equal(text(same.response), 'secure hello');

    const { xhr: down, events } = await run({ url: `${secure.base}/downgrade`, options, headers: { Authorization: TOKEN } });
    assert.deepEqual(types(events), ['loadstart', 'readystatechange', 'error', 'loadend']);
    assertNetworkErrorState(down);
    assert.equal(down.errorCause.code, 'ERR_REDIRECT_DOWNGRADE');
    assert.equal(plain.requests.length, 0, 'nothing was sent over plain http');

    // Untrusted certificate without the CA: a TLS network error.
    const { xhr: untrusted } = await run({ url: `${secure.base}/hello` });
    assertNetworkErrorState(untrusted);
    assert.match(untrusted.errorCause.code, /CERT|SELF_SIGNED/);
  } finally {
    await secure.close();
    await plain.close();
  }
});
