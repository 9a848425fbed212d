#!/usr/bin/env node
/**
 * Mock Prolific API: a real HTTP server that answers
 *   GET {url}/api/v1/data-collection/datasets/{dataset_id}/status
 * the way Prolific's API does, plus a set of fault scenarios chosen by dataset id.
 *
 * Usage:
 *   node scripts/mock-prolific.mjs [--port 8081] [--host 127.0.0.1]
 *                                  [--token mock-token | --no-token] [--time-scale 1]
 *
 * By hand (default token "mock-token"):
 *   curl -i -H 'Authorization: Token mock-token' \
 *     http://127.0.0.1:8081/api/v1/data-collection/datasets/demo-ready/status
 *
 * Every request needs `Authorization: Token <token>` (unless --no-token); a missing header gives
 * 401 "Authentication credentials were not provided.", another value 401 "Invalid token.".
 * OPTIONS on any path is a CORS preflight: 204, no token needed. Every response carries
 * `Access-Control-Allow-Origin: *` and `Access-Control-Expose-Headers: Retry-After`.
 * Another path is 404, another method on the status path 405, a badly percent-encoded id 400,
 * all with Prolific's error body {"error":{"status","error_code","title","detail"}}.
 *
 * Dataset ids (the id is one path segment, percent-decoded):
 *   Demo datasets (the clock starts at the first status read of the id; durations x time scale)
 *     demo-ready            UNINITIALISED 0-3 s, PROCESSING 3-10 s, then READY
 *     demo-slow             UNINITIALISED 0-5 s, PROCESSING 5-25 s, then READY
 *     demo-error            UNINITIALISED 0-2 s, PROCESSING 2-8 s, then ERROR
 *     demo-new              UNINITIALISED forever
 *   Fixed statuses
 *     status-<VALUE>        200 {"status":"<VALUE>"} (everything after the first dash),
 *                           e.g. status-READY, status-ERROR, status-SOMETHING_NEW
 *     null-status           200 {"status": null} (a dataset without a status of its own: V4)
 *     no-status             200 {} (the same: the reference marks `status` optional)
 *                           (GET …/datasets/{id} of these two: a V4 dataset, status null, with
 *                           one complete import job, also readable on …/imports/{import_id})
 *   API errors
 *     http-<code>           <code> (400-599) with an error body, title = reason phrase,
 *                           detail "Simulated <code>."
 *     detail-array          400, detail ["First problem.", "Second problem."]
 *     detail-object         422, detail {"name": [...], "workspace_id": [...]},
 *                           additional_information "See the API reference."
 *     message-shape         400 {"message":"Bad request","detail":"The message shape."}
 *     error-traceback       500 error body with "traceback" and "interactive": false
 *     echo-token            400, title and detail contain the Authorization header received
 *     hostile               400, title and detail hold HTML/script markup
 *   Retry-After and transient failures
 *     rate-limited-<n>      429, Retry-After: <n> (seconds)
 *     retry-after-date      503, Retry-After: an HTTP-date 2 s ahead (rounded up to the second)
 *     retry-after-garbage   503, Retry-After: soon
 *     flaky-<n>             the first <n> requests for the id: 503; later ones: 200 READY
 *     flaky429-<n>          the first <n> requests for the id: 429 + Retry-After: 0; then READY
 *   Bodies that are not the documented shape
 *     html-502              502 text/html gateway page
 *     html-200              200 text/html page
 *     empty-200             200, empty body (Content-Type: application/json)
 *     empty-500             500, empty body (Content-Type: application/json)
 *     not-json              200 hello
 *     truncated             200 {"status": "REA
 *     wrong-type            200 {"status": 5}
 *     empty-status          200 {"status": ""}
 *     array-body            200 []
 *     bom                   200, UTF-8 BOM then {"status":"READY"}
 *     duplicate-keys        200 {"status":"PROCESSING","status":"READY"}
 *     bad-utf8              200 {"status":"\xff\xfe"} (raw invalid UTF-8 bytes)
 *     deep                  200, 100000 nested [ and matching ]
 *     huge                  200, a valid 5 MiB JSON object holding "status":"READY", Content-Length set
 *     huge-chunked          the same, chunked, no Content-Length
 *     accepted-202          202 {"status":"READY"}
 *     no-content-204        204, no body
 *   Connection behaviour
 *     slow-headers          nothing for 30 s (not scaled), then 200 READY
 *     slow-body             headers and {"status": at once, then one byte a second; the body
 *                           completes ({"status":  ... "READY"}) after 30 s (not scaled)
 *     reset                 headers with Content-Length: 100, 10 bytes of body, socket destroyed
 *     close                 socket destroyed without any answer
 *   Redirects (302)
 *     redirect-loop         to its own path
 *     redirect-same         to /api/v1/data-collection/datasets/status-READY/status (same origin)
 *     redirect-cross        to the status-READY path on the other loopback name of this server:
 *                           http://localhost:<port> when Host was 127.0.0.1, else http://127.0.0.1:<port>
 *     redirect-many-<n>     redirect-many-<n-1> ... redirect-many-0, which is 200 READY
 *   Anything else           404 "Dataset not found or you do not have permissions."
 *
 * Every answer documented as valid has the shape docs/openapi/prolific-datasets.yaml gives
 * (tests/contract.test.mjs validates them against it).
 *
 * GET {url}/api/v1/data-collection/datasets/{id} answers a V3 dataset for the demo and
 * status-<VALUE> ids (holding the status above), a V4 dataset for null-status and no-status,
 * and created datasets as below; others are 404. A fixed dataset's `id` there is a UUID
 * (fixedDatasetUuid(name)); both endpoints accept that UUID in place of the name once the name
 * has been read (the demo, null-status and no-status ids' UUIDs: from the start).
 *
 * Dataset lifecycle (creating datasets, upload URLs, a presigned-upload server on its own port,
 * V4 import jobs): see scripts/mock-lifecycle.mjs.
 */

