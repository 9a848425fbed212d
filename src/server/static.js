/**
 * The static half of the dashboard server: the dashboard page (web/) and the built package
 * (src/js/, dist/) as files, with security headers. It carries no token and never talks upstream.
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content-Security-Policy of HTML pages. Direct mode talks to a typed base URL: https anywhere,
 * plain http only to this computer (the library refuses plain http elsewhere anyway). No
 * http://[::1]:*: CSP source expressions have no IPv6 literals, and Chromium reports that source as
 * invalid (a console error on every load) and ignores it; the page asks for http://localhost instead.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every answer of the server carries. */
export const COMMON_HEADERS = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
});

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
export function contentTypeFor(fileName) {
  const lower = fileName.toLowerCase();
  const found = CONTENT_TYPES.find(([ending]) => lower.endsWith(ending));
  return found ? found[1] : 'application/octet-stream';
}

/**
 * Sends a small plain-text answer.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status HTTP status
 * @param {string} text one line, without the final newline
 * @param {Record<string, string>} [headers] extra headers
 */
export function sendText(res, status, text, headers = {}) {
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
 * Sends a small JSON answer.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status HTTP status
 * @param {unknown} value serialised with JSON.stringify
 */
export function sendJson(res, status, value) {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

/**
 * Maps a request path to [base folder, path relative to it], or null when no folder serves it.
 * @param {string} root package root (the folder holding web/, src/js/ and dist/).
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

/** True when `candidate` is strictly inside `folder` (both absolute, normalised). */
function isInside(folder, candidate) {
  const relative = path.relative(folder, candidate);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative);
}

/**
 * Resolves a static request to a file inside its folder, refusing anything that escapes it
 * (`..`, encoded `%2e%2e` or `%2f`, NUL bytes, backslashes, symlinks pointing outside).
 * @param {string} root package root.
 * @param {string} pathname raw URL path.
 * @returns {Promise<{ file: string, size: number } | null>} null when nothing may be served.
 */
export async function resolveStaticFile(root, pathname) {
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

/**
 * Serves one static file (GET or HEAD): 405 for another method, 404 when nothing may be served.
 * HTML pages get CONTENT_SECURITY_POLICY.
 * @param {string} root package root.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathname raw URL path, no query.
 * @returns {Promise<void>} settles once the answer is under way; rejects only on an internal fault.
 */
export async function serveStatic(root, req, res, pathname) {
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
