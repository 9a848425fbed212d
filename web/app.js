/**
 * The dashboard: a list of Prolific dataset ids with their processing status.
 *
 * - Reads go through the package's browser entry point. By default they go to this page's own
 *   server (`baseUrl: location.origin`, no token): the server adds the API token.
 * - "Direct mode" sends requests to a typed base URL with a typed token, kept in this module's
 *   memory only (never in the address, storage or the page's attributes).
 * - The list of ids lives in the address fragment (`#ids=a,b,c`, each id encodeURIComponent'd).
 * - Every text that comes from the user or a server is put in the page with textContent.
 */
import {
  getDatasetStatuses,
  isTerminalStatus,
  ProlificApiError,
  NetworkError,
  TimeoutError,
  InvalidResponseError,
  ProlificError,
} from './pkg/src/js/index.js';

// ---------------------------------------------------------------------------------------------
// Settings

const DEMO_IDS = ['demo-ready', 'demo-slow', 'demo-error', 'demo-new'];
const PROLIFIC_API_URL = 'https://api.prolific.com';
const MAX_IDS = 500;
const MAX_ID_LENGTH = 256;
const READ_CONCURRENCY = 4;
const READ_TIMEOUT_MS = 20_000;
/** Retries inside one read for "Check now" and new ids; Watch retries on its own schedule. */
const CHECK_MAX_RETRIES = 2;
const WATCH_FIRST_DELAY_MS = 1_000;
const WATCH_MAX_DELAY_MS = 30_000;
const WATCH_GROWTH = 1.5;
const LONGEST_RETRY_AFTER_MS = 60_000;
const SERVER_TEXT_LIMIT = 300;

/** Badge class per documented status; any other string gets the neutral badge. */
const BADGE_CLASSES = {
  UNINITIALISED: 'badge--uninitialised',
  PROCESSING: 'badge--processing',
  READY: 'badge--ready',
  ERROR: 'badge--error',
};
const ALL_BADGE_CLASSES = [...Object.values(BADGE_CLASSES), 'badge--other', 'badge--unknown'];

// ---------------------------------------------------------------------------------------------
// Elements

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page is missing #${id}`);
  return element;
};

const els = {
  addForm: $('add-form'),
  idsInput: $('ids-input'),
  addMessage: $('add-message'),
  list: $('dataset-list'),
  listHeading: $('datasets-heading'),
  summary: $('summary'),
  emptyState: $('empty-state'),
  addDemo: $('add-demo'),
  checkNow: $('check-now'),
  watch: $('watch'),
  watchStatus: $('watch-status'),
  clearAll: $('clear-all'),
  announcer: $('announcer'),
  modeSummary: $('mode-summary'),
  directForm: $('direct-form'),
  directBaseUrl: $('direct-base-url'),
  directToken: $('direct-token'),
  directStop: $('direct-stop'),
  directUse: $('direct-use'),
  directMessage: $('direct-message'),
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ---------------------------------------------------------------------------------------------
// State

/**
 * @typedef {object} Row
 * @property {string} id
 * @property {string | undefined} status last status read
 * @property {Date | undefined} readAt time of the last successful read
 * @property {{ title: string, explanation: string, serverText: string, transient: boolean,
 *   retryAfterMs?: number, at: Date } | null} problem the last read's failure, if it failed
 * @property {number} reading reads in flight
 * @property {number} appliedSeq sequence number of the newest read applied
 * @property {object} view the row's elements
 */

/** @type {Map<string, Row>} in display order */
const rows = new Map();

/** Direct-mode settings, in memory only. @type {{ baseUrl: string, token: string | undefined } | null} */
let direct = null;

/** The running watch. @type {{ controller: AbortController } | null} */
let watch = null;

let readSeq = 0;

// ---------------------------------------------------------------------------------------------
// Small helpers

function text(tag, content, className) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (content !== undefined) element.textContent = content;
  return element;
}

function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

function clip(value, limit = SERVER_TEXT_LIMIT) {
  const string = String(value ?? '').replace(/\s+/g, ' ').trim();
  return string.length > limit ? `${string.slice(0, limit - 1)}…` : string;
}

