// A minimal XMLHttpRequest for Node, built on node:http / node:https.
//
// Emscripten's fetch transport (emscripten/fetch.h, src/Fetch.js `fetchXHR`) drives an
// `XMLHttpRequest`; Node has none, so the Node loader hands the module this class instead.
// It implements the subset of the WHATWG XMLHttpRequest Standard
// (https://xhr.spec.whatwg.org/) that the glue and this project use, and follows the WHATWG
// Fetch Standard (https://fetch.spec.whatwg.org/) and RFC 9110 §15.4 for redirects, with the
// token rules of DESIGN.md on top (credentials never leave the original origin, never an
// https: → http: downgrade).
//
// This file is the XMLHttpRequest surface: states, events, the timeout, the response as text,
// JSON, bytes or Blob. The rest is in node-xhr/: request.js (what open(), setRequestHeader() and
// send() accept), transport.js (the HTTP(S) request, pooled connections), redirects.js (one
// redirect hop; the rules are ../redirect.js's, shared with the stand-in over fetch()) and
// body.js (content codings, charsets).
//
// It reads and writes no global (it never touches `globalThis.XMLHttpRequest`) and installs no
// process-wide handler.

import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { setTimeout, clearTimeout } from 'node:timers';
import { MAX_REDIRECTS, planRedirect, toErrorCause, withoutFragment } from './redirect.js';
import { charsetOf, concatChunks, decodeText, responseObject } from './node-xhr/body.js';
import {
  invalidState, requestBody, requestHeader, requestMethod, requestUrl, tlsOptions,
} from './node-xhr/request.js';
import { NodeHttpFetch } from './node-xhr/transport.js';

export { MAX_REDIRECTS, planRedirect };

const UNSENT = 0;
const OPENED = 1;
const HEADERS_RECEIVED = 2;
const LOADING = 3;
const DONE = 4;

// setTimeout() treats delays above this as 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Event object handed to the `on*` handlers: a plain object, not a DOM `Event`.
 * @typedef {object} NodeXHREvent
 * @property {string} type `readystatechange`, `loadstart`, `progress`, `load`, `error`,
 *   `timeout`, `abort` or `loadend`.
 * @property {NodeXMLHttpRequest} target The request (also `currentTarget`).
 * @property {NodeXMLHttpRequest} currentTarget
 * @property {number} [loaded] Progress events only: body bytes received so far (after
 *   content decoding).
 * @property {number} [total] Progress events only: expected body bytes from `Content-Length`,
 *   or 0 when unknown (no Content-Length, or the body is content-encoded so that the header
 *   counts other bytes than `loaded`).
 * @property {boolean} [lengthComputable] Progress events only: `total !== 0`.
 */

/**
 * Options for Node-only behaviour. Emscripten's glue calls `new XMLHttpRequest()` without
 * arguments, so a loader that needs them binds them in a subclass.
 * @typedef {object} NodeXHROptions
 * @property {string|Buffer|Array<string|Buffer>} [ca] Extra trusted CA certificates (PEM) for
 *   https: requests, e.g. a test's self-signed certificate.
 * @property {boolean} [rejectUnauthorized=true] `false` accepts any TLS certificate. Tests only.
 */

/**
 * An `XMLHttpRequest` for Node (asynchronous requests only), for Emscripten's fetch transport.
 *
 * Behaviour follows the WHATWG XMLHttpRequest Standard (https://xhr.spec.whatwg.org/) and the
 * WHATWG Fetch Standard (https://fetch.spec.whatwg.org/), with these differences:
 * - no CORS, no cookie jar, no cache, no proxies; `withCredentials` is stored and ignored;
 * - redirects are never followed from https: to http: (network error `ERR_REDIRECT_DOWNGRADE`),
 *   and Authorization, Cookie and Proxy-Authorization are dropped from the first hop to another
 *   origin than the original request's onwards (RFC 9110 §15.4, Fetch "HTTP-redirect fetch");
 * - `readystatechange` fires once per state change (the standard also fires it in LOADING
 *   with every progress event), and `progress` fires once per received body chunk (no 50 ms
 *   throttle);
 * - handlers are the `on*` properties only (no `addEventListener`, no `upload`);
 * - headers that control message framing (`Connection`, `Content-Length`, `Expect`, `Host`,
 *   `Keep-Alive`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`) are silently ignored by
 *   `setRequestHeader()` like forbidden headers in browsers; other browser-forbidden headers
 *   (`Cookie`, `Accept-Encoding`, …) are sent;
 * - no `Accept-Encoding` is sent by default, but a `gzip`/`x-gzip`/`deflate`/`br`
 *   `Content-Encoding` in the response is decoded (unknown codings are delivered as is);
 * - network failures keep their reason in {@link NodeXMLHttpRequest#errorCause}.
 *
 * Events are dispatched from network callbacks (never synchronously inside `send()`), except
 * those the standard fires synchronously from `open()` (readystatechange to OPENED) and
 * `abort()`. An exception thrown by a handler does not disturb the request: like Node's
 * `EventTarget`, it is re-thrown on the next tick (an uncaught exception).
 *
 * Order of events for a successful request: readystatechange (HEADERS_RECEIVED),
 * readystatechange (LOADING, with the first body bytes), progress (per chunk),
 * readystatechange (DONE), load, loadend. For a failure: readystatechange (DONE), then
 * error | timeout | abort, then loadend.
 */
