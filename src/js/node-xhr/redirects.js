// One redirect hop of the Node XMLHttpRequest stand-in's transport (transport.js): which answers
// are redirects, what becomes of the redirect response's connection, and the next hop's request.
// The decision itself (count, schemes, https: → http:, credentials) is ../redirect.js's
// planRedirect, shared with the stand-in over fetch(); WHATWG Fetch "HTTP-redirect fetch" and
// RFC 9110 §15.4.

import { Buffer } from 'node:buffer';
import { setTimeout, clearTimeout } from 'node:timers';
import { REDIRECT_STATUSES, REQUEST_BODY_HEADERS, planRedirect } from '../redirect.js';

/** Node decodes header bytes as latin1; URLs in headers are UTF-8 in practice (browsers too). */
function latin1ToUtf8(value) {
  const bytes = Buffer.from(value, 'latin1');
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? value : text;
}

/**
 * The `Location` values of a redirect response.
 * @param {import('node:http').IncomingMessage} res
 * @returns {string[] | null} every Location header, or null when `res` is not a redirect (not
 *   301, 302, 303, 307, 308, or no Location): it is then the final response
 */
export function redirectLocations(res) {
  const locations = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i].toLowerCase() === 'location') locations.push(res.rawHeaders[i + 1]);
  }
  return REDIRECT_STATUSES.has(res.statusCode) && locations.length > 0 ? locations : null;
}

/**
 * Lets go of a redirect response: a small body of known length (at most 64 KiB) is read and
 * dropped so that its keep-alive connection can be reused (closed if that takes over 1 s); any
 * other is closed at once.
 * @param {import('node:http').IncomingMessage} res
 */
export function releaseRedirectResponse(res) {
  const length = res.headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length) && Number(length) <= 65536) {
    res.resume();
    const drainTimer = setTimeout(() => res.destroy(), 1000);
    drainTimer.unref();
    res.once('close', () => clearTimeout(drainTimer));
  } else {
    res.destroy();
  }
}

/**
 * Turns the request of `hop` into the request of the next hop, as a redirect asks.
 * @param {{ originalUrl: URL, url: URL, method: string, body: Buffer | null,
 *   headers: Array<{ lower: string, name: string, value: string }>, dropCredentials: boolean,
 *   redirectCount: number }} hop updated in place: URL, method, body and its headers, whether
 *   credentials are dropped (from the first hop to another origin on), the count
 * @param {number} status the redirect's status code
 * @param {string[]} locations its Location headers (see redirectLocations)
 * @returns {{ code: string, message: string } | null} why the redirect is refused (a network
 *   error: `ERR_INVALID_REDIRECT` for several different Locations, else planRedirect's codes), or
 *   null when `hop` is ready to send
 */
export function followRedirect(hop, status, locations) {
  if (new Set(locations).size > 1) {
    return { code: 'ERR_INVALID_REDIRECT', message: 'redirect with several different Location headers' };
  }
  const plan = planRedirect({
    status,
    location: latin1ToUtf8(locations[0]),
    currentUrl: hop.url,
    originalUrl: hop.originalUrl,
    method: hop.method,
    redirectCount: hop.redirectCount,
  });
  if (!plan.ok) return plan;
  hop.redirectCount += 1;
  hop.url = plan.url;
  hop.method = plan.method;
  if (plan.dropBody) {
    hop.body = null;
    hop.headers = hop.headers.filter((h) => !REQUEST_BODY_HEADERS.has(h.lower));
  }
  if (plan.crossOrigin) hop.dropCredentials = true;
  return null;
}