function seconds(ms) {
  return Math.max(1, Math.ceil(ms / 1000));
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

function isLoopbackHost(hostname) {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' ||
    /^127(\.\d{1,3}){3}$/.test(host);
}

// ---------------------------------------------------------------------------------------------
// Announcements (aria-live="polite")

let pendingAnnouncements = [];
let announceTimer = 0;

function announce(message) {
  pendingAnnouncements.push(message);
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announceTimer = 0;
    const messages = pendingAnnouncements;
    pendingAnnouncements = [];
    els.announcer.textContent = messages.join(' ');
  }, 50);
}

// ---------------------------------------------------------------------------------------------
// The address fragment

/** True when the fragment holds an `ids=` part (possibly empty). */
function hashHasIds(hash) {
  return (hash.startsWith('#') ? hash.slice(1) : hash).split('&').some((part) => part.startsWith('ids='));
}

function idsFromHash(hash) {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of fragment.split('&')) {
    if (!part.startsWith('ids=')) continue;
    const ids = [];
    for (const encoded of part.slice(4).split(',')) {
      if (encoded === '') continue;
      try {
        ids.push(decodeURIComponent(encoded));
      } catch {
        // A badly encoded piece of a hand-edited link: skip it.
      }
    }
    return ids;
  }
  return [];
}

function writeHash() {
  const ids = [...rows.keys()];
  const target = ids.length
    ? `#ids=${ids.map(encodeURIComponent).join(',')}`
    : `${location.pathname}${location.search}`;
  const current = ids.length ? location.hash : `${location.pathname}${location.search}${location.hash}`;
  if (current !== target) history.replaceState(history.state, '', target);
}

// ---------------------------------------------------------------------------------------------
// Adding and removing rows

/** Splits pasted text into ids: whitespace, commas and new lines separate them. */
function parseIds(input) {
  return input.split(/[\s,]+/u).filter((id) => id !== '');
}

/**
 * Adds ids that are not in the list yet and reads them once.
 * @returns {{ added: string[], duplicates: number, tooLong: number, overLimit: number }}
 */
function addIds(ids, { read = true } = {}) {
  const added = [];
  let duplicates = 0;
  let tooLong = 0;
  let overLimit = 0;
  for (const id of ids) {
    if (id.length > MAX_ID_LENGTH) {
      tooLong += 1;
    } else if (rows.has(id) || added.includes(id)) {
      duplicates += 1;
    } else if (rows.size >= MAX_IDS) {
      overLimit += 1;
    } else {
      const row = createRow(id);
      rows.set(id, row);
      els.list.append(row.view.item);
      renderRow(row);
      added.push(id);
    }
  }
  if (added.length) {
    writeHash();
    renderList();
    if (read) void readRows(added, { maxRetries: CHECK_MAX_RETRIES });
  }
  return { added, duplicates, tooLong, overLimit };
}

function removeRow(id, { moveFocus = false } = {}) {
  const row = rows.get(id);
  if (!row) return;
  let focusTarget = null;
  if (moveFocus) {
    const next = row.view.item.nextElementSibling ?? row.view.item.previousElementSibling;
    focusTarget = next ? next.querySelector('.dataset__remove') : els.idsInput;
  }
  rows.delete(id);
  row.view.item.remove();
  writeHash();
  renderList();
  announce(`Removed ${id}.`);
  focusTarget?.focus();
  finishWatchIfDone();
}

function removeAll() {
  if (watch) stopWatch('user');
  for (const row of rows.values()) row.view.item.remove();
  const count = rows.size;
  rows.clear();
  writeHash();
  renderList();
  announce(`Removed ${plural(count, 'dataset')}.`);
  els.idsInput.focus();
}

/**
 * Makes the list match the ids of the address after the user edits it by hand. A fragment without
 * `ids=` (an in-page link, a cleared address) does not empty the list: the address is restored.
 */
function syncWithHash() {
  if (!hashHasIds(location.hash)) {
    writeHash();
    return;
  }
  const wanted = idsFromHash(location.hash);
  const wantedSet = new Set(wanted);
  for (const id of [...rows.keys()]) {
    if (!wantedSet.has(id)) {
      rows.get(id).view.item.remove();
      rows.delete(id);
    }
  }
  addIds(wanted);
  // Follow the order of the address.
  const ordered = wanted.filter((id, index) => rows.has(id) && wanted.indexOf(id) === index);
  const reordered = ordered.map((id) => [id, rows.get(id)]);
  rows.clear();
  for (const [id, row] of reordered) {
    rows.set(id, row);
    els.list.append(row.view.item);
  }
  writeHash();
  renderList();
  finishWatchIfDone();
}

// ---------------------------------------------------------------------------------------------
// Rendering

