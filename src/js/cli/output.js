/**
 * How the CLI writes: text made safe for a terminal, JSON lines, table rows, error lines with
 * advice, import job summaries, and a stdout that survives a closed pipe.
 * @module
 */
import {
  ProlificApiError, NetworkError, TimeoutError, InvalidResponseError,
} from '../node.js';

const PROGRAM = 'prolific-dataset-status';

/**
 * Characters that must not reach a terminal raw: C0 and C1 controls (escape sequences included),
 * DEL, and the bidirectional and invisible format characters that can reorder or hide text.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * Makes text safe for a terminal: every unsafe character becomes "?".
 * @param {unknown} text
 * @returns {string}
 */
export function printable(text) {
  return String(text).replace(UNSAFE, '?');
}

/**
 * One JSON line: JSON.stringify, with every unsafe character (C1 controls, bidi and format
 * characters, line and paragraph separators) written as a \u escape, so the line is safe in a
 * terminal and still the same JSON value.
 * @param {unknown} value
 * @returns {string} without the line break
 */
export function jsonLine(value) {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Fields of an error worth printing: every own field of the error class that holds a plain value. */
const ERROR_FIELDS = ['httpStatus', 'errorCode', 'title', 'detail', 'additionalInformation', 'retryAfterMs',
  'timeoutMs', 'bodySnippet', 'datasetId', 'status'];

/**
 * An error as a JSON value: `{ name, message, httpStatus?, errorCode?, title?, detail?,
 * additionalInformation?, retryAfterMs?, timeoutMs?, bodySnippet?, … }`.
 * @param {Error} error
 * @param {string} [message] the message to show instead of the error's own
 * @returns {object}
 */
export function describeError(error, message) {
  const described = { name: String(error?.name ?? 'Error'), message: message ?? String(error?.message ?? error) };
  for (const field of ERROR_FIELDS) {
    const value = error?.[field];
    if (value !== undefined && (typeof value !== 'object' || value === null)) described[field] = value;
  }
  return described;
}

/**
 * A timeout message in the unit the user typed: "within 3000 ms" becomes "within 3 s".
 * @param {Error} error
 * @param {{ ms: number, text: string } | undefined} timeout what --timeout said, if given
 * @returns {string} the message
 */
export function messageOf(error, timeout) {
  const message = String(error?.message ?? error);
  if (!(error instanceof TimeoutError) || !timeout) return message;
  return message.replace(new RegExp(`within ${timeout.ms} ms`), `within ${timeout.text} s`);
}

/**
 * A short text for the status column of a failed read.
 * @param {Error} error
 * @returns {string}
 */
export function shortMessage(error) {
  if (error instanceof ProlificApiError) return `HTTP ${error.httpStatus} ${printable(error.title ?? '').slice(0, 60)}`.trim();
  if (error instanceof TimeoutError) return error.lastStatus ? `timed out (last status ${printable(error.lastStatus)})` : 'timed out';
  if (error instanceof NetworkError) return 'network error';
  if (error instanceof InvalidResponseError) return `invalid response (HTTP ${error.httpStatus})`;
  if (error instanceof TypeError) return 'invalid argument';
  return 'failed';
}

/**
 * What the user can do about a failed read.
 * @param {Error} error
 * @returns {string} one sentence
 */
export function advice(error) {
  if (error instanceof ProlificApiError) {
    const status = error.httpStatus;
    if (status === 401) return 'Check PROLIFIC_TOKEN.';
    if (status === 403) return 'Check PROLIFIC_TOKEN and your access to the dataset.';
    if (status === 404) return 'Check the dataset id (or your access to it).';
    if (status === 408 || status === 429 || status >= 500) return 'Retry later.';
    return 'Check the dataset id and --base-url.';
  }
  if (error instanceof TimeoutError) return 'Retry later, or allow more time with --timeout.';
  if (error instanceof NetworkError) return 'Check your connection and --base-url, or retry later.';
  if (error instanceof InvalidResponseError) return 'Check that --base-url (or PROLIFIC_URL) points at the Prolific API, or retry later.';
  return 'Retry later.';
}

/** The library's trailing "(upload URL of "f" for dataset "d")" and the like: the subject again. */
export const TRAILING_SUBJECT = / \((?=[^)]*")(?:[^()"]|"[^"]*")*\)$/;

