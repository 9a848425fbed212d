/**
 * The token-carrying half of the dashboard server: forwards the dataset read endpoints to the
 * Prolific API (or the built-in mock) with the token added here, and hands the page the answer with
 * that token redacted. Nothing else under /api/ is forwarded.
 *
 *   GET /api/v1/data-collection/datasets/<id>/status              → the dataset's status
 *   GET /api/v1/data-collection/datasets/<id>                     → the dataset (V4: import jobs)
 *   GET /api/v1/data-collection/datasets/<id>/imports/<importId>  → one V4 import job
 *
 * Not forwarded: dataset creation (POST), upload URLs, any other method (405 on the paths above),
 * any query string, any header of the viewer (cookies, Authorization, Accept-Encoding...). Each id
 * must be one non-empty path segment that, once percent-decoded, is not "." or ".." and holds no
 * "/", "\" or NUL (404 otherwise). Upstream redirects are refused (502). A compressed upstream
 * answer is decoded (gzip, deflate, br) before the token is redacted from it; another encoding is
 * refused (502). Reads are shared between viewers through a ReadCoalescer.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { loadModuleForDiagnostics } from '../js/node.js';
import { BudgetExhaustedError } from './coalesce.js';
import { COMMON_HEADERS } from './static.js';

/** Largest upstream answer forwarded, in bytes, compressed or not (the library reads at most 1 MiB). */
export const MAX_FORWARDED_BODY_BYTES = 2 * 1024 * 1024;

/**
 * The forwarded read endpoints; every capture group is one id segment (still percent-encoded),
 * checked with isForwardableSegment before anything is sent.
 */
const FORWARDED_PATH_PATTERNS = [
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/status$/,
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)$/,
  /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/imports\/([^/]+)$/,
];

const DECODERS = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress),
};

/** Prolific-style error body (the API's own shape), as an answer object. */
export function errorAnswer(status, title, detail, headers = {}) {
  const body = Buffer.from(JSON.stringify({ error: { status, error_code: 100_000 + status * 100, title, detail } }), 'utf8');
  return { status, headers: { 'content-type': 'application/json', ...headers }, body };
}

/**
 * Sends an answer object ({ status, headers, body }) with the server's common headers.
 * @param {import('node:http').ServerResponse} res
 * @param {{ status: number, headers: Record<string, string>, body: Buffer }} answer
 * @param {Record<string, string>} [extra] more headers (Age...)
 */
export function sendAnswer(res, answer, extra = {}) {
  res.writeHead(answer.status, {
    ...COMMON_HEADERS,
    ...answer.headers,
    ...extra,
    'content-length': String(answer.body.length),
  });
  res.end(answer.body);
}

/**
 * True when a raw path segment can be forwarded as is: valid percent-encoding, and once decoded
 * not "." or ".." and free of "/", "\" and NUL (so no upstream normalisation reaches another path).
 * @param {string} segment
 * @returns {boolean}
 */
export function isForwardableSegment(segment) {
  let decoded;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !/[/\\\0]/.test(decoded);
}

/**
 * True when `pathname` is a forwarded read endpoint with every id a harmless single segment.
 * @param {string} pathname raw URL path (still percent-encoded), no query.
 * @returns {boolean}
 */
export function isForwardablePath(pathname) {
  for (const pattern of FORWARDED_PATH_PATTERNS) {
    const match = pattern.exec(pathname);
    if (match) return match.slice(1).every(isForwardableSegment);
  }
  return false;
}

/**
 * Decodes a body by its Content-Encoding (codings applied in order, so undone in reverse).
 * @param {Buffer} body
 * @param {string | undefined} encoding the upstream Content-Encoding header
 * @returns {Promise<Buffer>}
 * @throws {Error} (rejects) for an unknown coding, a corrupt body, or one that decodes past
 *   MAX_FORWARDED_BODY_BYTES
 */
async function decodeBody(body, encoding) {
  const codings = (encoding ?? '').split(',').map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let out = body;
  for (const coding of codings.reverse()) {
    const decode = DECODERS[coding];
    if (!decode) throw new Error(`unsupported content encoding "${coding.slice(0, 40)}"`);
    out = await decode(out, { maxOutputLength: MAX_FORWARDED_BODY_BYTES });
  }
  return out;
}

/**
 * The answer with the token replaced by "[REDACTED]" in its body and kept headers, in every
 * spelling the library itself redacts (the same core code, through the WebAssembly module). Bytes
 * are carried as latin1 text; a body holding a NUL byte (UTF-16, UTF-32, binary) becomes a 502.
 */
async function redactAnswer(status, body, upstreamHeaders, token) {
  // UTF-16 or UTF-32 text (or binary data) interleaves the token's bytes with NULs, where
  // redaction cannot see it: such an answer is not forwarded.
  if (body.includes(0)) return errorAnswer(502, 'Bad Gateway', 'Upstream answer is not UTF-8 text.');
  const module = await loadModuleForDiagnostics();
  const headers = {};
  for (const name of ['content-type', 'retry-after']) {
    const value = upstreamHeaders[name];
    if (typeof value === 'string') headers[name] = module.redact(value, token);
  }
  return { status, headers, body: Buffer.from(module.redact(body.toString('latin1'), token), 'latin1') };
}