function createRow(id) {
  const item = text('li', undefined, 'dataset');

  const head = text('div', undefined, 'dataset__head');
  const idElement = text('code', id, 'dataset__id');
  const badge = text('span', undefined, 'badge');
  head.append(idElement, badge);

  const meta = text('span', undefined, 'dataset__meta');
  const readTime = text('span', undefined, 'dataset__time');
  const reading = text('span', 'Reading…', 'dataset__reading');
  reading.hidden = true;
  meta.append(readTime, reading);
  head.append(meta);

  const problem = text('div', undefined, 'dataset__problem');
  problem.hidden = true;
  const problemTitle = text('p', undefined, 'dataset__problem-title');
  const problemExplanation = text('p', undefined, 'dataset__problem-text');
  const problemServer = text('p', undefined, 'dataset__problem-server');
  problem.append(problemTitle, problemExplanation, problemServer);

  const remove = text('button', 'Remove', 'button button--quiet button--small dataset__remove');
  remove.type = 'button';
  remove.append(text('span', ` ${id}`, 'visually-hidden'));
  remove.addEventListener('click', () => removeRow(id, { moveFocus: true }));

  const body = text('div', undefined, 'dataset__body');
  body.append(head, problem);
  item.append(body, remove);

  return {
    id,
    status: undefined,
    readAt: undefined,
    problem: null,
    reading: 0,
    appliedSeq: 0,
    view: { item, badge, readTime, reading, problem, problemTitle, problemExplanation, problemServer },
  };
}

function renderRow(row) {
  const { view } = row;
  view.badge.classList.remove(...ALL_BADGE_CLASSES);
  if (row.status === undefined) {
    view.badge.classList.add('badge--unknown');
    view.badge.textContent = 'Not read yet';
  } else {
    view.badge.classList.add(Object.hasOwn(BADGE_CLASSES, row.status) ? BADGE_CLASSES[row.status] : 'badge--other');
    view.badge.textContent = row.status;
  }

  view.readTime.replaceChildren();
  if (row.readAt) {
    const time = document.createElement('time');
    time.dateTime = row.readAt.toISOString();
    time.textContent = timeFormat.format(row.readAt);
    view.readTime.append('Last read ', time);
  } else {
    view.readTime.textContent = '';
  }
  view.reading.hidden = row.reading === 0;
  view.item.setAttribute('aria-busy', row.reading ? 'true' : 'false');

  const { problem } = row;
  view.problem.hidden = !problem;
  view.item.classList.toggle('dataset--failed', Boolean(problem));
  if (problem) {
    view.problemTitle.replaceChildren(text('strong', problem.title), ` · at ${timeFormat.format(problem.at)}`);
    view.problemExplanation.textContent = problem.explanation;
    view.problemServer.hidden = problem.serverText === '';
    view.problemServer.textContent = problem.serverText ? `Server said: ${problem.serverText}` : '';
  }
}

