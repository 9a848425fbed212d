#!/usr/bin/env node
/**
 * Dev server (`npm start`): serves the dashboard and the built module, and forwards the dataset
 * read endpoints to the Prolific API (token added here, server-side) or to the built-in mock.
 *
 *   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]
 *
 *   /                  → web/index.html          /pkg/src/js/*  → src/js/*
 *   /*                 → web/*                   /pkg/dist/*    → dist/*
 *   GET /api/v1/data-collection/datasets/<id>/status              → upstream (the dataset's status)
 *   GET /api/v1/data-collection/datasets/<id>                     → upstream (the dataset; V4: imports)
 *   GET /api/v1/data-collection/datasets/<id>/imports/<importId>  → upstream (one V4 import job)
 *
 * Nothing else under /api/ is forwarded: not dataset creation (POST), not upload URLs, no other
 * method (405 on the paths above), no query string. Each id must be one non-empty path segment
 * that, once percent-decoded, is not "." or ".." and holds no "/", "\" or NUL (404 otherwise), so
 * no upstream normalisation can reach another path. Upstream redirects are refused (502).
 *
 * Upstream: with PROLIFIC_TOKEN set, PROLIFIC_URL (default https://api.prolific.com, may carry a
 * path prefix) with `Authorization: Token $PROLIFIC_TOKEN`; otherwise the mock Prolific API
 * (scripts/mock-prolific.mjs) on a free loopback port. The token is never printed or returned.
 *
 * HTML pages get a Content-Security-Policy whose connect-src allows this server, any https:
 * origin and plain http to localhost and 127.0.0.1: what the dashboard's direct mode can use.
 */

import http from 'node:http';
import { closeOnSignal, isMainModule } from './program.mjs';
import { loadModuleForDiagnostics } from '../src/js/node.js';
import https from 'node:https';
import { createReadStream } from 'node:fs';
import { stat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockProlific, DEMO_DATASET_IDS } from './mock-prolific.mjs';

const DEFAULT_API_URL = 'https://api.prolific.com';
const MOCK_TOKEN = 'mock-token';
const UPSTREAM_TIMEOUT_MS = 30_000;
/**
 * The forwarded read endpoints; every capture group is one id segment (still percent-encoded),
 * checked with isForwardableSegment before anything is sent.
 */
