// What the Node XMLHttpRequest stand-in (../node-xhr.js) accepts from its caller before anything
// is sent: the method and URL of `open()`, the headers of `setRequestHeader()`, the body of
// `send()` (XHR Standard, https://xhr.spec.whatwg.org/, and Fetch's "extract a body"), and the
// Node-only TLS options of its constructor. Each check throws the DOMException the standard names.

import { Buffer } from 'node:buffer';
import { URL } from 'node:url';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
// Header names whose value the stand-in controls (message framing and connection management).
// They are on the browsers' forbidden-request-header list too, and are silently ignored the way
// browsers ignore them: setting them could desynchronise the connection.
const CONTROLLED_REQUEST_HEADERS = new Set([
  'connection', 'content-length', 'expect', 'host', 'keep-alive', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
]);

/**
 * The DOMException the XHR standard throws for a call in the wrong state.
 * @param {string} message
 * @returns {DOMException} named `InvalidStateError`
 */
export function invalidState(message) {
  return new DOMException(message, 'InvalidStateError');
}

/**
 * The TLS settings of the stand-in's constructor options (Node-only; Emscripten passes none).
 * @param {unknown} options `{ ca?, rejectUnauthorized? }`
 * @returns {{ ca?: unknown, rejectUnauthorized?: boolean }} the settings given, for https.request()
 * @throws {TypeError} `options` is not an object, holds another key, or a non-boolean `rejectUnauthorized`
 */
export function tlsOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('NodeXMLHttpRequest options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'ca' && key !== 'rejectUnauthorized') {
      throw new TypeError(`Unknown NodeXMLHttpRequest option: ${key}`);
    }
  }
  const tls = {};
  if (options.ca !== undefined) tls.ca = options.ca;
  if (options.rejectUnauthorized !== undefined) {
    if (typeof options.rejectUnauthorized !== 'boolean') {
      throw new TypeError('rejectUnauthorized must be a boolean');
    }
    tls.rejectUnauthorized = options.rejectUnauthorized;
  }
  return tls;
}

/**
 * The method of `open()`, normalised as the XHR standard says.
 * @param {unknown} method
 * @returns {string} DELETE/GET/HEAD/OPTIONS/POST/PUT upper-cased, any other token as given
 * @throws {DOMException} `SyntaxError` for a non-token, `SecurityError` for CONNECT, TRACE, TRACK
 */
export function requestMethod(method) {
  let m = String(method);
  if (!TOKEN.test(m)) throw new DOMException(`'${m}' is not a valid HTTP method`, 'SyntaxError');
  const upper = m.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) {
    throw new DOMException(`'${m}' HTTP method is unsupported`, 'SecurityError');
  }
  if (NORMALIZED_METHODS.has(upper)) m = upper;
  return m;
}

/**
 * The URL of `open()`: absolute (there is no document to resolve against).
 * @param {unknown} url
 * @returns {URL}
 * @throws {DOMException} `SyntaxError` when it does not parse
 */
export function requestUrl(url) {
  try {
    return new URL(String(url));
  } catch {
    throw new DOMException('open(): invalid URL', 'SyntaxError');
  }
}

/**
 * A header of `setRequestHeader()`: the value trimmed of HTTP whitespace and checked.
 * @param {unknown} name
 * @param {unknown} value
 * @returns {{ lower: string, name: string, value: string } | null} null for a framing header,
 *   which is ignored
 * @throws {DOMException} `SyntaxError` for a name that is not a token or a value with NUL, CR, LF
 *   or another control character
 * @throws {TypeError} a value with a character above U+00FF (not a ByteString)
 */
export function requestHeader(name, value) {
  const n = String(name);
  const v = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
  if (!TOKEN.test(n)) throw new DOMException(`'${n}' is not a valid HTTP header name`, 'SyntaxError');
  if (/[^\x00-\xff]/.test(v)) throw new TypeError(`Value of header '${n}' is not a ByteString`);
  if (/[^\t\x20-\x7e\x80-\xff]/.test(v)) {
    throw new DOMException(`Value of header '${n}' holds an invalid character`, 'SyntaxError');
  }
  const lower = n.toLowerCase();
  if (CONTROLLED_REQUEST_HEADERS.has(lower)) return null;
  return { lower, name: n, value: v };
}

/**
 * The bytes `send(body)` sends, and the Content-Type they imply (Fetch "extract a body").
 * @param {string} method the request's method: GET and HEAD send no body
 * @param {unknown} body null, undefined, a string, an ArrayBuffer, an ArrayBufferView,
 *   URLSearchParams, or anything else (sent as its string)
 * @returns {{ bytes: Buffer | null, contentType: string | null }} the bytes (copied), and the
 *   Content-Type for a string or URLSearchParams (null for bytes and no body)
 */
export function requestBody(method, body) {
  let bytes = null;
  let contentType = null;
  if (method !== 'GET' && method !== 'HEAD' && body !== null && body !== undefined) {
    if (body instanceof ArrayBuffer) {
      bytes = Buffer.from(new Uint8Array(body.slice(0)));
    } else if (ArrayBuffer.isView(body)) {
      bytes = Buffer.from(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    } else if (body instanceof URLSearchParams) {
      bytes = Buffer.from(body.toString(), 'utf8');
      contentType = 'application/x-www-form-urlencoded;charset=UTF-8';
    } else {
      bytes = Buffer.from(String(body), 'utf8');
      contentType = 'text/plain;charset=UTF-8';
    }
  }
  return { bytes, contentType };
}
