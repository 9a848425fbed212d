// An XMLHttpRequest for tests that behaves like a browser's where it matters to the module's own
// checks: it follows every redirect by itself (https: to http: included, as a page's XHR does when
// mixed-content blocking does not apply) and reports only the final URL in `responseURL`; it hands
// back `getAllResponseHeaders()` exactly as the server's header block was given to it. The module
// must then find a downgrade from `responseURL` alone (src/core is_https_downgrade), with nothing
// of the package's Node stand-in refusing it first.
import http from 'node:http';
import https from 'node:https';

/**
 * Makes an XMLHttpRequest class for Module.XMLHttpRequest.
 * @param {object} [settings]
 * @param {(status: number, headers: object) => string} [settings.headerBlock] the text
 *   getAllResponseHeaders() returns (default: "name: value\r\n" lines)
 * @returns {typeof Object} a constructor with the members Emscripten's Fetch glue uses
 */
export function browserLikeXMLHttpRequest({ headerBlock } = {}) {
  return class BrowserLikeXMLHttpRequest {
    constructor() {
      this.readyState = 0;
      this.status = 0;
      this.statusText = '';
      this.response = null;
      this.responseURL = '';
      this.responseType = '';
      this.timeout = 0;
      this.withCredentials = false;
      this.headers = {};
      this.onload = this.onerror = this.ontimeout = this.onprogress = this.onreadystatechange = null;
      this.current = null;
      this.responseHeaderText = '';
    }

    open(method, url) {
      this.method = method;
      this.url = url;
      this.readyState = 1;
    }

    setRequestHeader(name, value) { this.headers[name] = value; }

    overrideMimeType() {}

    getAllResponseHeaders() { return this.responseHeaderText; }

    abort() {
      this.current?.destroy();
      this.current = null;
    }

    send(body) {
      this.follow(new URL(this.url), this.method, body, 0);
    }

    follow(url, method, body, hops) {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, {
        method, headers: this.headers, rejectUnauthorized: false, agent: false,
      }, (response) => {
        const location = response.headers.location;
        if ([301, 302, 303, 307, 308].includes(response.statusCode) && location && hops < 20) {
          response.resume();
          this.follow(new URL(location, url), method, body, hops + 1);
          return;
        }
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          this.current = null;
          const bytes = Buffer.concat(chunks);
          this.status = response.statusCode;
          this.statusText = response.statusMessage;
          this.responseURL = url.href;
          this.responseHeaderText = headerBlock ? headerBlock(response.statusCode, response.headers)
            : Object.entries(response.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
          this.response = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
          this.readyState = 2;
          this.onreadystatechange?.({ target: this });
          this.readyState = 4;
          this.onreadystatechange?.({ target: this });
          this.onload?.({ target: this, loaded: bytes.length, total: bytes.length });
        });
      });
      this.current = request;
      request.on('error', () => {
        if (this.current !== request) return;
        this.current = null;
        this.readyState = 4;
        this.status = 0;
        this.onreadystatechange?.({ target: this });
        this.onerror?.({ target: this });
      });
      request.end(body ?? undefined);
    }
  };
}