export class NodeXMLHttpRequest {
  /**
   * Receives exceptions thrown by event handlers (which a browser would print to its console);
   * null: they are dropped. They never propagate, so a failing handler cannot end the process.
   * @type {((error: unknown) => void) | null}
   */
  static onHandlerError = null;

  /** readyState: constructed, `open()` not called yet. */
  static UNSENT = UNSENT;
  /** readyState: `open()` called; `setRequestHeader()` and `send()` allowed. */
  static OPENED = OPENED;
  /** readyState: status line and headers of the final (non-redirect) response received. */
  static HEADERS_RECEIVED = HEADERS_RECEIVED;
  /** readyState: body bytes are arriving. */
  static LOADING = LOADING;
  /** readyState: the request finished: complete body, network error, timeout or abort. */
  static DONE = DONE;

  /**
   * Current state, 0–4: UNSENT, OPENED, HEADERS_RECEIVED, LOADING, DONE. Each change is
   * followed by a `readystatechange` event (except the silent DONE → UNSENT of `abort()`).
   * @type {number}
   */
  readyState = UNSENT;

  /**
   * HTTP status code of the final response; 0 before headers arrive and after a network error,
   * timeout or abort. A writable data property: Emscripten's Fetch.js assigns it (strict mode).
   * @type {number}
   */
  status = 0;

  /**
   * Reason phrase of the final response's status line as the server sent it (HTTP/1.1), '' when
   * none, and after a network error, timeout or abort.
   * @type {string}
   */
  statusText = '';

  /**
   * URL of the final response after redirects, without fragment; '' before headers arrive and
   * after a network error, timeout or abort.
   * @type {string}
   */
  responseURL = '';

  /**
   * Why the last request failed, `{ code, message }`, or null. `code` is Node's error code
   * (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, a TLS code, …) or one of this class's:
   * `ERR_TOO_MANY_REDIRECTS`, `ERR_REDIRECT_DOWNGRADE`, `ERR_REDIRECT_UNSUPPORTED_SCHEME`,
   * `ERR_REDIRECT_CREDENTIALS`, `ERR_INVALID_REDIRECT`, `ERR_UNSUPPORTED_SCHEME`,
   * `ERR_CONTENT_DECODING_FAILED`, `ETIMEDOUT` (timeout) and `ABORT_ERR` (abort). `message` never
   * holds a request header value (values of 4+ characters are replaced by `[REDACTED]`).
   * Reset to null by `open()`. Not part of the XHR standard.
   * @type {{ code: string, message: string } | null}
   */
  errorCause = null;

  /**
   * Called with a {@link NodeXHREvent} whenever `readyState` changes.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onreadystatechange = null;

  /**
   * Called once after `send()` (asynchronously), before any network event; loaded = total = 0.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onloadstart = null;

  /**
   * Called for every chunk of (decoded) response body with `loaded`, `total` and
   * `lengthComputable`; once more at the end if the last count was not reported yet (so an
   * empty body gives one progress event with loaded 0).
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onprogress = null;

  /**
   * Called when the whole response has been received, whatever its status (a 404 is a load,
   * not an error); readyState is DONE and `response` holds the body.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onload = null;

  /**
   * Called on a network error (no usable HTTP response: refused, DNS, TLS, reset, truncated
   * body, bad content coding, refused or too many redirects). readyState DONE, status 0,
   * response null; the reason is in `errorCause`. loaded = total = 0.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onerror = null;

  /**
   * Called when `timeout` ms passed before the request (redirects and body included) finished.
   * readyState DONE, status 0, response null. loaded = total = 0.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  ontimeout = null;

  /**
   * Called synchronously from `abort()` when it cancels a request in flight, after
   * readystatechange to DONE; afterwards readyState is UNSENT. loaded = total = 0.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onabort = null;

  /**
   * Called last, after load, error, timeout or abort.
   * @type {((this: NodeXMLHttpRequest, event: NodeXHREvent) => void) | null}
   */
  onloadend = null;