import http from 'node:http';
import { createHash } from 'node:crypto';
import { parseArgs as parseCommandLine } from 'node:util';
import { closeOnSignal, isMainModule } from './program.mjs';
import { createLifecycle } from './mock-lifecycle.mjs';

/** Dataset ids whose status moves over time (see the header comment). */
export const DEMO_DATASET_IDS = ['demo-ready', 'demo-slow', 'demo-error', 'demo-new'];

/**
 * The UUID a fixed dataset (demo-*, status-<VALUE>) answers as its `id` on GET …/datasets/{id}:
 * Prolific's dataset ids are UUIDs. Derived from the name (SHA-1, laid out as a version 5 UUID),
 * so it is the same in every run; /status and GET …/datasets/{uuid} accept it as well as the name.
 * @param {string} name a scenario id, e.g. 'demo-ready'
 * @returns {string}
 */
export function fixedDatasetUuid(name) {
  const hex = createHash('sha1').update(`prolific-dataset-status mock: ${name}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Path of one dataset, below the server's path prefix. */
const DATASET_PATH_PATTERN = /^\/api\/v1\/data-collection\/datasets\/([^/]+)$/;

/** Path of the status endpoint, below the server's path prefix. */
const STATUS_PATH_PATTERN = /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/status$/;

/** Demo timelines: [status, end of phase in seconds] in order; the last phase never ends. */
const DEMO_TIMELINES = {
  'demo-ready': [['UNINITIALISED', 3], ['PROCESSING', 10], ['READY', Infinity]],
  'demo-slow': [['UNINITIALISED', 5], ['PROCESSING', 25], ['READY', Infinity]],
  'demo-error': [['UNINITIALISED', 2], ['PROCESSING', 8], ['ERROR', Infinity]],
  'demo-new': [['UNINITIALISED', Infinity]],
};

/** Names of the demo datasets, as GET …/datasets/{id} gives them. */
const DEMO_NAMES = {
  'demo-ready': 'Demo: READY after 10 s',
  'demo-slow': 'Demo: READY after 25 s',
  'demo-error': 'Demo: ERROR after 8 s',
  'demo-new': 'Demo: never uploaded',
};

/**
 * Fixed ids whose /status answers no status (V4), with the name of the V4 dataset that
 * GET …/datasets/{id} answers for them (one complete import job of DEMO_DATAPOINTS records).
 */
const FIXED_V4_NAMES = {
  'null-status': 'Fixed V4 dataset ({"status": null})',
  'no-status': 'Fixed V4 dataset ({})',
};

/** Owner, workspace and size of the fixed datasets, in Prolific's id formats. */
const DEMO_CREATED_BY = '65786062db3b35bcbeb07bcc';
const DEMO_WORKSPACE_ID = '6278acb09062db3b35bcbeb0';
const DEMO_DATAPOINTS = 120;

/** Fixed (unscaled) durations of the slow scenarios, in ms. */
const SLOW_HEADERS_MS = 30_000;
const SLOW_BODY_TOTAL_MS = 30_000;

const HUGE_BODY_BYTES = 5 * 1024 * 1024;
const DEEP_NESTING = 100_000;
const CHUNK_BYTES = 64 * 1024;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Retry-After',
};

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Max-Age': '600',
};

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * Prolific-style numeric error code for an HTTP status (401 → 140100, 404 → 140400).
 * @param {number} status HTTP status code.
 * @returns {number}
 */
function errorCodeFor(status) {
  return 100_000 + status * 100;
}

/**
 * Standard reason phrase of an HTTP status, e.g. 503 → "Service Unavailable".
 * @param {number} status
 * @returns {string}
 */
function reasonPhrase(status) {
  return http.STATUS_CODES[status] ?? 'Unknown Status';
}

/**
 * Prolific's error body as a JSON string.
 * @param {number} status HTTP status.
 * @param {{ title?: string, detail?: unknown, [extra: string]: unknown }} fields
 * @returns {string}
 */
function errorBody(status, { title = reasonPhrase(status), detail = '', ...extra } = {}) {
  return JSON.stringify({
    error: { status, error_code: errorCodeFor(status), title, detail, ...extra },
  });
}

/**
 * Sends a complete response with CORS headers and a Content-Length.
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string | Buffer} body
 * @param {Record<string, string>} [headers] extra headers (Content-Type among them).
 */
function send(res, status, body, headers = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  res.writeHead(status, { ...CORS_HEADERS, ...headers, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

/** Sends a JSON body (a string sent as is, anything else serialised). */
function sendJson(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  send(res, status, text, { 'Content-Type': JSON_TYPE, ...headers });
}

/** Sends Prolific's error body. */
function sendError(res, status, fields = {}, headers = {}) {
  sendJson(res, status, errorBody(status, fields), headers);
}

/** Sends 200 {"status": <status>}. */
function sendStatus(res, status, httpStatus = 200) {
  sendJson(res, httpStatus, { status });
}

/** Sends a 302 to `location`. */
function sendRedirect(res, location) {
  res.writeHead(302, { ...CORS_HEADERS, Location: location, 'Content-Length': '0' });
  res.end();
}

let hugeBodyCache;
/** A valid JSON object of exactly 5 MiB whose status is READY. */
function hugeBody() {
  if (!hugeBodyCache) {
    const head = '{"status":"READY","padding":"';
    const tail = '"}';
    const padding = 'x'.repeat(HUGE_BODY_BYTES - head.length - tail.length);
    hugeBodyCache = Buffer.from(head + padding + tail, 'utf8');
  }
  return hugeBodyCache;
}

let deepBodyCache;
/** 100000 nested arrays: "[[[...]]]". */
function deepBody() {
  deepBodyCache ??= Buffer.from('['.repeat(DEEP_NESTING) + ']'.repeat(DEEP_NESTING), 'utf8');
  return deepBodyCache;
}

/**
 * Writes `body` in chunks with no Content-Length (chunked transfer encoding), honouring
 * back-pressure and stopping if the client goes away.
 */
function sendChunked(res, status, body, headers) {
  res.writeHead(status, { ...CORS_HEADERS, ...headers });
  let offset = 0;
  const writeMore = () => {
    while (offset < body.length) {
      if (res.destroyed) return;
      const chunk = body.subarray(offset, offset + CHUNK_BYTES);
      offset += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', writeMore);
        return;
      }
    }
    res.end();
  };
  writeMore();
}

/** The `Host` header's host name, without port or IPv6 brackets, lower-cased. */
function hostNameOf(hostHeader = '') {
  const bracketed = /^\[([^\]]*)\]/.exec(hostHeader);
  if (bracketed) return bracketed[1].toLowerCase();
  return hostHeader.split(':')[0].toLowerCase();
}

/** Path of the status endpoint for `datasetId` (already encoded as a segment). */
function statusPath(prefix, segment) {
  return `${prefix}/api/v1/data-collection/datasets/${segment}/status`;
}

/**
 * Answers for fixed dataset ids: (req, res, ctx) => void, where ctx is the internal context
 * built in startMockProlific ({ count, prefix, port, later, cancel, ... }).
 */
const FIXED_SCENARIOS = {
  'detail-array': (req, res) =>
    sendError(res, 400, { title: 'Bad Request', detail: ['First problem.', 'Second problem.'] }),

  'detail-object': (req, res) =>
    sendError(res, 422, {
      title: 'Unprocessable Entity',
      detail: { name: ['This field is required.'], workspace_id: ['Not a valid id.', 'Required.'] },
      additional_information: 'See the API reference.',
    }),

  'message-shape': (req, res) =>
    sendJson(res, 400, { message: 'Bad request', detail: 'The message shape.' }),

  'error-traceback': (req, res) =>
    sendError(res, 500, {
      title: 'Internal Server Error',
      detail: 'Something went wrong on our side.',
      traceback: 'Traceback (most recent call last):\n  File "views.py", line 42, in get\n' +
        'KeyError: \'status\'',
      interactive: false,
    }),

  'retry-after-date': (req, res) => {
    const inTwoSeconds = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    sendError(res, 503, { detail: 'Simulated 503.' }, { 'Retry-After': inTwoSeconds.toUTCString() });
  },

  'retry-after-garbage': (req, res) =>
    sendError(res, 503, { detail: 'Simulated 503.' }, { 'Retry-After': 'soon' }),

  'html-502': (req, res) =>
    send(res, 502,
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
      '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
      { 'Content-Type': HTML_TYPE }),

  'html-200': (req, res) =>
    send(res, 200,
      '<!doctype html>\n<html><head><title>Maintenance</title></head>' +
      '<body><h1>We will be back soon.</h1></body></html>\n',
      { 'Content-Type': HTML_TYPE }),

  'empty-200': (req, res) => sendJson(res, 200, ''),
  'empty-500': (req, res) => sendJson(res, 500, ''),
  'not-json': (req, res) => sendJson(res, 200, 'hello'),
  'truncated': (req, res) => sendJson(res, 200, '{"status": "REA'),
  'wrong-type': (req, res) => sendJson(res, 200, '{"status": 5}'),
  'null-status': (req, res) => sendJson(res, 200, '{"status": null}'),
  'empty-status': (req, res) => sendJson(res, 200, '{"status": ""}'),
  'no-status': (req, res) => sendJson(res, 200, '{}'),
  'array-body': (req, res) => sendJson(res, 200, '[]'),
  'bom': (req, res) => send(res, 200, '\uFEFF{"status":"READY"}', { 'Content-Type': JSON_TYPE }),
  'duplicate-keys': (req, res) => sendJson(res, 200, '{"status":"PROCESSING","status":"READY"}'),
  'bad-utf8': (req, res) =>
    send(res, 200,
      Buffer.concat([Buffer.from('{"status":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      { 'Content-Type': JSON_TYPE }),
  'deep': (req, res) => send(res, 200, deepBody(), { 'Content-Type': JSON_TYPE }),
  'huge': (req, res) => send(res, 200, hugeBody(), { 'Content-Type': JSON_TYPE }),
  'huge-chunked': (req, res) => sendChunked(res, 200, hugeBody(), { 'Content-Type': JSON_TYPE }),
  'accepted-202': (req, res) => sendStatus(res, 'READY', 202),
  'no-content-204': (req, res) => {
    res.writeHead(204, CORS_HEADERS);
    res.end();
  },

  'slow-headers': (req, res, ctx) => {
    const timer = ctx.later(SLOW_HEADERS_MS, () => sendStatus(res, 'READY'));
    res.on('close', () => ctx.cancel(timer));
  },

  'slow-body': (req, res, ctx) => {
    const head = '{"status":';
    const rest = '"READY"}';
    const seconds = SLOW_BODY_TOTAL_MS / 1000;
    const trickle = ' '.repeat(Math.max(0, seconds - rest.length)) + rest;
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': JSON_TYPE });
    res.write(head);
    let index = 0;
    let timer;
    const nextByte = () => {
      if (res.destroyed) return;
      if (index >= trickle.length) {
        res.end();
        return;
      }
      res.write(trickle[index++]);
      timer = ctx.later(1000, nextByte);
    };
    timer = ctx.later(1000, nextByte);
    res.on('close', () => ctx.cancel(timer));
  },

  'reset': (req, res) => {
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': JSON_TYPE, 'Content-Length': '100' });
    res.write('{"status":', () => req.socket.destroy());
  },

  'close': (req) => req.socket.destroy(),

  'redirect-loop': (req, res) => sendRedirect(res, req.url),

  'redirect-same': (req, res, ctx) => sendRedirect(res, statusPath(ctx.prefix, 'status-READY')),

  'redirect-cross': (req, res, ctx) => {
    const otherHost = hostNameOf(req.headers.host) === 'localhost' ? '127.0.0.1' : 'localhost';
    sendRedirect(res, `http://${otherHost}:${ctx.port}${statusPath(ctx.prefix, 'status-READY')}`);
  },

  'echo-token': (req, res) => {
    const authorization = req.headers.authorization ?? '(none)';
    sendError(res, 400, {
      title: `Rejected credentials: ${authorization}`,
      detail: `The header "Authorization: ${authorization}" was not accepted.`,
    });
  },

  'hostile': (req, res) =>
    sendError(res, 400, {
      title: '<img src=x onerror="window.__pwned=1">',
      detail: '<script>window.__pwned=1</script>',
    }),
};

