/**
 * The dashboard server: the static half (static.js) and the token-carrying proxy half (proxy.js)
 * behind the checks every request passes (guard.js). Used by `prolific-dataset-status serve` and
 * `npm start` alike.
 *
 *   /healthz            → 200 {"ok":true} (never touches upstream, needs no credentials)
 *   /server.json        → how the page's /api/ is served: {"api":"mock"|"prolific","upstream":…}
 *   /api/…              → proxy.js (dataset reads only, token added here)
 *   /pkg/src/js/*, /pkg/dist/*, /* → static.js (the package's JS, the built module, web/)
 * @module
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadCoalescer, UpstreamBudget } from './coalesce.js';
import { accessLogLine, createBasicAuthCheck, createHostCheck, hostHeaders, parseHostHeader, WWW_AUTHENTICATE } from './guard.js';
import { createUpstreamReader, handleApi } from './proxy.js';
import { basicAuthFromEnv, upstreamFromEnv } from './settings.js';
import { sendJson, sendText, serveStatic } from './static.js';

const MOCK_TOKEN = 'mock-token';
/** The package root: the folder holding web/, src/js/ and dist/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The request's path (raw, no query), or null when the request target is not origin-form. */
function requestPath(req) {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return null;
  return target.split(/[?#]/)[0];
}

/**
 * Counts the body bytes handed to `res` (write and end) and notes the Content-Length given to
 * writeHead, for the access log: headers given to writeHead are not visible to getHeader.
 * @param {import('node:http').ServerResponse} res
 * @returns {{ bytes: () => number, delivered: () => boolean }} `bytes`: the body bytes so far (0
 *   for HEAD); `delivered`: the answer ended, or all its Content-Length bytes went out (a piped
 *   file calls end() only after its last chunk, and the viewer may hang up in between)
 */
function countBodyBytes(res) {
  let count = 0;
  const add = (chunk, encoding) => {
    if (chunk == null || typeof chunk === 'function') return;
    count += typeof chunk === 'string' ? Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk.length;
  };
  let declared;
  const { write, end, writeHead } = res;
  res.writeHead = function notedWriteHead(status, ...rest) {
    const headers = rest.find((item) => item && typeof item === 'object' && !Array.isArray(item));
    const length = headers && Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length');
    if (length) declared = Number(length[1]);
    return writeHead.call(this, status, ...rest);
  };
  res.write = function countedWrite(chunk, encoding, callback) {
    add(chunk, encoding);
    return write.call(this, chunk, encoding, callback);
  };
  res.end = function countedEnd(chunk, encoding, callback) {
    add(chunk, encoding);
    return end.call(this, chunk, encoding, callback);
  };
  const head = res.req?.method === 'HEAD';
  return {
    bytes: () => (head ? 0 : count),
    delivered: () => res.writableEnded || (!head && declared !== undefined && count >= declared),
  };
}

/** What a 421 says: which option lets this name in (the name cut to a safe, short form). */
function misdirectedText(hostHeader) {
  const name = parseHostHeader(hostHeader ?? '')?.name;
  const safe = name && name.length <= 100 ? name : '<name>';
  return `Misdirected request: this server does not answer to the name "${safe}". ` +
    `If viewers use that name, start it with --allowed-host ${safe}`;
}

function checkNumberOption(value, name, { min, integer = false }) {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}`);
  }
}

/**
 * Starts the dashboard server.
 *
 * @param {object} [options]
 * @param {string} [options.host='127.0.0.1'] interface to listen on
 * @param {number} [options.port=8080] TCP port; 0 picks a free one
 * @param {string[]} [options.allowedHosts=[]] more names it answers to (see guard.js
 *   createHostCheck); other names get 421
 * @param {string} [options.root] package root (folder holding web/, src/js/, dist/)
 * @param {Record<string, string|undefined>} [options.env=process.env] reads PROLIFIC_TOKEN /
 *   PROLIFIC_TOKEN_FILE, PROLIFIC_URL, DASHBOARD_BASIC_AUTH / DASHBOARD_BASIC_AUTH_FILE. Without a
 *   token the built-in mock Prolific API is started.
 * @param {number} [options.upstreamTimeoutMs=30000] one upstream exchange, in ms
 * @param {number} [options.coalesceMs=0] how long an upstream answer is reused for every viewer,
 *   in ms; 0: only concurrent identical reads are shared (the serve command uses 2000)
 * @param {number} [options.upstreamRate=Infinity] upstream reads per second for all viewers
 *   together, on average (the serve command uses 10)
 * @param {number} [options.upstreamConcurrency=8] upstream reads in flight at most
 * @param {(line: string) => void} [options.log] called with one access-log line per request (see
 *   guard.js accessLogLine: no headers, no token, no credentials); default: no log
 * @returns {Promise<{ url: string, upstream: string, mode: 'mock'|'prolific', basicAuth: boolean,
 *   mock?: object, stats: () => object, close: () => Promise<void> }>} `url` is
 *   'http://<host>:<port>'; `upstream` describes the API used, without the token; `stats()` the
 *   coalescing counters (requests, upstream, shared, fresh, stale); `close` stops the server,
 *   drops connections and upstream requests, and closes the built-in mock
 * @throws {TypeError} (rejects) on bad options; {SettingsError} on a token, URL or credentials the
 *   library or the settings refuse; the listen error (e.g. EADDRINUSE)
 */
export async function startServer({
  host = '127.0.0.1',
  port = 8080,
  allowedHosts = [],
  root = PACKAGE_ROOT,
  env = process.env,
  upstreamTimeoutMs = 30_000,
  coalesceMs = 0,
  upstreamRate = Infinity,
  upstreamConcurrency = 8,
  log,
} = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer from 0 to 65535');
  if (typeof upstreamTimeoutMs !== 'number' || !(upstreamTimeoutMs > 0)) {
    throw new TypeError('upstreamTimeoutMs must be a positive number');
  }
  checkNumberOption(coalesceMs, 'coalesceMs', { min: 0 });
  checkNumberOption(upstreamConcurrency, 'upstreamConcurrency', { min: 1, integer: true });
  if (typeof upstreamRate !== 'number' || !(upstreamRate > 0)) throw new TypeError('upstreamRate must be a number above 0');
  if (!Array.isArray(allowedHosts) || allowedHosts.some((name) => typeof name !== 'string' || !parseHostHeader(name))) {
    throw new TypeError('allowedHosts must be host names (name or name:port)');
  }
  const rootDir = path.resolve(root);
  const [configured, credentials] = await Promise.all([upstreamFromEnv(env), basicAuthFromEnv(env)]);
  let upstream = configured;
  let mock;
  if (!upstream) {
    const { startMockProlific } = await import('../../scripts/mock-prolific.mjs');
    mock = await startMockProlific({ host: '127.0.0.1', port: 0, token: MOCK_TOKEN });
    upstream = { baseUrl: new URL(mock.url), token: MOCK_TOKEN, description: 'built-in mock Prolific API' };
  }
  const serverInfo = { api: mock ? 'mock' : 'prolific', upstream: upstream.description };

  const inflight = new Set();
  const budget = new UpstreamBudget({ ratePerSecond: upstreamRate, concurrency: upstreamConcurrency });
  const coalescer = new ReadCoalescer({
    read: createUpstreamReader(upstream, { timeoutMs: upstreamTimeoutMs, inflight }),
    budget,
    windowMs: coalesceMs,
  });
  const checkAuth = credentials ? createBasicAuthCheck(credentials) : null;
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const pathname = requestPath(req);
    if (log) {
      // The address now: once the viewer has hung up, the socket no longer knows it.
      const remote = req.socket.remoteAddress;
      const answer = countBodyBytes(res);
      // On 'close', so a request whose viewer left before the answer gets its line too ("closed").
      // Not res.writableFinished: 'finish' may come after 'close' when the viewer hangs up as
      // soon as it has the last byte.
      res.on('close', () => log(accessLogLine({
        time: new Date(), remote, method: req.method, path: pathname ?? '?',
        status: answer.delivered() ? res.statusCode : 'closed',
        bytes: answer.bytes(),
        ms: performance.now() - started,
      })));
    }
    const hosts = hostHeaders(req);
    if (hosts.length !== 1) {
      sendText(res, 400, 'Bad request: a request needs exactly one Host header');
    } else if (!checkHost(hosts[0])) {
      // DNS rebinding: a page on another name that resolves here must not read through the
      // token this server adds.
      sendText(res, 421, misdirectedText(hosts[0]));
    } else if (pathname === null) {
      sendText(res, 400, 'Bad request');
    } else if (pathname === '/healthz') {
      sendJson(res, 200, { ok: true });
    } else if (checkAuth && !checkAuth(req.headers.authorization)) {
      sendText(res, 401, 'Unauthorized: this dashboard needs a user name and password', { 'WWW-Authenticate': WWW_AUTHENTICATE });
    } else if (pathname === '/server.json') {
      sendJson(res, 200, serverInfo);
    } else if (pathname === '/api' || pathname.startsWith('/api/')) {
      handleApi(coalescer, req, res, pathname).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    } else {
      serveStatic(rootDir, req, res, pathname).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    }
  });
  const checkHost = createHostCheck({ listenHost: host, port: () => server.address().port, allowedHosts });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (mock) await mock.close();
    throw err;
  }

  const actualPort = server.address().port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing;
  const result = {
    url: `http://${urlHost}:${actualPort}`,
    upstream: upstream.description,
    mode: serverInfo.api,
    basicAuth: Boolean(checkAuth),
    stats: () => coalescer.stats(),
    close() {
      closing ??= (async () => {
        const done = new Promise((resolve) => server.close(() => resolve()));
        budget.close();
        for (const request of inflight) request.destroy();
        for (const socket of sockets) socket.destroy();
        await done;
        if (mock) await mock.close();
      })();
      return closing;
    },
  };
  if (mock) result.mock = mock;
  return result;
}