const FORWARDED_PATH_PATTERNS = [
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/status$/,
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)$/,
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/imports\/([^/]+)$/,
];
/** Characters allowed in an HTTP header value (visible ASCII, space, tab). */
const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e]+$/;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Direct mode talks to a typed base URL: https anywhere, plain http only to this computer (the
  // library refuses plain http elsewhere anyway). No http://[::1]:*: CSP source expressions have
  // no IPv6 literals, and Chromium reports that source as invalid (a console error on every load)
  // and ignores it; the page asks for http://localhost instead.
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/** File-name endings → Content-Type; the longest matching ending wins (.d.ts before .ts). */
const CONTENT_TYPES = [
  ['.d.ts', 'text/plain; charset=utf-8'],
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json'],
  ['.map', 'application/json'],
  ['.png', 'image/png'],
  ['.svg', 'image/svg+xml'],
  ['.ico', 'image/x-icon'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.md', 'text/plain; charset=utf-8'],
];

/**
 * Content-Type for a file name.
 * @param {string} fileName
 * @returns {string} 'application/octet-stream' when the ending is unknown.
 */
function contentTypeFor(fileName) {
  const lower = fileName.toLowerCase();
  const found = CONTENT_TYPES.find(([ending]) => lower.endsWith(ending));
  return found ? found[1] : 'application/octet-stream';
}

/** Prolific-style error body as a JSON string (same shape as the API's). */
function errorBody(status, title, detail) {
  return JSON.stringify({ error: { status, error_code: 100_000 + status * 100, title, detail } });
}

/** Sends a Prolific-shaped JSON error. */
function sendApiError(res, status, title, detail, headers = {}) {
  const body = Buffer.from(errorBody(status, title, detail), 'utf8');
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

/** Sends a small plain-text answer for the static side. */
function sendText(res, status, text, headers = {}) {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

/**
 * Maps a request path to [base folder, path relative to it], or null when no folder serves it.
 * @param {string} root repository root.
 * @param {string} pathname raw URL path (still percent-encoded).
 * @returns {[string, string] | null}
 */
function staticMount(root, pathname) {
  const mounts = [
    ['/pkg/src/js/', path.join(root, 'src', 'js')],
    ['/pkg/dist/', path.join(root, 'dist')],
    ['/', path.join(root, 'web')],
  ];
  for (const [prefix, folder] of mounts) {
    if (pathname.startsWith(prefix)) return [folder, pathname.slice(prefix.length)];
  }
  return null;
}

/**
 * Resolves a static request to a file inside its folder, refusing anything that escapes it
 * (`..`, encoded `%2e%2e` or `%2f`, NUL bytes, symlinks pointing outside).
 * @param {string} root repository root.
 * @param {string} pathname raw URL path.
 * @returns {Promise<{ file: string, size: number } | null>} null when nothing may be served.
 */
async function resolveStaticFile(root, pathname) {
  const mount = staticMount(root, pathname);
  if (!mount) return null;
  const [folder, encodedRelative] = mount;
  let relative;
  try {
    relative = decodeURIComponent(encodedRelative);
  } catch {
    return null;
  }
  if (relative.includes('\0') || relative.includes('\\')) return null;
  if (relative === '' || relative.endsWith('/')) relative += 'index.html';

  const candidate = path.resolve(folder, relative);
  if (!isInside(folder, candidate)) return null;
  try {
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(candidate)]);
    if (!isInside(realFolder, realFile)) return null;
    const info = await stat(realFile);
    return info.isFile() ? { file: realFile, size: info.size } : null;
  } catch {
    return null;
  }
}

/** True when `candidate` is strictly inside `folder` (both absolute, normalised). */
function isInside(folder, candidate) {
  const relative = path.relative(folder, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative);
}

/** Serves one static file (GET or HEAD). */
async function serveStatic(root, req, res, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  const found = await resolveStaticFile(root, pathname);
  if (!found) {
    sendText(res, 404, 'Not found');
    return;
  }
  const type = contentTypeFor(found.file);
  const headers = { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': String(found.size) };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** True when `hostname` (as in URL.hostname) is a loopback address or localhost. */
function isLoopbackHost(hostname) {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Chooses the upstream API from the environment.
 * @param {Record<string, string|undefined>} env
 * @returns {{ baseUrl: URL, token: string, description: string } | null} null → use the mock.
 * @throws {TypeError} on a PROLIFIC_URL that is not http(s), plain http to a non-loopback host,
 *   or a PROLIFIC_TOKEN that cannot go in a header (the token itself is never in the message).
 */
function upstreamFromEnv(env) {
  const token = env.PROLIFIC_TOKEN;
  if (token === undefined || token === '') return null;
  if (!HEADER_VALUE_PATTERN.test(token) || token.trim() !== token) {
    throw new TypeError('PROLIFIC_TOKEN holds characters that cannot go in an HTTP header');
  }
  let baseUrl;
  try {
    baseUrl = new URL(env.PROLIFIC_URL || DEFAULT_API_URL);
  } catch {
    throw new TypeError('PROLIFIC_URL is not a valid URL');
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
    throw new TypeError('PROLIFIC_URL must be an http: or https: URL');
  }
  if (baseUrl.protocol === 'http:' && !isLoopbackHost(baseUrl.hostname)) {
    throw new TypeError('PROLIFIC_URL must use https: (plain http: only to a loopback host)');
  }
  baseUrl.username = '';
  baseUrl.password = '';
  baseUrl.search = '';
  baseUrl.hash = '';
  return { baseUrl, token, description: `${baseUrl.origin}${baseUrl.pathname.replace(/\/$/, '')}` };
}

/** Largest upstream answer forwarded, in bytes (the library reads at most 1 MiB of it). */
const MAX_FORWARDED_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The upstream answer with the token replaced by "[REDACTED]" in its body and forwarded headers,
 * in every spelling the library itself redacts (the same core code, through the WebAssembly
 * module). Bytes are carried as latin1 text, so a body that is not UTF-8 passes unchanged.
 * @param {Buffer} body
 * @param {Record<string, string|string[]|undefined>} headers lower-cased upstream headers
 * @param {string} token
 * @returns {Promise<{ body: Buffer, headers: Record<string, string> }>}
 */
async function redactAnswer(body, headers, token) {
  const module = await loadModuleForDiagnostics();
  const out = {};
  for (const name of ['content-type', 'retry-after']) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = module.redact(value, token);
  }
  return { body: Buffer.from(module.redact(body.toString('latin1'), token), 'latin1'), headers: out };
}

/**
 * Sends the request upstream and sends the (redacted) answer back; 3xx → 502, network error → 502,
 * no complete answer within `timeoutMs` → 504 (or a dropped connection if the body had started).
 */
function forwardToUpstream(upstream, pathname, req, res, { timeoutMs, inflight }) {
  const { baseUrl, token } = upstream;
  const client = baseUrl.protocol === 'https:' ? https : http;
  const prefix = baseUrl.pathname.replace(/\/+$/, '');
  const headers = { Authorization: `Token ${token}`, 'User-Agent': 'prolific-dataset-status-dev-server' };
  if (req.headers.accept) headers.Accept = req.headers.accept;

  const upstreamReq = client.request({
    protocol: baseUrl.protocol,
    hostname: baseUrl.hostname.replace(/^\[|\]$/g, ''),
    port: baseUrl.port || undefined,
    method: 'GET',
    path: prefix + pathname,
    headers,
    agent: false,
  });
  inflight.add(upstreamReq);

  let settled = false;
  const finish = () => {
    settled = true;
    clearTimeout(timer);
    inflight.delete(upstreamReq);
  };
  const timer = setTimeout(() => {
    if (settled) return;
    finish();
    upstreamReq.destroy();
    if (res.headersSent) res.destroy();
    else sendApiError(res, 504, 'Gateway Timeout', 'The upstream API did not answer in time.');
  }, timeoutMs);

  upstreamReq.on('response', (upstreamRes) => {
    if (settled) return;
    const status = upstreamRes.statusCode;
    if (status >= 300 && status < 400) {
      finish();
      upstreamRes.resume();
      upstreamReq.destroy();
      sendApiError(res, 502, 'Bad Gateway', 'Upstream redirect refused.');
      return;
    }
    // The whole answer is read before anything is sent, so the token this server added can be
    // redacted from it: an API that echoes it must not hand it to the page.
    const chunks = [];
    let size = 0;
    const fail = (detail) => {
      finish();
      upstreamReq.destroy();
      sendApiError(res, 502, 'Bad Gateway', detail);
    };
    upstreamRes.on('data', (chunk) => {
      if (settled) return;
      size += chunk.length;
      if (size > MAX_FORWARDED_BODY_BYTES) fail('The upstream answer is too large.');
      else chunks.push(chunk);
    });
    upstreamRes.on('aborted', () => { if (!settled) fail('The upstream answer was cut off.'); });
    upstreamRes.on('error', () => { if (!settled) fail('The upstream answer was cut off.'); });
    upstreamRes.on('end', () => {
      if (settled) return;
      finish();
      redactAnswer(Buffer.concat(chunks), upstreamRes.headers, token).then(({ body, headers: answerHeaders }) => {
        const outHeaders = { ...COMMON_HEADERS, 'content-length': String(body.length) };
        for (const name of ['content-type', 'retry-after']) {
          if (answerHeaders[name] !== undefined) outHeaders[name] = answerHeaders[name];
        }
        res.writeHead(status, outHeaders);
        res.end(body);
      }, () => sendApiError(res, 502, 'Bad Gateway', 'The upstream answer could not be checked.'));
    });
  });

  upstreamReq.on('error', (err) => {
    if (settled) return;
    finish();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const reason = typeof err.code === 'string' ? ` (${err.code})` : '';
    sendApiError(res, 502, 'Bad Gateway', `Could not reach the upstream API${reason}.`);
  });

  res.on('close', () => {
    if (!settled) {
      finish();
      upstreamReq.destroy();
    }
  });
  upstreamReq.end();
}

/**
 * True when `pathname` is one of FORWARDED_PATH_PATTERNS with every id a harmless single segment.
 * @param {string} pathname raw URL path (still percent-encoded), no query.
 * @returns {boolean}
 */
function isForwardablePath(pathname) {
  for (const pattern of FORWARDED_PATH_PATTERNS) {
    const match = pattern.exec(pathname);
    if (match) return match.slice(1).every(isForwardableSegment);
  }
  return false;
}

/**
 * Decides what to do with a request under /api/: forward, 404 or 405.
 * Only GET on a dataset read path (status, dataset, import job) with harmless id segments is
 * forwarded.
 */
function handleApi(upstream, req, res, pathname, options) {
  if (!isForwardablePath(pathname)) {
    sendApiError(res, 404, 'Not found', 'Not found.');
    return;
  }
  if (req.method !== 'GET') {
    sendApiError(res, 405, 'Method Not Allowed', `Method "${req.method}" not allowed.`, { Allow: 'GET' });
    return;
  }
  forwardToUpstream(upstream, pathname, req, res, options);
}

/**
 * True when a raw path segment can be forwarded as is: valid percent-encoding, and once decoded
 * not "." or ".." and free of "/" and "\" (so no upstream normalisation can reach another path).
 */
function isForwardableSegment(segment) {
  let decoded;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !/[/\\\0]/.test(decoded);
}

/** The request's path (raw, no query), or null when the request target is not origin-form. */
/**
 * Whether a request's Host header names this server: its listening address, or a loopback name
 * (localhost, 127.0.0.1, [::1]) when it listens on loopback, with its port. Anything else is
 * refused, so a DNS-rebinding page cannot use the token this server adds.
 * @param {string | undefined} hostHeader
 * @param {string} listenHost the address the server listens on
 * @param {number} port the port it listens on
 * @returns {boolean}
 */
function isAllowedHost(hostHeader, listenHost, port) {
  if (typeof hostHeader !== 'string') return false;
  const names = new Set([listenHost.includes(':') ? `[${listenHost}]` : listenHost]);
  if (['127.0.0.1', 'localhost', '::1'].includes(listenHost)) {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
  }
  const allowed = [...names].map((name) => `${name}:${port}`.toLowerCase());
  return allowed.includes(hostHeader.toLowerCase());
}

function requestPath(req) {
  const target = req.url ?? '';
  if (!target.startsWith('/')) return null;
  return target.split(/[?#]/)[0];
}

/**
 * Starts the dev server.
 *
 * @param {object} [options]
 * @param {string} [options.host='127.0.0.1'] Interface to listen on.
 * @param {number} [options.port=8080] TCP port; 0 picks a free one.
 * @param {string} [options.root] Repository root (folder holding web/, src/js/, dist/);
 *   default: the parent of scripts/.
 * @param {Record<string, string|undefined>} [options.env=process.env] Reads PROLIFIC_TOKEN and
 *   PROLIFIC_URL. Without PROLIFIC_TOKEN the built-in mock Prolific API is started.
 * @param {number} [options.upstreamTimeoutMs=30000] Time allowed for one upstream exchange, in ms.
 * @param {(line: string) => void} [options.log] Called with "METHOD /path STATUS" per request
 *   (never headers or the token); default: no logging.
 * @returns {Promise<{ url: string, upstream: string, mock?: object, close: () => Promise<void> }>}
 *   `url` is 'http://<host>:<port>' (no trailing slash); `upstream` describes the API used
 *   ('built-in mock Prolific API' or the PROLIFIC_URL origin and path, without the token);
 *   `mock` is the startMockProlific() instance when the built-in mock is used; `close` stops the
 *   server, drops open connections and upstream requests, and closes the built-in mock.
 * @throws {TypeError} on a bad PROLIFIC_URL / PROLIFIC_TOKEN or bad options; rejects with the
 *   listen error (e.g. EADDRINUSE).
 */
export async function startServer({
  host = '127.0.0.1',
  port = 8080,
  root = fileURLToPath(new URL('..', import.meta.url)),
  env = process.env,
  upstreamTimeoutMs = UPSTREAM_TIMEOUT_MS,
  log,
} = {}) {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('port must be an integer from 0 to 65535');
  }
  if (typeof upstreamTimeoutMs !== 'number' || !(upstreamTimeoutMs > 0)) {
    throw new TypeError('upstreamTimeoutMs must be a positive number');
  }
  const rootDir = path.resolve(root);
  let upstream = upstreamFromEnv(env);
  let mock;
  if (!upstream) {
    mock = await startMockProlific({ host: '127.0.0.1', port: 0, token: MOCK_TOKEN });
    upstream = {
      baseUrl: new URL(mock.url),
      token: MOCK_TOKEN,
      description: 'built-in mock Prolific API',
    };
  }

  const sockets = new Set();
  const inflight = new Set();
  const server = http.createServer((req, res) => {
    const pathname = requestPath(req);
    if (log) res.on('finish', () => log(`${req.method} ${pathname ?? '?'} ${res.statusCode}`));
    if (!isAllowedHost(req.headers.host, host, server.address().port)) {
      // DNS rebinding: a page on another name that resolves here must not read through the
      // token this server adds.
      sendText(res, 421, 'Misdirected request: this server answers only to its own address');
    } else if (pathname === null) {
      sendText(res, 400, 'Bad request');
    } else if (pathname === '/api' || pathname.startsWith('/api/')) {
      handleApi(upstream, req, res, pathname, { timeoutMs: upstreamTimeoutMs, inflight });
    } else {
      serveStatic(rootDir, req, res, pathname).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'Internal error');
        else res.destroy();
      });
    }
  });
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
    close() {
      closing ??= (async () => {
        const done = new Promise((resolve) => server.close(() => resolve()));
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

/**
 * Parses `--port <n>` and `--host <h>`.
 * @param {string[]} argv arguments after the script name.
 * @returns {{ port: number, host: string, help: boolean }}
 * @throws {Error} on an unknown flag or a bad value.
 */
function parseArgs(argv) {
  const options = { port: 8080, host: '127.0.0.1', help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--help' || flag === '-h') options.help = true;
    else if (flag === '--port') options.port = Number(value());
    else if (flag === '--host') options.host = value();
    else throw new Error(`unknown argument: ${flag}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be an integer from 0 to 65535');
  }
  return options;
}

const USAGE = 'Usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1]\n' +
  'Environment: PROLIFIC_TOKEN (use the real API; without it the built-in mock), PROLIFIC_URL.';

/** Runs the dev server as a program until SIGINT/SIGTERM. */
async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    console.error(`serve: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const server = await startServer({ ...options, log: (line) => console.log(line) });
  console.log(`Dashboard: ${server.url}/`);
  if (server.mock) {
    console.log('API: built-in mock Prolific API');
    console.log(`Demo dataset ids: ${DEMO_DATASET_IDS.join(', ')}`);
  } else {
    console.log(`API: ${server.upstream} (token added by this server)`);
  }
  console.log('Press Ctrl-C to stop');
  closeOnSignal(server);
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    const hint = err.code === 'EADDRINUSE' ? ' (choose another with --port <n>)' : '';
    console.error(`serve: ${err.message}${hint}`);
    process.exit(1);
  });
}
