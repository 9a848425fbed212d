// The redirect and token rules of the package's HTTP stand-ins, in one place: the Node stand-in
// over node:http (node-xhr.js) and the stand-in over fetch() (fetch-xhr.js) both follow them.
// WHATWG Fetch Standard "HTTP-redirect fetch" and RFC 9110 §15.4, with DESIGN.md's token rules on
// top: credentials never leave the original origin, never an https: → http: downgrade.
// No import: this file runs in every runtime (Node, Deno, Bun, browsers, workers, workerd).

/**
 * Most redirects one request follows (WHATWG Fetch, "HTTP-redirect fetch", step 5: a network
 * error once the redirect count is 20). The 21st redirect response ends the request with
 * `errorCause.code === 'ERR_TOO_MANY_REDIRECTS'`.
 * @type {number}
 */
export const MAX_REDIRECTS = 20;

// Dropped for a redirect hop, and every later one, whose origin differs from the original
// request's origin (Fetch: "CORS non-wildcard request-header name" `Authorization`; Cookie and
// Proxy-Authorization are credentials too).
export const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
// Fetch "request-body-header name": removed when a redirect turns the request into a GET.
export const REQUEST_BODY_HEADERS = new Set([
  'content-encoding', 'content-language', 'content-location', 'content-type',
]);
// RFC 9110 §15.4 / Fetch "redirect status".
export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const REDACTED = '[REDACTED]';

/** Origin of a URL as a string, for http(s) URLs: scheme, host and port (default port elided). */
export function originOf(url) {
  return url.origin;
}

/** The URL serialised with "exclude fragment" (Fetch/XHR `responseURL`). */
export function withoutFragment(url) {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

/** decodeURIComponent, or the text unchanged when it is not valid percent-encoding. */
export function safeDecodeURIComponent(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Decides what to do with a redirect response, following the WHATWG Fetch Standard's
 * "HTTP-redirect fetch" (with RFC 9110 §15.4 semantics) and this project's stricter token rules.
 * Pure function, exported so the decision can be unit-tested without a network.
 *
 * Order of checks: Location parse → scheme (http:/https: only) → redirect count (at most
 * {@link MAX_REDIRECTS}) → https: → http: downgrade (refused; Fetch leaves this to mixed-content
 * blocking, DESIGN.md forbids it outright) → credentials in a cross-origin Location (Fetch).
 *
 * @param {object} p
 * @param {number} p.status Status code of the redirect response (301, 302, 303, 307 or 308).
 * @param {string} p.location Value of its `Location` header (may be relative).
 * @param {URL|string} p.currentUrl URL of the request that got this response.
 * @param {URL|string} p.originalUrl URL the request was first sent to (defines "cross-origin").
 * @param {string} p.method Method of the request that got this response.
 * @param {number} p.redirectCount Redirects already followed before this one.
 * @returns {{ ok: true, url: URL, method: string, dropBody: boolean, crossOrigin: boolean }
 *          | { ok: false, code: string, message: string }}
 *   `ok: true`: send the next request to `url` with `method`; when `dropBody`, without a body
 *   and without the request-body headers (303, and 301/302 for POST); when `crossOrigin` (the
 *   target's scheme, host or port differ from the ORIGINAL request's), without Authorization,
 *   Cookie and Proxy-Authorization, for this hop and every later one.
 *   `ok: false`: a network error with this `code` (`ERR_INVALID_REDIRECT`,
 *   `ERR_REDIRECT_UNSUPPORTED_SCHEME`, `ERR_TOO_MANY_REDIRECTS`, `ERR_REDIRECT_DOWNGRADE`,
 *   `ERR_REDIRECT_CREDENTIALS`). Messages name no URL and no header value.
 */
export function planRedirect({ status, location, currentUrl, originalUrl, method, redirectCount }) {
  const current = new URL(String(currentUrl));
  const original = new URL(String(originalUrl));
  let target;
  try {
    target = new URL(String(location), current);
  } catch {
    return { ok: false, code: 'ERR_INVALID_REDIRECT', message: 'redirect Location is not a valid URL' };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return {
      ok: false,
      code: 'ERR_REDIRECT_UNSUPPORTED_SCHEME',
      message: `refusing redirect to a ${target.protocol} URL (only http: and https:)`,
    };
  }
  if (redirectCount >= MAX_REDIRECTS) {
    return {
      ok: false,
      code: 'ERR_TOO_MANY_REDIRECTS',
      message: `too many redirects (more than ${MAX_REDIRECTS})`,
    };
  }
  if (current.protocol === 'https:' && target.protocol === 'http:') {
    return {
      ok: false,
      code: 'ERR_REDIRECT_DOWNGRADE',
      message: 'refusing redirect from https: to http:',
    };
  }
  const crossOrigin = originOf(target) !== originOf(original);
  // Stricter than the Fetch standard (which refuses only cross-origin ones): a redirect target
  // with user information would make this client send an Authorization header the caller never
  // gave (Basic, from the URL), so it is refused wherever it points.
  if (target.username !== '' || target.password !== '') {
    return {
      ok: false,
      code: 'ERR_REDIRECT_CREDENTIALS',
      message: 'refusing redirect to a URL with credentials',
    };
  }
  // Fetch: a redirect target without a fragment inherits the current URL's fragment.
  if (target.hash === '' && current.hash !== '') target.hash = current.hash;
  let nextMethod = method;
  let dropBody = false;
  if (((status === 301 || status === 302) && method === 'POST')
      || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
    // The Fetch standard turns these into a GET without the body. For this client that would
    // report an upload (PUT) or a creation (POST) as done when the server never got it: refused.
    return {
      ok: false,
      code: 'ERR_REDIRECT_DROPS_BODY',
      message: `refusing a ${status} redirect that would drop the ${method} request's body`,
    };
  }
  return { ok: true, url: target, method: nextMethod, dropBody, crossOrigin };
}

/**
 * Turns an underlying error into `{ code, message }`, with every request header value (and URL
 * credential) of 4 characters or more replaced by `[REDACTED]`.
 */
export function toErrorCause(err, secrets) {
  const code = err && typeof err.code === 'string' && err.code !== '' ? err.code : 'ERR_NETWORK';
  let message = err && typeof err.message === 'string' ? err.message : String(err);
  for (const secret of secrets) {
    if (message.includes(secret)) message = message.split(secret).join(REDACTED);
  }
  if (message.length > 500) message = `${message.slice(0, 500)}…`;
  return { code, message };
}

/** Strings to keep out of error messages: request header values and URL credentials. */
export function secretsOf(headers, url) {
  const secrets = new Set();
  const add = (s) => {
    if (typeof s === 'string' && s.length >= 4) secrets.add(s);
  };
  for (const { lower, value } of headers) {
    add(value);
    if (CREDENTIAL_HEADERS.has(lower)) {
      for (const part of value.split(/[\s,;=]+/)) if (part.length >= 6) add(part);
    }
  }
  add(url.username);
  add(url.password);
  add(safeDecodeURIComponent(url.username));
  add(safeDecodeURIComponent(url.password));
  return [...secrets].sort((a, b) => b.length - a.length);
}