/**
 * Answers for parameterised ids: [pattern, (req, res, ctx, match) => void]. The first match wins.
 */
const PATTERN_SCENARIOS = [
  [/^status-(.*)$/s, (req, res, ctx, [, value]) => sendStatus(res, value)],

  [/^http-(\d{3})$/, (req, res, ctx, [, code]) => {
    const status = Number(code);
    if (status < 400 || status > 599) return false;
    sendError(res, status, { detail: `Simulated ${status}.` });
    return true;
  }],

  [/^rate-limited-(\d+)$/, (req, res, ctx, [, seconds]) =>
    sendError(res, 429, { title: 'Too Many Requests', detail: 'Request was throttled.' },
      { 'Retry-After': String(Number(seconds)) })],

  [/^flaky-(\d+)$/, (req, res, ctx, [, failures]) => {
    if (ctx.count <= Number(failures)) sendError(res, 503, { detail: 'Simulated 503.' });
    else sendStatus(res, 'READY');
  }],

  [/^flaky429-(\d+)$/, (req, res, ctx, [, failures]) => {
    if (ctx.count <= Number(failures)) {
      sendError(res, 429, { detail: 'Request was throttled.' }, { 'Retry-After': '0' });
    } else {
      sendStatus(res, 'READY');
    }
  }],

  [/^redirect-many-(\d+)$/, (req, res, ctx, [, remaining]) => {
    const n = Number(remaining);
    if (n === 0) sendStatus(res, 'READY');
    else sendRedirect(res, statusPath(ctx.prefix, `redirect-many-${n - 1}`));
  }],
];