/** The library's 'Dataset "id": ' at the start of a message (the id JSON-quoted). */
const LEADING_DATASET = /^Dataset "(?:[^"\\]|\\.)*": /;

/**
 * A line for stderr: what it is about, what went wrong, what to do.
 * @param {string} subject already printable, e.g. `dataset "abc"`
 * @param {Error | string} error or its message
 * @param {string} adviceText one sentence
 * @param {RegExp} [trailingSubject] the end of the message that repeats the subject, left out
 * @returns {string}
 */
export function failureLine(subject, error, adviceText, trailingSubject = TRAILING_SUBJECT) {
  const message = String(typeof error === 'string' ? error : error?.message ?? error)
    .replace(trailingSubject, '').replace(/([^.!?])$/, '$1.');
  // The library's own leading 'Dataset "id": ' when the subject already names the dataset.
  const once = subject.startsWith('dataset "') ? message.replace(LEADING_DATASET, '') : message;
  return `${PROGRAM}: ${subject}: ${printable(once)} ${adviceText}`;
}

/**
 * The error line for stderr about one dataset.
 * @param {string} datasetId
 * @param {Error} error
 * @param {{ ms: number, text: string }} [timeout] what --timeout said
 * @returns {string}
 */
export function errorLine(datasetId, error, timeout) {
  return failureLine(`dataset "${printable(datasetId)}"`, messageOf(error, timeout), advice(error), / \(dataset ".*"\)$/);
}

/**
 * A V4 dataset's import jobs in a few words: "import jobs: 2 complete, 1 processing".
 * @param {Array<{ status: string }>} imports
 * @returns {string}
 */
export function importsSummary(imports) {
  if (!imports || imports.length === 0) return 'no import job yet';
  const counts = new Map();
  for (const job of imports) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  return `import jobs: ${[...counts].map(([status, count]) => `${count} ${printable(status)}`).join(', ')}`;
}

/**
 * The status column of a result: the status, or for a V4 dataset (status null) its import jobs.
 * @param {{ status?: string | null, imports?: object[], error?: Error }} result
 * @returns {string}
 */
export function statusText(result) {
  if (result.error) return `error: ${shortMessage(result.error)}`;
  if (result.status === null || result.status === undefined) return `no status (V4 dataset; ${importsSummary(result.imports)})`;
  return printable(result.status);
}

/**
 * A table row, padded to `width` for the id.
 * @param {string} datasetId
 * @param {string} status already printable
 * @param {number} width
 * @returns {string}
 */
export function tableRow(datasetId, status, width) {
  return `${printable(datasetId).padEnd(width)}  ${status}\n`;
}

/**
 * The JSON line of a result: `{"datasetId","status"[,"imports"]}` or `{"datasetId","error":{…}}`.
 * @param {{ datasetId: string, status?: string | null, imports?: object[], error?: Error }} result
 * @param {{ ms: number, text: string }} [timeout]
 * @returns {string}
 */
export function resultJson(result, timeout) {
  if (result.error) return jsonLine({ datasetId: result.datasetId, error: describeError(result.error, messageOf(result.error, timeout)) });
  const out = { datasetId: result.datasetId, status: result.status ?? null };
  if (result.imports) out.imports = result.imports;
  return jsonLine(out);
}

/**
 * A stdout that survives a closed pipe (`| head -1`): after EPIPE nothing more is written, and
 * the run goes on to its own exit code (a failure is never hidden behind a 0).
 * @param {NodeJS.WriteStream} stream
 * @returns {{ write: (text: string) => void, closed: () => boolean }}
 */
export function guardedOutput(stream) {
  let closed = false;
  // EPIPE (the reader left) or any other write failure: stop writing; the exit code stays the run's.
  stream.on('error', () => { closed = true; });
  return {
    write(text) { if (!closed) stream.write(text); },
    closed: () => closed,
  };
}
