/**
 * Failed reads in words for a row. Describes what happened only: whether a failure is read again
 * is decided by the library (watchDatasets' `terminal`), never here.
 * @module
 */
import {
  ProlificApiError, NetworkError, TimeoutError, InvalidResponseError,
} from './pkg/src/js/index.js';

/** Longest server text shown, in characters. */
const SERVER_TEXT_LIMIT = 300;

/**
 * One line of at most `limit` characters, white space collapsed.
 * @param {unknown} value
 * @param {number} [limit]
 * @returns {string}
 */
export function clip(value, limit = SERVER_TEXT_LIMIT) {
  const string = String(value ?? '').replace(/\s+/g, ' ').trim();
  return string.length > limit ? `${string.slice(0, limit - 1)}…` : string;
}

function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

function serverSaid(title, detail) {
  const bare = (value) => String(value ?? '').replace(/[.\s]+$/u, '').toLowerCase();
  // "Not found — Not found." says it once.
  if (title && detail && bare(title) === bare(detail)) return clip(detail);
  return clip([title, detail].filter((part) => part).join(' — '));
}

/**
 * @typedef {object} Problem
 * @property {string} title short, e.g. "Not found (404)"
 * @property {string} badge the row's badge while no status was read: "Not found" (404) or
 *   "Read failed"
 * @property {string} explanation what it means for the user
 * @property {string} serverText what the server said ('' when nothing)
 * @property {Date} at when the read ended
 * @property {boolean | undefined} final from watchDatasets: true when it reads this dataset no
 *   more, false when it reads it again; undefined outside Watch
 */

/**
 * Turns the error of a read into readable text.
 * @param {unknown} error what the library rejected with (or put in an entry's `error`)
 * @param {{ at: Date, direct: boolean, final?: boolean }} context when, in which mode, and what
 *   watchDatasets decided
 * @returns {Problem}
 */
export function describeError(error, { at, direct, final }) {
  const badge = error instanceof ProlificApiError && error.httpStatus === 404 ? 'Not found' : 'Read failed';
  const problem = (title, explanation, serverText = '') => ({ title, badge, explanation, serverText, at, final });
  if (error instanceof ProlificApiError) {
    const status = error.httpStatus;
    const server = serverSaid(error.title, error.detail);
    if (status === 401) {
      return problem('Token rejected (401)', direct
        ? 'The API did not accept the token typed in direct mode.'
        : 'The API did not accept the token of this page\'s server (PROLIFIC_TOKEN is wrong, revoked or missing).', server);
    }
    if (status === 403) return problem('No permission (403)', 'The token may not read this dataset.', server);
    if (status === 404) {
      return problem('Not found (404)', 'No dataset has this id, or the token has no permission to see it. Check the id.', server);
    }
    if (status === 429) {
      const wait = error.retryAfterMs !== undefined
        ? `The API asked to wait ${plural(Math.max(1, Math.ceil(error.retryAfterMs / 1000)), 'second')}.`
        : 'The API asked to slow down.';
      return problem('Rate limited (429)', wait, server);
    }
    if (status >= 500) {
      const gateway = status === 502 || status === 504;
      return problem(`Server error (${status}${error.title ? ` ${clip(error.title, 60)}` : ''})`, gateway
        ? 'The server in between could not get an answer from the API.'
        : 'The API failed to answer this request.', clip(error.detail));
    }
    return problem(`Request refused (${status})`, 'The API refused to answer this request.', server);
  }
  if (error instanceof NetworkError) {
    return problem('Network down', direct
      ? 'No answer from the typed base URL: it may be down or unreachable, or the browser blocked the request ' +
        '(CORS, or this page\'s security policy, which allows https and plain http only to localhost and 127.0.0.1).'
      : 'No answer from this page\'s server: it may have stopped, or this computer is offline.');
  }
  if (error instanceof TimeoutError) {
    return problem('Timed out', `No answer within ${plural(Math.max(1, Math.ceil(error.timeoutMs / 1000)), 'second')}.`);
  }
  if (error instanceof InvalidResponseError) {
    return problem(`Invalid answer (${error.httpStatus})`,
      'The server answered, but not with a dataset status. Is the base URL right?',
      error.bodySnippet ? clip(`the answer began with ${error.bodySnippet}`) : '');
  }
  if (error instanceof TypeError) return problem('Invalid settings', clip(error.message));
  return problem('Could not read', clip(error instanceof Error ? error.message : String(error)));
}

/**
 * The sentence saying what happens next, from watchDatasets' decision.
 * @param {Problem} problem
 * @returns {string} '' outside Watch
 */
export function nextStep(problem) {
  if (problem.final === true) return 'Watch does not read it again (the library treats this answer as final).';
  if (problem.final === false) return 'Watch reads it again later.';
  return '';
}