/**
 * Status of a demo dataset `elapsedMs` after its first read.
 * @param {Array<[string, number]>} timeline phases as [status, end in seconds].
 * @param {number} elapsedMs time since the first read, in ms.
 * @param {number} timeScale multiplier applied to every phase boundary.
 * @returns {string}
 */
function demoStatusAt(timeline, elapsedMs, timeScale) {
  for (const [status, endSeconds] of timeline) {
    if (elapsedMs < endSeconds * 1000 * timeScale) return status;
  }
  return timeline[timeline.length - 1][0];
}

/**
 * Runs the scenario matching `datasetId`, or answers 404 when there is none.
 * @returns {void}
 */
function answerScenario(datasetId, req, res, ctx) {
  const fixed = Object.hasOwn(FIXED_SCENARIOS, datasetId) ? FIXED_SCENARIOS[datasetId] : undefined;
  if (fixed) {
    fixed(req, res, ctx);
    return;
  }
  for (const [pattern, answer] of PATTERN_SCENARIOS) {
    const match = pattern.exec(datasetId);
    if (match && answer(req, res, ctx, match) !== false) return;
  }
  sendError(res, 404, {
    title: 'Not found',
    detail: 'Dataset not found or you do not have permissions.',
  });
}

/**
 * Runs a handler given to setHandler; a throw or a rejected promise becomes a 500 error body
 * (or a dropped connection when the handler had already started answering).
 */
