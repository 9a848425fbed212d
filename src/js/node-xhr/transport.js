// The HTTP(S) transport of the Node XMLHttpRequest stand-in (../node-xhr.js): one request, sent
// over node:http / node:https and followed through its redirects (redirects.js), whose final
// response's headers and (content-decoded, body.js) body it hands to its owner as they arrive.
//
// Connections are pooled in one module-level keep-alive agent per scheme (the "connection pool"
// of the Fetch Standard). Node's Agent unrefs a socket when it goes back to the free list
// (Agent#keepSocketAlive), so idle connections never keep the process alive, and refs it again
// when it is reused.

import http from 'node:http';
import https from 'node:https';
import { Buffer } from 'node:buffer';
import { CREDENTIAL_HEADERS, safeDecodeURIComponent, secretsOf } from '../redirect.js';
import { contentCodings, createDecoder } from './body.js';
import { followRedirect, redirectLocations, releaseRedirectResponse } from './redirects.js';

const HTTP_AGENT = new http.Agent({ keepAlive: true, maxSockets: 64 });
const HTTPS_AGENT = new https.Agent({ keepAlive: true, maxSockets: 64 });

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// Fetch "null body status", plus 1xx.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
// Errors on a reused keep-alive socket, before any response byte, that mean the server closed
// the idle connection just as it was reused. Browsers retry those once on a new connection.
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * The response headers as the XHR standard lists them: lower-cased names in byte order, repeated
 * headers combined with `', '`, `Set-Cookie` and `Set-Cookie2` left out as browsers do.
 * @param {string[]} rawHeaders Node's `rawHeaders` (name, value, name, value, …)
 * @returns {Array<[string, string]>}
 */
function responseHeaderList(rawHeaders) {
  const headerMap = new Map();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (name === 'set-cookie' || name === 'set-cookie2') continue;
    const value = rawHeaders[i + 1];
    headerMap.set(name, headerMap.has(name) ? `${headerMap.get(name)}, ${value}` : value);
  }
  return [...headerMap].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The final response's head, as the transport hands it over.
 * @typedef {object} NodeHttpResponse
 * @property {number} status its status code (100–599)
 * @property {string} statusText its reason phrase as sent, '' when none
 * @property {URL} url the URL it came from, after redirects
 * @property {Array<[string, string]>} headers see responseHeaderList
 * @property {number} total the body bytes Content-Length announces, or 0 when unknown (none, no
 *   body, or a content-coded body, whose header counts other bytes than those delivered)
 */

/**
 * What a transport tells its owner. Every call but `isCurrent` happens only while `isCurrent()`
 * is true, and the transport checks it again after each call: an owner that moves on (a new
 * request, an abort) from inside a callback stops the transport there.
 * @typedef {object} NodeHttpHandlers
 * @property {() => boolean} isCurrent whether the owner still wants this request
 * @property {(response: NodeHttpResponse) => void} onResponse the final response's head
 * @property {(chunk: Buffer) => void} onBody the next bytes of its decoded body
 * @property {() => void} onEnd the body is complete (the connection went back to the pool)
 * @property {(error: { code?: string, message?: string }) => void} onError a network error: no
 *   usable answer (refused, DNS, TLS, reset, truncated body, bad content coding, an invalid
 *   status, a protocol switch, a refused redirect); the owner then cancels the transport
 */

/**
 * One request over node:http / node:https, redirects included, without timer or events of its
 * own: the XMLHttpRequest stand-in owns both.
 */
export class NodeHttpFetch {
  /** The header values and URL credentials no error message may show (../redirect.js secretsOf). */
  secrets;
  /** True once the whole body was received: the socket is back in the pool and is not touched. */
  completed = false;
  #tls;
  #handlers;
  #hop;
  #req = null;
  #res = null;
  #decoders = [];
  #retried = false;