  // --- private state -------------------------------------------------------------------------
  #tls;
  #method = 'GET';
  #url = null;
  /** @type {Map<string, { lower: string, name: string, value: string }>} */
  #requestHeaders = new Map();
  #sendFlag = false;
  #timeoutMs = 0;
  #withCredentials = false;
  #responseType = '';
  #overrideMime = null;
  /** The request in flight, a NodeHttpFetch (null when none): see send(). */
  #fetch = null;
  /** The timeout's timer of the request in flight, and when it was sent (performance.now()). */
  #timer = null;
  #sentAt = 0;
  /** Progress of the request in flight: the body length announced, the last `loaded` reported. */
  #total = 0;
  #lastProgress = -1;
  /** Bumped by open(), send() and abort(); event sequences stop when it changes under them. */
  #generation = 0;
  /** @type {Array<[string, string]>} lower-cased name, combined value, sorted by name */
  #responseHeaders = [];
  #bodyChunks = [];
  #bodyLength = 0;
  #responseFailed = false;
  #responseObject = undefined;

  /**
   * @param {NodeXHROptions} [options] Node-only TLS settings; Emscripten passes none.
   */
  constructor(options = {}) {
    this.#tls = tlsOptions(options);
  }

  /**
   * Whole-request time limit in milliseconds, 0 (the default) for none. It covers connecting,
   * every redirect hop and the whole body, measured from `send()`; when it passes, the request
   * is cancelled (its socket destroyed), readyState becomes DONE, status 0, and `ontimeout`
   * fires. May be changed while the request is in flight (measured from the same start, as the
   * XHR standard says). Values convert like WebIDL `unsigned long`.
   * @type {number}
   */
  get timeout() {
    return this.#timeoutMs;
  }