function runHandler(handler, req, res, ctx) {
  const fail = (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, 500, { detail: `The test handler failed: ${err?.message ?? err}` });
  };
  try {
    Promise.resolve(handler(req, res, ctx)).catch(fail);
  } catch (err) {
    fail(err);
  }
}

/** Checks the Authorization header; answers 401 and returns false when it is not right. */
function checkToken(req, res, token) {
  if (typeof token !== 'string' || token === '') return true;
  const authorization = req.headers.authorization;
  if (authorization === `Token ${token}`) return true;
  const detail = authorization === undefined || authorization === ''
    ? 'Authentication credentials were not provided.'
    : 'Invalid token.';
  sendError(res, 401, { title: 'Not authenticated', detail }, { 'WWW-Authenticate': 'Token' });
  return false;
}

/** Validates the options of startMockProlific; throws TypeError. */
function validateOptions({ host, port, token, timeScale, pathPrefix }) {
  if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('port must be an integer from 0 to 65535');
  }
  if (token !== null && token !== undefined && typeof token !== 'string') {
    throw new TypeError('token must be a string or null');
  }
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new TypeError('timeScale must be a finite number >= 0');
  }
  if (typeof pathPrefix !== 'string' || (pathPrefix !== '' && !/^\/.*[^/]$/.test(pathPrefix))) {
    throw new TypeError('pathPrefix must be "" or start with "/" and not end with "/"');
  }
}