  /**
   * @param {{ url: URL, method: string, body: Buffer | null,
   *   headers: Array<{ lower: string, name: string, value: string }>, tls: object }} request what
   *   to send (`tls`: options for https.request, such as `ca`)
   * @param {NodeHttpHandlers} handlers
   */
  constructor({ url, method, body, headers, tls }, handlers) {
    this.#tls = tls;
    this.#handlers = handlers;
    this.#hop = {
      originalUrl: url, url, method, body, headers, dropCredentials: false, redirectCount: 0,
    };
    this.secrets = secretsOf(headers, url);
  }

  /** Sends the request (its first hop). */
  start() {
    this.#startHop(false);
  }

  /** Cancels the network side at once: sockets and decoders destroyed, no callback afterwards. */
  cancel() {
    if (!this.completed) {
      for (const d of this.#decoders) d.destroy();
      if (this.#res) this.#res.destroy();
      if (this.#req) this.#req.destroy();
    }
  }

  #current() {
    return this.#handlers.isCurrent();
  }

  #fail(err) {
    if (this.#current()) this.#handlers.onError(err);
  }

  #startHop(isRetry) {
    const f = this.#hop;
    const url = f.url;
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') {
      this.#fail({ code: 'ERR_UNSUPPORTED_SCHEME', message: `unsupported URL scheme ${url.protocol}` });
      return;
    }
    const headers = {};
    let hasAccept = false;
    let hasAuthorization = false;
    for (const { lower, name, value } of f.headers) {
      if (f.dropCredentials && CREDENTIAL_HEADERS.has(lower)) continue;
      headers[name] = value;
      if (lower === 'accept') hasAccept = true;
      if (lower === 'authorization') hasAuthorization = true;
    }
    if (!hasAccept) headers.Accept = '*/*';
    if (!hasAuthorization && (url.username !== '' || url.password !== '')) {
      const credentials = `${safeDecodeURIComponent(url.username)}:${safeDecodeURIComponent(url.password)}`;
      headers.Authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
    }
    if (f.body) headers['Content-Length'] = String(f.body.length);
    else if (f.method === 'POST' || f.method === 'PUT') headers['Content-Length'] = '0';

    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const options = {
      method: f.method,
      hostname,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: isHttps ? HTTPS_AGENT : HTTP_AGENT,
    };
    if (isHttps) Object.assign(options, this.#tls);

    let req;
    try {
      req = (isHttps ? https : http).request(options);
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#req = req;
    this.#res = null;
    this.#retried = isRetry;
    req.on('error', (err) => {
      if (!this.#current() || this.#req !== req) return;
      if (!this.#res && req.reusedSocket && !this.#retried && IDEMPOTENT_METHODS.has(f.method)
          && STALE_SOCKET_CODES.has(err.code)) {
        // The server closed the idle keep-alive connection as it was reused: retry once.
        this.#req = null;
        req.destroy();
        this.#startHop(true);
        return;
      }
      this.#fail(err);
    });
    req.on('response', (res) => {
      if (res.statusCode < 100 || res.statusCode > 599) {
        // Not an HTTP status (e.g. "000"): browsers treat such an answer as a network error.
        res.destroy();
        this.#fail({ code: 'ERR_INVALID_HTTP_STATUS', message: `invalid HTTP status ${res.statusCode}` });
        return;
      }
      this.#onResponse(req, res);
    });
    // A 101 Switching Protocols (or any upgrade) is not an answer to a GET/POST/PUT: without an
    // 'upgrade' listener Node would destroy the socket and emit neither 'response' nor 'error'.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      this.#fail({ code: 'ERR_UNEXPECTED_UPGRADE', message: `the server switched protocols (HTTP ${res.statusCode})` });
    });
    // The last word: a request closed with no answer and no error is a network error.
    req.on('close', () => {
      if (this.#current() && this.#req === req && !this.#res) {
        this.#fail({ code: 'ECONNRESET', message: 'the connection closed without an answer' });
      }
    });
    req.end(f.body ?? undefined);
  }

  #onResponse(req, res) {
    res.on('error', (err) => {
      if (this.#current() && this.#res === res) this.#fail(err);
    });
    res.on('close', () => {
      if (this.#current() && this.#res === res && !res.complete) {
        this.#fail({ code: 'ECONNRESET', message: 'connection closed before the response was complete' });
      }
    });
    if (!this.#current() || this.#req !== req) {
      res.destroy();
      return;
    }
    this.#res = res;
    const locations = redirectLocations(res);
    if (locations) {
      this.#redirect(res, locations);
    } else {
      this.#receive(res);
    }
  }

  #redirect(res, locations) {
    releaseRedirectResponse(res);
    this.#res = null;
    this.#req = null;
    const refused = followRedirect(this.#hop, res.statusCode, locations);
    if (refused) {
      this.#fail(refused);
      return;
    }
    this.#startHop(false);
  }

  #receive(res) {
    const f = this.#hop;
    const hasBody = f.method !== 'HEAD' && !NULL_BODY_STATUSES.has(res.statusCode);
    const codings = hasBody ? contentCodings(res.rawHeaders) : [];
    const length = res.headers['content-length'];
    this.#handlers.onResponse({
      status: res.statusCode,
      statusText: res.statusMessage ?? '',
      url: f.url,
      headers: responseHeaderList(res.rawHeaders),
      total: hasBody && codings.length === 0 && length !== undefined && /^\d+$/.test(length) ? Number(length) : 0,
    });
    if (!this.#current()) return;

    const onBytes = (chunk) => {
      if (this.#current()) this.#handlers.onBody(chunk);
    };
    const onEnd = () => {
      if (!this.#current()) return;
      this.completed = true; // the socket went back to the pool; cancel() must not touch it
      this.#handlers.onEnd();
    };
    let decoderIn = null;
    let decoderOut = null;
    const startDecoders = () => {
      this.#decoders = codings.map(createDecoder);
      for (const d of this.#decoders) {
        d.on('error', (err) => {
          this.#fail({ code: 'ERR_CONTENT_DECODING_FAILED', message: `content decoding failed: ${err.message}` });
        });
      }
      for (let i = 0; i + 1 < this.#decoders.length; i += 1) this.#decoders[i].pipe(this.#decoders[i + 1]);
      [decoderIn] = this.#decoders;
      decoderOut = this.#decoders[this.#decoders.length - 1];
      decoderOut.on('data', onBytes);
      decoderOut.on('end', onEnd);
    };
    res.on('data', (chunk) => {
      if (!this.#current()) return;
      if (codings.length === 0) {
        onBytes(chunk);
        return;
      }
      if (!decoderIn) startDecoders();
      decoderIn.write(chunk);
    });
    res.on('end', () => {
      if (!this.#current()) return;
      if (decoderIn) decoderIn.end();
      else onEnd(); // no body bytes at all: nothing to decode
    });
  }
}