  set timeout(value) {
    const n = Math.trunc(Number(value));
    this.#timeoutMs = Number.isFinite(n) ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32 : 0;
    if (this.#fetch) this.#armTimer(this.#fetch);
  }

  /**
   * Stored for API compatibility, no effect: Node has no cookie jar and no CORS. Settable only
   * in UNSENT or OPENED before `send()` (else InvalidStateError), as in the XHR standard.
   * @type {boolean}
   */
  get withCredentials() {
    return this.#withCredentials;
  }

  set withCredentials(value) {
    if ((this.readyState !== UNSENT && this.readyState !== OPENED) || this.#sendFlag) {
      throw invalidState('withCredentials can only be set before send()');
    }
    this.#withCredentials = Boolean(value);
  }

  /**
   * What `response` returns: `''` or `'text'` (a string), `'arraybuffer'` (an ArrayBuffer),
   * `'json'` (parsed JSON or null), `'blob'` (a node:buffer Blob). Other values are ignored,
   * as WebIDL ignores unknown enum values (`'document'` included: there is no DOM). Throws
   * InvalidStateError in LOADING or DONE.
   * @type {string}
   */
  get responseType() {
    return this.#responseType;
  }

  set responseType(value) {
    const type = String(value);
    if (!['', 'text', 'arraybuffer', 'json', 'blob'].includes(type)) return;
    if (this.readyState === LOADING || this.readyState === DONE) {
      throw invalidState('responseType cannot be changed once the response is loading');
    }
    this.#responseType = type;
  }

  /**
   * The response body, per `responseType`. For `'arraybuffer'`, `'json'` and `'blob'`: null
   * until DONE and after a failure, else the complete (content-decoded) body, the same object
   * on every read. For `''`/`'text'`: the body decoded so far as text ('' before LOADING).
   * Text uses the charset of `overrideMimeType()` or of `Content-Type`, UTF-8 by default.
   * @type {ArrayBuffer | string | object | Blob | null}
   */
  get response() {
    if (this.#responseType === '' || this.#responseType === 'text') return this.#text();
    if (this.readyState !== DONE || this.#responseFailed) return null;
    if (this.#responseObject !== undefined) return this.#responseObject;
    const bytes = concatChunks(this.#bodyChunks, this.#bodyLength);
    this.#responseObject = responseObject(this.#responseType, bytes, this.#mimeType());
    return this.#responseObject;
  }

  /**
   * The body as text (see `response`). Throws InvalidStateError unless `responseType` is
   * `''` or `'text'`, as in the XHR standard.
   * @type {string}
   */
  get responseText() {
    if (this.#responseType !== '' && this.#responseType !== 'text') {
      throw invalidState(`responseText is only available if responseType is '' or 'text'`);
    }
    return this.#text();
  }

  /**
   * Starts a new request: validates `method` and `url`, cancels any request in flight silently
   * (no events), clears request headers and the previous response, and moves to OPENED (firing
   * readystatechange synchronously, unless already OPENED), as the XHR standard's `open()`.
   * @param {string} method HTTP method token; DELETE/GET/HEAD/OPTIONS/POST/PUT are upper-cased.
   *   CONNECT, TRACE and TRACK throw SecurityError; a non-token throws SyntaxError.
   * @param {string|URL} url Absolute URL (there is no document to resolve against); an
   *   unparseable one throws SyntaxError. Schemes other than http:/https: fail at `send()` with a
   *   network error (`ERR_UNSUPPORTED_SCHEME`).
   * @param {boolean} [async=true] Must be true: synchronous requests throw NotSupportedError.
   * @param {string|null} [username] When given, replaces the URL's username (Basic auth is sent
   *   from URL credentials when no Authorization header is set).
   * @param {string|null} [password] When given, replaces the URL's password.
   */
  open(method, url, async = true, username = null, password = null) {
    if (arguments.length < 2) throw new TypeError('open() needs a method and a URL');
    const m = requestMethod(method);
    const parsed = requestUrl(url);
    if (!async) {
      throw new DOMException('Synchronous XMLHttpRequest is not supported in Node', 'NotSupportedError');
    }
    if (parsed.host !== '') {
      if (username !== null && username !== undefined) parsed.username = String(username);
      if (password !== null && password !== undefined) parsed.password = String(password);
    }

    this.#generation += 1;
    if (this.#fetch) {
      this.#teardown(this.#fetch);
      this.#fetch = null;
    }
    this.#sendFlag = false;
    this.#method = m;
    this.#url = parsed;
    this.#requestHeaders = new Map();
    this.#resetResponse(false);
    this.errorCause = null;
    if (this.readyState !== OPENED) {
      this.readyState = OPENED;
      this.#fire('readystatechange');
    }
  }

  /**
   * Adds a request header (XHR standard): only in OPENED before `send()` (else
   * InvalidStateError). The value is trimmed of leading/trailing HTTP whitespace; a name that
   * is not a token, or a value with NUL, CR, LF or another control character, throws
   * SyntaxError; characters above U+00FF throw TypeError (ByteString). Names are
   * case-insensitive: a second call for the same name appends `, value` to the first. Framing
   * headers (see the class description) are ignored.
   * @param {string} name
   * @param {string} value
   */
  setRequestHeader(name, value) {
    if (this.readyState !== OPENED || this.#sendFlag) {
      throw invalidState('setRequestHeader() needs an opened, unsent request');
    }
    const header = requestHeader(name, value);
    if (!header) return;
    const existing = this.#requestHeaders.get(header.lower);
    if (existing) existing.value = `${existing.value}, ${header.value}`;
    else this.#requestHeaders.set(header.lower, header);
  }

  /**
   * Sets the MIME type used to decode a text response (its charset). Only before LOADING
   * (else InvalidStateError).
   * @param {string} mime e.g. `'text/plain; charset=x-user-defined'`.
   */
  overrideMimeType(mime) {
    if (this.readyState === LOADING || this.readyState === DONE) {
      throw invalidState('overrideMimeType() cannot be called once the response is loading');
    }
    this.#overrideMime = String(mime);
  }

  /**
   * Sends the request. Only in OPENED and once (else InvalidStateError). Returns at once: the
   * connection is made on a later tick and every event follows asynchronously (loadstart
   * first). An `Accept` header accepting any type (star-slash-star) is added when none is set
   * (Fetch); `Content-Length` is set from the body (0 for a bodiless POST/PUT).
   * @param {null|undefined|string|ArrayBuffer|ArrayBufferView|URLSearchParams} [body] Ignored for
   *   GET and HEAD. A string is sent as UTF-8 with `Content-Type: text/plain;charset=UTF-8`, and
   *   URLSearchParams as `application/x-www-form-urlencoded;charset=UTF-8`, unless a Content-Type
   *   was set. Bytes (Emscripten passes a Uint8Array or null) are sent as they are. Other values
   *   are converted to strings.
   */
  send(body = null) {
    if (this.readyState !== OPENED || this.#sendFlag) {
      throw invalidState('send() needs an opened, unsent request');
    }
    const { bytes, contentType } = requestBody(this.#method, body);
    const headers = [...this.#requestHeaders.values()].map((h) => ({ ...h }));
    if (contentType && !this.#requestHeaders.has('content-type')) {
      headers.push({ lower: 'content-type', name: 'Content-Type', value: contentType });
    }

    this.#sendFlag = true;
    this.#generation += 1;
    this.#resetResponse(false);
    const f = new NodeHttpFetch({ url: this.#url, method: this.#method, body: bytes, headers, tls: this.#tls }, {
      isCurrent: () => this.#fetch === f,
      onResponse: (response) => this.#onResponse(f, response),
      onBody: (chunk) => this.#onBody(f, chunk),
      onEnd: () => this.#finish(f),
      onError: (err) => this.#fail(f, err),
    });
    this.#fetch = f;
    this.#sentAt = performance.now();
    this.#total = 0;
    this.#lastProgress = -1;
    this.#armTimer(f);
    process.nextTick(() => {
      if (this.#fetch !== f) return;
      this.#fireProgress('loadstart', 0, 0);
      if (this.#fetch !== f) return;
      f.start();
    });
  }

  /**
   * Cancels the request in flight at once: its socket is destroyed and no network callback
   * runs afterwards. If a request was in flight (OPENED after `send()`, HEADERS_RECEIVED or
   * LOADING), the XHR standard's steps run synchronously: readyState DONE, status 0,
   * readystatechange, abort, loadend; then readyState becomes UNSENT without an event (as it
   * also does when called in DONE). Harmless when called again, before `send()` or after
   * completion. `errorCause` becomes `{ code: 'ABORT_ERR', … }` when a request was cancelled.
   */
  abort() {
    this.#generation += 1;
    if (this.#fetch) {
      this.#teardown(this.#fetch);
      this.#fetch = null;
    }
    if ((this.readyState === OPENED && this.#sendFlag)
        || this.readyState === HEADERS_RECEIVED || this.readyState === LOADING) {
      this.errorCause = { code: 'ABORT_ERR', message: 'The request was aborted' };
      this.#requestErrorSteps('abort');
    }
    if (this.readyState === DONE) {
      this.readyState = UNSENT;
      this.#resetResponse(true);
    }
  }

  /**
   * All response headers as the XHR standard serialises them: `name: value\r\n` lines with
   * lower-cased names in byte order, repeated headers combined with `', '`, `Set-Cookie` and
   * `Set-Cookie2` left out as browsers do. '' before HEADERS_RECEIVED and after a failure.
   * @returns {string}
   */
  getAllResponseHeaders() {
    return this.#responseHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  }

  /**
   * One response header, case-insensitively, repeated ones combined with `', '`; null when
   * absent (always for Set-Cookie), before HEADERS_RECEIVED and after a failure.
   * @param {string} name
   * @returns {string | null}
   */
  getResponseHeader(name) {
    const lower = String(name).toLowerCase();
    const entry = this.#responseHeaders.find(([n]) => n === lower);
    return entry ? entry[1] : null;
  }

  // --- internals -----------------------------------------------------------------------------

  #text() {
    if (this.readyState !== LOADING && this.readyState !== DONE) return '';
    if (this.#responseFailed) return '';
    const bytes = concatChunks(this.#bodyChunks, this.#bodyLength);
    return decodeText(bytes, charsetOf(this.#overrideMime) ?? charsetOf(this.#mimeType()));
  }

  #mimeType() {
    return this.#overrideMime ?? this.getResponseHeader('content-type');
  }

  #resetResponse(failed) {
    this.status = 0;
    this.statusText = '';
    this.responseURL = '';
    this.#responseHeaders = [];
    this.#bodyChunks = [];
    this.#bodyLength = 0;
    this.#responseFailed = failed;
    this.#responseObject = undefined;
  }

  #fire(type) {
    this.#dispatch(type, { type, target: this, currentTarget: this });
  }

  #fireProgress(type, loaded, total) {
    this.#dispatch(type, {
      type, target: this, currentTarget: this, loaded, total, lengthComputable: total !== 0,
    });
  }

  #dispatch(type, event) {
    const handler = this[`on${type}`];
    if (typeof handler !== 'function') return;
    try {
      handler.call(this, event);
    } catch (err) {
      // A browser reports a handler's exception to its console and goes on; it never ends the
      // page. Rethrowing here would end the whole Node process (an uncaught exception), so the
      // error goes to NodeXMLHttpRequest.onHandlerError when set, and is dropped otherwise. The
      // one expected thrower is an Emscripten runtime that aborted, which has already told its
      // owner through Module.onAbort.
      const report = NodeXMLHttpRequest.onHandlerError;
      if (typeof report === 'function') {
        try {
          report(err);
        } catch {
          // a broken reporter must not end the process either
        }
      }
    }
  }

  #armTimer(f) {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#timeoutMs === 0) return;
    const remaining = this.#timeoutMs - (performance.now() - this.#sentAt);
    this.#timer = setTimeout(() => {
      if (this.#fetch !== f) return;
      this.#timer = null;
      if (this.#timeoutMs !== 0 && performance.now() - this.#sentAt < this.#timeoutMs) {
        this.#armTimer(f); // a delay longer than setTimeout's maximum
        return;
      }
      this.#fail(f, {
        code: 'ETIMEDOUT', message: `The request timed out after ${this.#timeoutMs} ms`,
      }, 'timeout');
    }, Math.min(Math.max(0, Math.ceil(remaining)), MAX_TIMER_MS));
  }

  /** Cancels the request in flight `f` (no events): its timer and its network side. */
  #teardown(f) {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    f.cancel();
  }

  /** Network error / timeout: request error steps of the XHR standard. */
  #fail(f, err, type = 'error') {
    if (this.#fetch !== f) return;
    this.#teardown(f);
    this.#fetch = null;
    this.errorCause = toErrorCause(err, f.secrets);
    this.#requestErrorSteps(type);
  }

  #requestErrorSteps(type) {
    const generation = this.#generation;
    this.readyState = DONE;
    this.#sendFlag = false;
    this.#resetResponse(true);
    this.#fire('readystatechange');
    if (this.#generation !== generation) return;
    this.#fireProgress(type, 0, 0);
    if (this.#generation !== generation) return;
    this.#fireProgress('loadend', 0, 0);
  }

  /** The final response's head arrived (transport.js): HEADERS_RECEIVED. */
  #onResponse(f, { status, statusText, url, headers, total }) {
    this.#responseHeaders = headers;
    this.status = status;
    this.statusText = statusText;
    this.responseURL = withoutFragment(url);
    this.#total = total;
    this.readyState = HEADERS_RECEIVED;
    this.#fire('readystatechange');
  }

  #onBody(f, chunk) {
    if (this.#fetch !== f || chunk.length === 0) return;
    this.#bodyChunks.push(chunk);
    this.#bodyLength += chunk.length;
    if (this.readyState === HEADERS_RECEIVED) {
      this.readyState = LOADING;
      this.#fire('readystatechange');
      if (this.#fetch !== f) return;
    }
    this.#lastProgress = this.#bodyLength;
    this.#fireProgress('progress', this.#bodyLength, this.#total);
  }

  /** The whole body arrived (transport.js; the socket went back to the pool): DONE, load. */
  #finish(f) {
    if (this.#fetch !== f) return;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#lastProgress !== this.#bodyLength) {
      this.#lastProgress = this.#bodyLength;
      this.#fireProgress('progress', this.#bodyLength, this.#total);
      if (this.#fetch !== f) return;
    }
    this.#fetch = null;
    const generation = this.#generation;
    const loaded = this.#bodyLength;
    this.readyState = DONE;
    this.#sendFlag = false;
    this.#fire('readystatechange');
    if (this.#generation !== generation) return;
    const total = this.#total;
    this.#fireProgress('load', loaded, total);
    if (this.#generation !== generation) return;
    this.#fireProgress('loadend', loaded, total);
  }
}

// The readyState constants are also on instances, as in the XHR standard.
for (const [name, value] of Object.entries({ UNSENT, OPENED, HEADERS_RECEIVED, LOADING, DONE })) {
  Object.defineProperty(NodeXMLHttpRequest.prototype, name, { value, enumerable: true });
}