/**
 * Makes the function that reads one path upstream with the token: it always resolves with an
 * answer object, an error answer when the exchange failed (3xx → 502, no answer → 502, too large or
 * undecodable → 502, past `timeoutMs` → 504). A viewer that goes away does not cancel a read others
 * share; the ReadCoalescer aborts `signal` when the last one has gone.
 * @param {object} upstream
 * @param {URL} upstream.baseUrl origin and optional path prefix, checked by the library
 * @param {string} upstream.token token for `Authorization: Token …`
 * @param {object} options
 * @param {number} options.timeoutMs whole exchange, in ms
 * @param {Set<import('node:http').ClientRequest>} options.inflight registry, for closing
 * @returns {(pathname: string, signal?: AbortSignal) => Promise<{ status: number, headers: Record<string, string>,
 *   body: Buffer }>} `signal` (no viewer waits any more) drops the exchange at once
 */
export function createUpstreamReader({ baseUrl, token }, { timeoutMs, inflight }) {
  const client = baseUrl.protocol === 'https:' ? https : http;
  const prefix = baseUrl.pathname.replace(/\/+$/, '');
  return (pathname, signal) => new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(errorAnswer(499, 'Client Closed Request', 'No viewer waits for this read.'));
      return;
    }
    const upstreamReq = client.request({
      protocol: baseUrl.protocol,
      hostname: baseUrl.hostname.replace(/^\[|\]$/g, ''),
      port: baseUrl.port || undefined,
      method: 'GET',
      path: prefix + pathname,
      headers: {
        Authorization: `Token ${token}`,
        Accept: 'application/json',
        'Accept-Encoding': 'identity',
        'User-Agent': 'prolific-dataset-status-dev-server',
      },
      agent: false,
    });
    inflight.add(upstreamReq);
    let settled = false;
    const finish = (answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      inflight.delete(upstreamReq);
      upstreamReq.destroy();
      resolve(answer);
    };
    const onAbort = () => finish(errorAnswer(499, 'Client Closed Request', 'No viewer waits for this read.'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      finish(errorAnswer(504, 'Gateway Timeout', 'The upstream API did not answer in time.'));
    }, timeoutMs);
    upstreamReq.on('response', (upstreamRes) => {
      const { statusCode: status } = upstreamRes;
      if (status >= 300 && status < 400) {
        upstreamRes.resume();
        finish(errorAnswer(502, 'Bad Gateway', 'Upstream redirect refused.'));
        return;
      }
      // The whole answer is read before anything is sent, so the token this server added can be
      // redacted from it: an API that echoes it must not hand it to the page.
      const chunks = [];
      let size = 0;
      const cutOff = () => finish(errorAnswer(502, 'Bad Gateway', 'The upstream answer was cut off.'));
      upstreamRes.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_FORWARDED_BODY_BYTES) finish(errorAnswer(502, 'Bad Gateway', 'The upstream answer is too large.'));
        else chunks.push(chunk);
      });
      upstreamRes.on('aborted', cutOff);
      upstreamRes.on('error', cutOff);
      upstreamRes.on('end', () => {
        if (settled) return;
        decodeBody(Buffer.concat(chunks), upstreamRes.headers['content-encoding'])
          .then((body) => redactAnswer(status, body, upstreamRes.headers, token))
          .then(finish, (error) => finish(errorAnswer(502, 'Bad Gateway',
            /unsupported content encoding/.test(error.message)
              ? `The upstream answer has a content encoding this server does not decode.`
              : 'The upstream answer could not be decoded or checked.')));
      });
    });
    upstreamReq.on('error', (err) => {
      const reason = typeof err.code === 'string' ? ` (${err.code})` : '';
      finish(errorAnswer(502, 'Bad Gateway', `Could not reach the upstream API${reason}.`));
    });
    upstreamReq.end();
  });
}

/**
 * Answers a request under /api/: 404 for a path that is not forwarded, 405 for a method other than
 * GET, else the (shared) upstream answer. An answer reused from an earlier read carries `Age`.
 * @param {import('./coalesce.js').ReadCoalescer} coalescer
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathname raw URL path (still percent-encoded), no query
 * @returns {Promise<void>}
 */
export async function handleApi(coalescer, req, res, pathname) {
  if (!isForwardablePath(pathname)) {
    sendAnswer(res, errorAnswer(404, 'Not found', 'Not found.'));
    return;
  }
  if (req.method !== 'GET') {
    sendAnswer(res, errorAnswer(405, 'Method Not Allowed', `Method "${req.method}" not allowed.`, { allow: 'GET' }));
    return;
  }
  // A viewer that goes away leaves the read; the last one to leave drops it upstream.
  const viewer = new AbortController();
  let answered = false;
  res.on('close', () => { if (!answered) viewer.abort(); });
  let shared;
  try {
    shared = await coalescer.get(pathname, viewer.signal);
  } catch (error) {
    if (viewer.signal.aborted) return;
    if (!(error instanceof BudgetExhaustedError)) throw error;
    answered = true;
    sendAnswer(res, errorAnswer(503, 'Service Unavailable', 'Too many reads are waiting for the upstream API.',
      { 'retry-after': String(error.retryAfterSeconds) }));
    return;
  }
  if (res.destroyed) return;
  answered = true;
  sendAnswer(res, shared.answer, shared.ageMs > 0 ? { age: String(Math.floor(shared.ageMs / 1000)) } : {});
}