function renderList() {
  const count = rows.size;
  els.emptyState.hidden = count > 0;
  els.list.hidden = count === 0;
  els.clearAll.hidden = count === 0;
  els.checkNow.disabled = count === 0;

  if (count === 0) {
    els.summary.textContent = 'No datasets in the list.';
    return;
  }
  let ready = 0;
  let failedProcessing = 0;
  let unreadable = 0;
  for (const row of rows.values()) {
    if (row.status === 'READY') ready += 1;
    else if (row.status === 'ERROR') failedProcessing += 1;
    if (row.problem) unreadable += 1;
  }
  const parts = [plural(count, 'dataset'), `${ready} READY`, `${failedProcessing} ERROR`];
  const unfinished = count - ready - failedProcessing;
  if (unfinished) parts.push(`${unfinished} not finished`);
  if (unreadable) parts.push(`${unreadable} with a read problem`);
  els.summary.textContent = parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Reading

function requestOptions(extra) {
  if (direct) {
    const options = { baseUrl: direct.baseUrl, ...extra };
    if (direct.token !== undefined) options.token = direct.token;
    return options;
  }
  return { baseUrl: location.origin, ...extra };
}

/**
 * Reads the given ids once and shows the results.
 * @returns {Promise<Array<object> | null>} the results, or null when aborted
 */
async function readRows(ids, { signal, maxRetries }) {
  const seq = ++readSeq;
  const reading = ids.map((id) => rows.get(id)).filter(Boolean);
  for (const row of reading) {
    row.reading += 1;
    renderRow(row);
  }
  let results;
  try {
    results = await getDatasetStatuses(ids, requestOptions({
      signal,
      maxRetries,
      concurrency: READ_CONCURRENCY,
      timeoutMs: READ_TIMEOUT_MS,
    }));
  } catch (error) {
    if (signal?.aborted) results = null;
    else results = ids.map((datasetId) => ({ datasetId, error }));
  } finally {
    for (const row of reading) row.reading -= 1;
  }
  const at = new Date();
  if (results) for (const result of results) applyResult(result, seq, at);
  for (const row of reading) if (rows.get(row.id) === row) renderRow(row);
  renderList();
  finishWatchIfDone();
  return results;
}

function applyResult(result, seq, at) {
  const row = rows.get(result.datasetId);
  if (!row || seq < row.appliedSeq) return;
  row.appliedSeq = seq;
  if ('error' in result) {
    const problem = describeError(result.error, at);
    const previous = row.problem;
    row.problem = problem;
    if (!previous || previous.title !== problem.title) {
      announce(`${row.id}: could not be read. ${problem.title}.`);
    }
    return;
  }
  const previousStatus = row.status;
  row.status = result.status;
  row.readAt = at;
  row.problem = null;
  if (previousStatus !== result.status) {
    announce(previousStatus === undefined
      ? `${row.id} is ${result.status}.`
      : `${row.id} changed from ${previousStatus} to ${result.status}.`);
  }
}

/** Turns an error of a read into readable text for its row. */
function describeError(error, at) {
  const serverSaid = (title, detail) => {
    const bare = (value) => String(value ?? '').replace(/[.\s]+$/u, '').toLowerCase();
    // "Not found — Not found." says it once.
    if (title && detail && bare(title) === bare(detail)) return clip(detail);
    return clip([title, detail].filter((part) => part).join(' — '));
  };
  if (error instanceof ProlificApiError) {
    const status = error.httpStatus;
    const server = serverSaid(error.title, error.detail);
    if (status === 401) {
      return {
        title: 'Token rejected (401)',
        explanation: direct
          ? 'The API did not accept the token typed in direct mode.'
          : 'The API did not accept the token of this page\'s server (PROLIFIC_TOKEN is wrong, revoked or missing).',
        serverText: server, transient: false, at,
      };
    }
    if (status === 403) {
      return {
        title: 'No permission (403)',
        explanation: 'The token may not read this dataset.',
        serverText: server, transient: false, at,
      };
    }
    if (status === 404) {
      return {
        title: 'Not found (404)',
        explanation: 'No dataset has this id, or the token has no permission to see it. Check the id.',
        serverText: server, transient: false, at,
      };
    }
    if (status === 429) {
      const wait = error.retryAfterMs !== undefined
        ? `The API asked to wait ${plural(seconds(Math.min(error.retryAfterMs, LONGEST_RETRY_AFTER_MS)), 'second')}`
        : 'The API asked to slow down';
      return {
        title: 'Rate limited (429)',
        explanation: watch ? `${wait}; retrying.` : `${wait}. Try again later, or turn on Watch to retry automatically.`,
        serverText: server, transient: true, retryAfterMs: error.retryAfterMs, at,
      };
    }
    if (status === 408 || status >= 500) {
      const gateway = status === 502 || status === 504;
      return {
        title: `Server error (${status}${error.title ? ` ${clip(error.title, 60)}` : ''})`,
        explanation: (gateway
          ? 'The server in between could not get an answer from the API.'
          : 'The API failed to answer this request.') + (watch ? ' Retrying.' : ' Try again in a moment.'),
        serverText: clip(error.detail), transient: true, retryAfterMs: error.retryAfterMs, at,
      };
    }
    return {
      title: `Request refused (${status})`,
      explanation: 'The API refused to answer this request.',
      serverText: server, transient: false, at,
    };
  }
  if (error instanceof NetworkError) {
    return {
      title: 'Network down',
      explanation: (direct
        ? 'No answer from the typed base URL: it may be down or unreachable, or the browser blocked the ' +
          'request (CORS, or this page\'s security policy allows connections only to its own server).'
        : 'No answer from this page\'s server: it may have stopped, or this computer is offline.') +
        (watch ? ' Retrying.' : ''),
      serverText: '', transient: true, at,
    };
  }
  if (error instanceof TimeoutError) {
    return {
      title: 'Timed out',
      explanation: `The server did not answer within ${plural(seconds(error.timeoutMs), 'second')}.` +
        (watch ? ' Retrying.' : ''),
      serverText: '', transient: true, at,
    };
  }
  if (error instanceof InvalidResponseError) {
    return {
      title: `Invalid answer (${error.httpStatus})`,
      explanation: 'The server answered, but not with a dataset status. Is the base URL right?',
      serverText: error.bodySnippet ? clip(`the answer began with ${error.bodySnippet}`) : '',
      transient: false, at,
    };
  }
  if (error instanceof TypeError) {
    return {
      title: 'Invalid settings',
      explanation: clip(error.message),
      serverText: '', transient: false, at,
    };
  }
  return {
    title: 'Could not read',
    explanation: clip(error instanceof ProlificError || error instanceof Error ? error.message : String(error)),
    serverText: '', transient: false, at,
  };
}

// ---------------------------------------------------------------------------------------------
// Check now and Watch

async function checkNow() {
  if (rows.size === 0) return;
  await readRows([...rows.keys()], { maxRetries: CHECK_MAX_RETRIES });
}

/** Ids Watch still has to read: not terminal, and not failed in a way a retry cannot fix. */
function pendingIds() {
  const ids = [];
  for (const row of rows.values()) {
    if (isTerminalStatus(row.status)) continue;
    if (row.problem && !row.problem.transient) continue;
    ids.push(row.id);
  }
  return ids;
}

function setWatchSwitch(on) {
  els.watch.setAttribute('aria-checked', on ? 'true' : 'false');
}

function startWatch() {
  if (watch) return;
  if (rows.size === 0) {
    els.watchStatus.textContent = 'Add a dataset first: there is nothing to watch.';
    announce('Nothing to watch.');
    return;
  }
  watch = { controller: new AbortController() };
  setWatchSwitch(true);
  announce('Watching.');
  void watchLoop(watch);
}

function stopWatch(reason) {
  if (!watch) return;
  const current = watch;
  watch = null;
  current.controller.abort();
  setWatchSwitch(false);
  if (reason === 'done') {
    const unreadable = [...rows.values()].some((row) => row.problem && !isTerminalStatus(row.status));
    const message = rows.size === 0
      ? 'Watch stopped: the list is empty.'
      : unreadable
        ? 'Watch stopped by itself: every dataset is READY or ERROR, or cannot be read (see the rows).'
        : 'Watch stopped by itself: every dataset is READY or ERROR.';
    els.watchStatus.textContent = message;
    announce(message);
  } else {
    els.watchStatus.textContent = 'Watch is off.';
    announce('Watch off.');
  }
}

function finishWatchIfDone() {
  if (watch && pendingIds().length === 0) stopWatch('done');
}

async function watchLoop(state) {
  const { signal } = state.controller;
  let delay = WATCH_FIRST_DELAY_MS;
  while (!signal.aborted) {
    const ids = pendingIds();
    if (ids.length === 0) {
      stopWatch('done');
      return;
    }
    els.watchStatus.textContent = `Watching: reading ${plural(ids.length, 'dataset')}…`;
    const results = await readRows(ids, { signal, maxRetries: 0 });
    if (signal.aborted || watch !== state) return;

    let wait = delay;
    for (const result of results ?? []) {
      const retryAfterMs = result.error?.retryAfterMs;
      if (typeof retryAfterMs === 'number') wait = Math.max(wait, Math.min(retryAfterMs, LONGEST_RETRY_AFTER_MS));
    }
    const next = new Date(Date.now() + wait);
    els.watchStatus.replaceChildren(
      `Watching ${plural(pendingIds().length, 'dataset')}. Next check at `,
      text('time', timeFormat.format(next)),
      ` (in ${plural(seconds(wait), 'second')}).`,
    );
    await sleep(wait, signal);
    delay = Math.min(delay * WATCH_GROWTH, WATCH_MAX_DELAY_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Direct mode

/**
 * Checks the typed base URL and token.
 * @returns {{ baseUrl: string, token: string | undefined } | string} the settings, or a message
 */
function directSettingsFromForm() {
  const typedUrl = els.directBaseUrl.value.trim() || PROLIFIC_API_URL;
  let url;
  try {
    url = new URL(typedUrl);
  } catch {
    return 'The base URL is not a valid address (example: https://api.prolific.com).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The base URL must start with https://.';
  if (url.username || url.password) return 'The base URL must not contain a user name or password.';
  const token = els.directToken.value.trim();
  if (token !== '') {
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      return 'A token is only sent over https (plain http only to this computer: localhost, 127.0.0.1).';
    }
    if (!/^[\x21-\x7e]+$/.test(token)) return 'The token holds characters a token cannot have (spaces, accents…).';
  } else if (url.origin === PROLIFIC_API_URL) {
    return 'Type your API token: Prolific\'s API needs one.';
  }
  url.search = '';
  url.hash = '';
  const baseUrl = url.href.replace(/\/+$/, '');
  return { baseUrl, token: token === '' ? undefined : token };
}

function useDirectMode(event) {
  event.preventDefault();
  const settings = directSettingsFromForm();
  if (typeof settings === 'string') {
    els.directMessage.textContent = settings;
    els.directMessage.classList.add('form-message--error');
    return;
  }
  direct = Object.freeze(settings);
  // The token now lives in `direct` only; the field is emptied so the page holds no copy.
  els.directToken.value = '';
  els.directMessage.classList.remove('form-message--error');
  const origin = new URL(settings.baseUrl).origin;
  els.directMessage.textContent = settings.token
    ? `Direct mode on: requests go to ${origin} with your token, kept in this tab's memory until you stop or reload.`
    : `Direct mode on: requests go to ${origin} without a token.`;
  els.modeSummary.textContent = `Direct mode: requests go straight to ${origin}` +
    (settings.token ? ' with the token you typed (in memory only).' : ' without a token.');
  els.directStop.hidden = false;
  els.directUse.textContent = 'Update direct mode';
  announce('Direct mode on. Use Check now to read the datasets with it.');
}

function stopDirectMode() {
  direct = null;
  els.directToken.value = '';
  els.directStop.hidden = true;
  els.directUse.textContent = 'Use direct mode';
  els.directMessage.classList.remove('form-message--error');
  els.directMessage.textContent = 'Direct mode off; the token is forgotten. Requests go to this page\'s server again.';
  els.modeSummary.textContent = 'Requests go to this page\'s own server, which adds the API token. ' +
    'The token never reaches this page.';
  els.directUse.focus();
}

// ---------------------------------------------------------------------------------------------
// Events

function onAddSubmit(event) {
  event.preventDefault();
  const ids = parseIds(els.idsInput.value);
  if (ids.length === 0) {
    els.addMessage.textContent = 'Type or paste at least one dataset id.';
    els.addMessage.classList.add('form-message--error');
    return;
  }
  const { added, duplicates, tooLong, overLimit } = addIds(ids);
  const parts = [];
  if (added.length) parts.push(`Added ${plural(added.length, 'dataset')}.`);
  if (duplicates) parts.push(`${plural(duplicates, 'id was', 'ids were')} already in the list.`);
  if (tooLong) parts.push(`${plural(tooLong, 'id was', 'ids were')} skipped: longer than ${MAX_ID_LENGTH} characters.`);
  if (overLimit) parts.push(`${plural(overLimit, 'id was', 'ids were')} skipped: the list holds at most ${MAX_IDS}.`);
  els.addMessage.textContent = parts.join(' ');
  els.addMessage.classList.toggle('form-message--error', added.length === 0);
  if (added.length) els.idsInput.value = '';
}

els.addForm.addEventListener('submit', onAddSubmit);
els.idsInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    els.addForm.requestSubmit();
  }
});
els.addDemo.addEventListener('click', () => {
  const { added } = addIds(DEMO_IDS);
  els.addMessage.classList.remove('form-message--error');
  els.addMessage.textContent = `Added ${plural(added.length, 'demo dataset')}. Turn on Watch to follow them.`;
  els.watch.focus();
});
els.checkNow.addEventListener('click', () => void checkNow());
els.watch.addEventListener('click', () => (watch ? stopWatch('user') : startWatch()));
els.clearAll.addEventListener('click', removeAll);
els.directForm.addEventListener('submit', useDirectMode);
els.directStop.addEventListener('click', stopDirectMode);
window.addEventListener('hashchange', syncWithHash);
// The skip link moves focus without touching the fragment, which holds the list.
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  els.listHeading.focus();
  els.listHeading.scrollIntoView({ block: 'start' });
});

// ---------------------------------------------------------------------------------------------
// Start

addIds(idsFromHash(location.hash));
writeHash();
renderList();
document.documentElement.dataset.ready = 'true';
