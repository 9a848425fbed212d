/**
 * What the dashboard server checks before anything else: the Host header (one, naming this
 * server: against DNS rebinding), HTTP Basic credentials when they are configured, and the access
 * log line. Nothing here sees the Prolific token.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Splits a Host header value into a lower-case name and a port.
 * @param {string} value
 * @returns {{ name: string, port: string } | null} null for a malformed value; port '' when absent
 */
export function parseHostHeader(value) {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(value);
  if (!match) return null;
  return { name: match[1].toLowerCase().replace(/\.$/, ''), port: match[2] ?? '' };
}

/**
 * Whether the server's listen address is a loopback interface (localhost, 127.0.0.0/8, ::1):
 * then only this machine can reach it, and its loopback names are its own.
 * @param {string} listenHost the --host value
 * @returns {boolean}
 */
export function isLoopbackListen(listenHost) {
  const listen = listenHost.toLowerCase();
  return LOOPBACK_NAMES.includes(listen) || listen === '::1' || /^127\.\d+\.\d+\.\d+$/.test(listen);
}

/**
 * The check of the Host header. A request is answered when its Host is:
 * - a name given with allowedHosts (any port; "name:port" pins the port), e.g. the public name of
 *   a reverse proxy;
 * - with this server's own port: the address it listens on; when it listens on loopback,
 *   localhost, 127.0.0.1 and [::1]; when it listens on every interface (0.0.0.0, ::), any IP
 *   address (a DNS-rebinding page cannot make a browser send an address as Host for its own origin).
 * @param {object} options
 * @param {string} options.listenHost the address the server listens on
 * @param {() => number} options.port the port it listens on
 * @param {string[]} [options.allowedHosts] extra names
 * @returns {(hostHeader: string) => boolean}
 */
export function createHostCheck({ listenHost, port, allowedHosts = [] }) {
  const listen = listenHost.toLowerCase();
  const wildcard = listen === '0.0.0.0' || listen === '::' || listen === '[::]';
  const own = new Set([listen.includes(':') ? `[${listen.replace(/^\[|\]$/g, '')}]` : listen]);
  if (isLoopbackListen(listen)) {
    for (const name of LOOPBACK_NAMES) own.add(name);
  }
  const extra = allowedHosts.map((entry) => parseHostHeader(entry)).filter(Boolean);
  return (hostHeader) => {
    const host = parseHostHeader(hostHeader);
    if (!host) return false;
    if (extra.some((entry) => entry.name === host.name && (entry.port === '' || entry.port === host.port))) return true;
    if (host.port !== String(port())) return false;
    if (own.has(host.name)) return true;
    return wildcard && isIP(host.name.replace(/^\[|\]$/g, '')) !== 0;
  };
}

/**
 * The Host header values of a request, from its raw headers (Node keeps only the first in
 * req.headers.host).
 * @param {import('node:http').IncomingMessage} req
 * @returns {string[]}
 */
export function hostHeaders(req) {
  const values = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'host') values.push(req.rawHeaders[i + 1]);
  }
  return values;
}

function digest(text) {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The check of HTTP Basic credentials (RFC 7617) against configured "user:password" pairs. Every
 * pair is compared, each in constant time (SHA-256 digests through crypto.timingSafeEqual), so the
 * time taken does not tell how much of a guess was right.
 * @param {string[]} pairs "user:password"
 * @returns {(authorization: string | undefined) => boolean}
 */
export function createBasicAuthCheck(pairs) {
  const digests = pairs.map(digest);
  return (authorization) => {
    const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization ?? '');
    const given = digest(match ? Buffer.from(match[1], 'base64').toString('utf8') : '\0no credentials');
    let ok = false;
    for (const expected of digests) ok = timingSafeEqual(given, expected) || ok;
    return ok;
  };
}

/** The WWW-Authenticate header of a 401. */
export const WWW_AUTHENTICATE = 'Basic realm="prolific-dataset-status", charset="UTF-8"';

/**
 * One access-log line: time, client address, method, path (no query), status, bytes, ms. It never
 * holds headers, so no credentials and no token.
 * @param {object} entry
 * @returns {string}
 */
export function accessLogLine({ time, remote, method, path, status, bytes, ms }) {
  const printable = (text) => String(text).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).slice(0, 300);
  return `${time.toISOString()} ${printable(remote ?? '-')} ${printable(method)} ${printable(path)} ${status} ${bytes} ${ms.toFixed(1)}ms`;
}
