// Response bodies of the Node XMLHttpRequest stand-in (../node-xhr.js): the content codings it
// undoes (gzip, deflate in both framings, brotli; Fetch Standard "handle content codings"), the
// charset it decodes text with (XHR Standard "text response"), the other response types
// ("arraybuffer", "blob", "json"), and the joining of body chunks.

import zlib from 'node:zlib';
import { Transform } from 'node:stream';
import { Blob } from 'node:buffer';
import { TextDecoder } from 'node:util';

/**
 * `deflate` as browsers read it: zlib-wrapped (RFC 1950, what the RFC means) or raw (RFC 1951,
 * what some servers send), told apart by the first bytes.
 */
class InflateAuto extends Transform {
  #inner = null;
  #options;

  constructor(options) {
    super();
    this.#options = options;
  }

  _transform(chunk, _encoding, callback) {
    if (!this.#inner) {
      const b0 = chunk[0];
      const zlibWrapped = (b0 & 0x0f) === 8 && (b0 >> 4) <= 7
        && (chunk.length < 2 || ((b0 << 8) | chunk[1]) % 31 === 0);
      this.#inner = zlibWrapped ? zlib.createInflate(this.#options) : zlib.createInflateRaw(this.#options);
      this.#inner.on('data', (data) => this.push(data));
      this.#inner.on('error', (err) => this.destroy(err));
    }
    this.#inner.write(chunk, () => callback());
  }

  _flush(callback) {
    if (!this.#inner) {
      callback();
      return;
    }
    this.#inner.once('end', () => callback());
    this.#inner.end();
  }

  _destroy(err, callback) {
    if (this.#inner) this.#inner.destroy();
    callback(err);
  }
}

/** A decoder for one content coding, or null when the coding is unknown. */
export function createDecoder(coding) {
  // Lenient about a missing end marker, like browsers and undici (truncation at the transport
  // level is still detected by the HTTP parser).
  const zlibOptions = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(zlibOptions);
    case 'deflate':
      return new InflateAuto(zlibOptions);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return null;
  }
}

/**
 * The content codings to undo, outermost first, or [] when the body is to be delivered as is
 * (no coding, only `identity`, or a coding this class cannot decode; browsers pass those through).
 */
export function contentCodings(rawHeaders) {
  const codings = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'content-encoding') continue;
    for (const part of rawHeaders[i + 1].split(',')) {
      const coding = part.trim().toLowerCase();
      if (coding !== '' && coding !== 'identity') codings.push(coding);
    }
  }
  if (codings.some((c) => !['gzip', 'x-gzip', 'deflate', 'br'].includes(c))) return [];
  return codings.reverse();
}

/** The `charset` parameter of a MIME type, or null. */
export function charsetOf(mime) {
  if (typeof mime !== 'string') return null;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(mime);
  return match ? (match[1] ?? match[2]) : null;
}

/** Bytes as text in the encoding `label` names, UTF-8 when it names none Node knows. */
export function decodeText(bytes, label) {
  let decoder;
  try {
    decoder = new TextDecoder(label || 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}

/** The chunks joined into one Uint8Array of `length` bytes. */
export function concatChunks(chunks, length) {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * The complete body as the XHR standard's `response` gives it for a non-text `responseType`.
 * @param {string} type `'arraybuffer'`, `'blob'` or `'json'` (anything else gives null)
 * @param {Uint8Array} bytes the whole (content-decoded) body; its buffer is handed out as is
 * @param {string | null} mime the response's MIME type, the Blob's type
 * @returns {ArrayBuffer | Blob | unknown} the bytes' ArrayBuffer, a node:buffer Blob, or the body
 *   parsed as UTF-8 JSON (null for an empty body or one that does not parse)
 */
export function responseObject(type, bytes, mime) {
  switch (type) {
    case 'arraybuffer':
      return bytes.buffer;
    case 'blob':
      return new Blob([bytes], { type: mime ?? '' });
    case 'json':
      try {
        return bytes.length === 0 ? null : JSON.parse(decodeText(bytes, 'utf-8'));
      } catch {
        return null;
      }
    default:
      return null;
  }
}