/**
 * Starts the mock Prolific API.
 *
 * @param {object} [options]
 * @param {string} [options.host='127.0.0.1'] Interface to listen on.
 * @param {number} [options.port=0] TCP port; 0 picks a free one.
 * @param {string|null} [options.token='mock-token'] Token every request must carry as
 *   `Authorization: Token <token>`; null or '' disables the check.
 * @param {number} [options.timeScale=1] Multiplier for the demo datasets' phase durations
 *   (0.01 makes a 10 s phase last 100 ms). The slow-* scenarios are not scaled.
 * @param {string} [options.pathPrefix=''] Path the API is mounted under, e.g. '/proxy'
 *   (for testing base URLs with a path). Redirect Locations include it.
 * @returns {Promise<{
 *   url: string,
 *   port: number,
 *   requests: Array<{ method: string, path: string, headers: Record<string, string|string[]>,
 *                     host: string|undefined, time: number }>,
 *   setHandler: (datasetId: string,
 *                handler: ((req: http.IncomingMessage, res: http.ServerResponse,
 *                           ctx: { count: number, token: string|null }) => void) | null) => void,
 *   reset: () => void,
 *   close: () => Promise<void>,
 * }>} `url` is 'http://<host>:<port>' with no trailing slash (plus pathPrefix); `requests` records
 *   every request in arrival order (headers lower-cased, the token included; `time` in ms since
 *   the epoch); `setHandler` overrides the answer for one id (`ctx.count` counts that id's
 *   requests from 1), null removes the override; `reset` clears `requests`, per-id counters and
 *   demo timelines (not handlers); `close` cancels timers, destroys open sockets and resolves
 *   once the server is closed.
 * @throws {TypeError} for invalid options; rejects with the listen error (e.g. EADDRINUSE).
 */
