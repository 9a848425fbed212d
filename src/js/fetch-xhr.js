// An XMLHttpRequest over fetch(), for runtimes that have fetch() and no XMLHttpRequest: service
// workers, Cloudflare Workers (workerd), Deno, Bun. Emscripten's fetch transport
// (emscripten/fetch.h) drives an XMLHttpRequest; the loaders hand the module this class there.
//
// Redirects follow the package's rules (redirect.js, shared with the Node stand-in): where the
// runtime hands back the 3xx itself (`redirect: "manual"` in Node, Deno, Bun and workerd), each
// hop is planned by planRedirect (at most 20, credentials dropped from the first hop to another
// origin, never https: → http:). Where it hides it (browsers and service workers answer an opaque
// redirect), the request is sent again with the runtime's own redirect rules (which drop the
// Authorization header on a cross-origin hop) and the module checks the final URL.
//
// Only what the glue and the module use is implemented: asynchronous requests, `responseType`
// "arraybuffer", the `on*` handlers, `responseURL`, and `errorCause` ({ code, message }, request
// header values redacted) on network failures.
import {
  CREDENTIAL_HEADERS, REDIRECT_STATUSES, planRedirect, secretsOf, toErrorCause, withoutFragment,
} from './redirect.js';

const DONE = 4;

/** The XMLHttpRequest the module gets in runtimes without one. */
export class FetchXMLHttpRequest {
  #method;
  #url;
  /** The request headers: `{ name, lower, value }`, in the order set. */
  #headers = [];
  /** The response's Headers once they are known. */
  #responseHeaders = null;
  /** The AbortController of the request in flight; null when none runs (no handler runs then). */
  #controller = null;

  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.response = null;
    this.responseURL = '';
    this.responseType = '';
    this.timeout = 0;
    this.withCredentials = false;
    /** Why the request failed without an HTTP answer: `{ code, message }`, or null. */
    this.errorCause = null;
    this.onload = this.onerror = this.ontimeout = this.onprogress = this.onreadystatechange = this.onabort = null;
  }

  /**
   * @param {string} method
   * @param {string} url absolute http(s) URL
   */
  open(method, url) {
    this.#method = String(method).toUpperCase();
    this.#url = new URL(String(url));
    this.#headers = [];
    this.#setState(1);
  }

  /** Adds a request header (values for the same name are kept in order). */
  setRequestHeader(name, value) {
    this.#headers.push({ name: String(name), lower: String(name).toLowerCase(), value: String(value) });
  }

  overrideMimeType() {}

  /** The response headers as "name: value\r\n" lines (names in lower case), or "" before them. */
  getAllResponseHeaders() {
    if (!this.#responseHeaders) return '';
    let text = '';
    this.#responseHeaders.forEach((value, name) => { text += `${name}: ${value}\r\n`; });
    return text;
  }

  /** One response header, or null. */
  getResponseHeader(name) {
    return this.#responseHeaders ? this.#responseHeaders.get(name) : null;
  }

  /** Stops the request; no handler runs afterwards. */
  abort() {
    const controller = this.#controller;
    this.#controller = null;
    controller?.abort();
  }

  /** @param {ArrayBufferView | ArrayBuffer | string | null} [body] */
  send(body = null) {
    const controller = new AbortController();
    this.#controller = controller;
    this.#run(controller, body).catch((error) => {
      if (this.#controller !== controller) return;
      this.#fail(error);
    });
  }

  async #run(controller, body) {
    const secrets = secretsOf(this.#headers, this.#url);
    const original = this.#url;
    let url = original;
    let method = this.#method;
    let dropCredentials = false;
    let response;
    for (let redirects = 0; ; redirects++) {
      const headers = new Headers();
      for (const { lower, name, value } of this.#headers) {
        if (!(dropCredentials && CREDENTIAL_HEADERS.has(lower))) headers.append(name, value);
      }
      const init = { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body,
        signal: controller.signal, redirect: 'manual' };
      try {
        response = await fetch(url.href, init);
        if (response.type === 'opaqueredirect') {
          // The runtime keeps redirects to itself (a browser or a service worker): its own rules.
          response = await fetch(url.href, { ...init, redirect: 'follow' });
        }
      } catch (error) {
        if (this.#controller !== controller) return;
        this.errorCause = toErrorCause(error?.cause ?? error, secrets);
        this.#finishWithError();
        return;
      }
      if (this.#controller !== controller) return;
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null) break;
      const plan = planRedirect({
        status: response.status, location, currentUrl: url, originalUrl: original, method, redirectCount: redirects,
      });
      await response.body?.cancel().catch(() => {});
      if (!plan.ok) {
        this.errorCause = { code: plan.code, message: plan.message };
        this.#finishWithError();
        return;
      }
      url = plan.url;
      method = plan.method;
      dropCredentials ||= plan.crossOrigin;
    }
    this.status = response.status;
    this.statusText = response.statusText;
    this.responseURL = response.url ? withoutFragment(new URL(response.url)) : withoutFragment(url);
    this.#responseHeaders = response.headers;
    this.#setState(2);
    const total = Number(response.headers.get('content-length')) || 0;
    const chunks = [];
    let loaded = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (this.#controller !== controller) { reader.cancel().catch(() => {}); return; }
        if (done) break;
        chunks.push(value);
        loaded += value.byteLength;
        this.#setState(3);
        this.onprogress?.({ type: 'progress', target: this, loaded, total, lengthComputable: total !== 0 });
        if (this.#controller !== controller) { reader.cancel().catch(() => {}); return; }
      }
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.byteLength; }
    this.#controller = null;
    this.response = bytes.buffer;
    this.#setState(DONE);
    this.onload?.({ type: 'load', target: this, loaded, total: loaded, lengthComputable: true });
  }

  #fail(error) {
    this.errorCause = toErrorCause(error?.cause ?? error, secretsOf(this.#headers, this.#url));
    this.#finishWithError();
  }

  #finishWithError() {
    this.#controller = null;
    this.status = 0;
    this.response = null;
    this.#setState(DONE);
    this.onerror?.({ type: 'error', target: this });
  }

  #setState(state) {
    this.readyState = state;
    this.onreadystatechange?.({ type: 'readystatechange', target: this });
  }
}