export async function startMockProlific({
  host = '127.0.0.1',
  port = 0,
  token = 'mock-token',
  timeScale = 1,
  pathPrefix = '',
} = {}) {
  validateOptions({ host, port, token, timeScale, pathPrefix });

  const requests = [];
  const counts = new Map();
  const firstReads = new Map();
  const startedAt = new Map();
  /** UUID of a fixed dataset → its scenario name. */
  const aliases = new Map([...DEMO_DATASET_IDS, ...Object.keys(FIXED_V4_NAMES)]
    .map((name) => [fixedDatasetUuid(name), name]));
  const scenarioName = (id) => aliases.get(id) ?? id;
  const handlers = new Map();
  const timers = new Set();
  const sockets = new Set();
  let closed = false;

  const later = (ms, fn) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const cancel = (timer) => {
    clearTimeout(timer);
    timers.delete(timer);
  };

  const lifecycle = await createLifecycle({ timeScale, later, sendJson, sendError });
  for (const [name, datasetName] of Object.entries(FIXED_V4_NAMES)) {
    lifecycle.addFixedV4Dataset({
      id: fixedDatasetUuid(name), name: datasetName, workspaceId: DEMO_WORKSPACE_ID, records: DEMO_DATAPOINTS,
    });
  }
  const server = http.createServer((req, res) => handleRequest(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  function recordRequest(req) {
    requests.push({
      method: req.method,
      path: req.url,
      headers: { ...req.headers },
      host: req.headers.host,
      time: Date.now(),
    });
  }

  function handleRequest(req, res) {
    recordRequest(req);
    if (req.method === 'OPTIONS') {
      req.resume();
      res.writeHead(204, { ...CORS_HEADERS, ...PREFLIGHT_HEADERS });
      res.end();
      return;
    }
    if (!checkToken(req, res, token)) {
      req.resume();
      return;
    }

    const pathname = req.url.split('?')[0];
    if (pathname.startsWith(`${pathPrefix}/`) && lifecycle.handle(req, res, fixedV4Path(pathname.slice(pathPrefix.length)))) return;
    req.resume();
    if (pathname.startsWith(`${pathPrefix}/`) && answerFixedDataset(req, res, pathname.slice(pathPrefix.length))) return;
    const match = pathname.startsWith(`${pathPrefix}/`)
      ? STATUS_PATH_PATTERN.exec(pathname.slice(pathPrefix.length))
      : null;
    if (!match) {
      sendError(res, 404, { title: 'Not found', detail: 'Not found.' });
      return;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, {
        title: 'Method Not Allowed',
        detail: `Method "${req.method}" not allowed.`,
      }, { Allow: 'GET, OPTIONS' });
      return;
    }
    let datasetId;
    try {
      datasetId = decodeURIComponent(match[1]);
    } catch {
      sendError(res, 400, { title: 'Bad Request', detail: 'The dataset id is not valid percent-encoding.' });
      return;
    }
    answerStatus(scenarioName(datasetId), req, res);
  }

  /**
   * The path with a fixed V4 id (null-status, no-status) replaced by its dataset's UUID, under
   * which the lifecycle holds that dataset and its import job; any other path unchanged.
   * @param {string} path below the path prefix
   * @returns {string}
   */
  function fixedV4Path(path) {
    const match = /^(\/api\/v1\/data-collection\/datasets\/)([^/]+)(\/.*)?$/.exec(path);
    if (!match) return path;
    let name;
    try {
      name = decodeURIComponent(match[2]);
    } catch {
      return path;
    }
    return Object.hasOwn(FIXED_V4_NAMES, name) ? `${match[1]}${fixedDatasetUuid(name)}${match[3] ?? ''}` : path;
  }

  /**
   * `GET …/datasets/{id}` for the demo and `status-<VALUE>` ids: a V3 dataset holding the status
   * its /status endpoint gives, as Prolific's API answers for a real V3 dataset.
   * @returns {boolean} false for any other request
   */
  function answerFixedDataset(req, res, path) {
    const match = DATASET_PATH_PATTERN.exec(path);
    if (!match || req.method !== 'GET') return false;
    let datasetId;
    try {
      datasetId = scenarioName(decodeURIComponent(match[1]));
    } catch {
      return false;
    }
    const timeline = Object.hasOwn(DEMO_TIMELINES, datasetId) ? DEMO_TIMELINES[datasetId] : undefined;
    let status;
    if (timeline) {
      if (!firstReads.has(datasetId)) firstReads.set(datasetId, Date.now());
      status = demoStatusAt(timeline, Date.now() - firstReads.get(datasetId), timeScale);
    } else if (datasetId.startsWith('status-') && datasetId.length > 'status-'.length) {
      status = datasetId.slice('status-'.length);
    } else {
      return false;
    }
    if (!startedAt.has(datasetId)) startedAt.set(datasetId, new Date().toISOString());
    const id = fixedDatasetUuid(datasetId);
    aliases.set(id, datasetId);
    sendJson(res, 200, {
      id, name: DEMO_NAMES[datasetId] ?? `Fixed status ${status}`,
      created_at: startedAt.get(datasetId), created_by: DEMO_CREATED_BY, workspace_id: DEMO_WORKSPACE_ID,
      schema_version: 3, status, total_datapoint_count: status === 'READY' ? DEMO_DATAPOINTS : 0,
    });
    return true;
  }

  function answerStatus(datasetId, req, res) {
    const count = (counts.get(datasetId) ?? 0) + 1;
    counts.set(datasetId, count);

    const handler = handlers.get(datasetId);
    if (handler) {
      runHandler(handler, req, res, { count, token });
      return;
    }
    const timeline = Object.hasOwn(DEMO_TIMELINES, datasetId) ? DEMO_TIMELINES[datasetId] : undefined;
    if (timeline) {
      if (!firstReads.has(datasetId)) firstReads.set(datasetId, Date.now());
      sendStatus(res, demoStatusAt(timeline, Date.now() - firstReads.get(datasetId), timeScale));
      return;
    }
    answerScenario(datasetId, req, res, {
      count, token, prefix: pathPrefix, port: server.address().port, later, cancel,
    });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const actualPort = server.address().port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${actualPort}${pathPrefix}`,
    port: actualPort,
    requests,
    /** Origin of the presigned-upload server (another port: another origin). */
    uploadServerUrl: lifecycle.uploadServerUrl,
    /** Files the upload server accepted: { path, bytes, contentType }. */
    uploads: lifecycle.uploads,
    /** Requests that reached the upload server with an Authorization header: must stay empty. */
    tokenLeaks: lifecycle.tokenLeaks,

    setHandler(datasetId, handler) {
      if (typeof datasetId !== 'string') throw new TypeError('datasetId must be a string');
      if (handler === null || handler === undefined) handlers.delete(datasetId);
      else if (typeof handler === 'function') handlers.set(datasetId, handler);
      else throw new TypeError('handler must be a function or null');
    },

    reset() {
      requests.length = 0;
      counts.clear();
      firstReads.clear();
      startedAt.clear();
      lifecycle.reset();
    },

    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return Promise.all([done, lifecycle.close()]).then(() => {});
    },
  };
}

/**
 * Parses the command line of the mock (node:util parseArgs, strict).
 * @param {string[]} argv arguments after the script name.
 * @returns {{ host: string, port: number, token: string|null, timeScale: number, help: boolean }}
 * @throws {Error} on an unknown flag or a bad value (message fit for the user).
 */
function parseArgs(argv) {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      port: { type: 'string', default: '8081' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string', default: 'mock-token' },
      'no-token': { type: 'boolean', default: false },
      'time-scale': { type: 'string', default: '1' },
    },
    strict: true,
    allowPositionals: false,
  });
  const options = {
    host: values.host,
    port: /^\d+$/.test(values.port) ? Number(values.port) : NaN,
    token: values['no-token'] ? null : values.token,
    timeScale: values['time-scale'].trim() === '' ? NaN : Number(values['time-scale']),
    help: values.help,
  };
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be an integer from 0 to 65535');
  }
  if (!Number.isFinite(options.timeScale) || options.timeScale < 0) {
    throw new Error('--time-scale must be a number >= 0');
  }
  return options;
}

const USAGE = 'Usage: node scripts/mock-prolific.mjs [--port 8081] [--host 127.0.0.1] ' +
  '[--token <token> | --no-token] [--time-scale 1]\nScenarios: see the comment at the top of this file.';

/** Runs the mock as a program until SIGINT/SIGTERM. */
async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    console.error(`mock-prolific: ${err.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const mock = await startMockProlific(options);
  console.log(`Mock Prolific API on ${mock.url}`);
  console.log(`Demo dataset ids: ${DEMO_DATASET_IDS.join(', ')}`);
  if (options.token === null || options.token === '') {
    console.log('Token check: off');
  } else if (options.token === 'mock-token') {
    console.log('Token check: on (send "Authorization: Token mock-token")');
  } else {
    console.log('Token check: on (send "Authorization: Token <the value given with --token>")');
  }
  closeOnSignal(mock);
}

if (isMainModule(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`mock-prolific: ${err.message}`);
    process.exit(1);
  });
}
