/**
 * The dashboard: a list of Prolific dataset ids with their processing status.
 *
 * - Reads go through the package's browser entry point. By default they go to this page's own
 *   server (`baseUrl: location.origin`, no token): the server adds the API token.
 * - "Direct mode" sends requests to a typed base URL with a typed token, kept in this module's
 *   memory only (never in the address, storage or the page's attributes).
 * - The list of ids lives in the address fragment (`#ids=a,b,c`, each id encodeURIComponent'd).
 * - Each row reads the dataset's status (`…/status`) and the dataset itself (`…/datasets/{id}`). A
 *   V4 dataset (created with a schema) always says UNINITIALISED on `/status`: its readiness lives in
 *   its import jobs, which the row lists instead. Ids the dataset endpoint does not know (a 404, as
 *   for the mock's demo ids) stay status-only rows, silently.
 * - Every text that comes from the user or a server is put in the page with textContent.
 */
import {
  getDatasetStatus,
  getDataset,
  isTerminalStatus,
  TERMINAL_IMPORT_STATUSES,
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
/** Record errors of a partial import shown at once; the rest are in a collapsed <details>. */
const IMPORT_ERRORS_SHOWN = 3;
/** Record errors of one import put in the page at most. */
const IMPORT_ERRORS_LIMIT = 50;

/** Badge class per documented status; any other string gets the neutral badge. */
const BADGE_CLASSES = {
  UNINITIALISED: 'badge--uninitialised',
  PROCESSING: 'badge--processing',
  READY: 'badge--ready',
  ERROR: 'badge--error',
};
const ALL_BADGE_CLASSES = [...Object.values(BADGE_CLASSES), 'badge--other', 'badge--unknown', 'badge--partial', 'badge--v4'];

/** Badge class per documented import job status; any other string gets the neutral badge. */
const IMPORT_BADGE_CLASSES = {
  queued: 'badge--import-queued',
  processing: 'badge--import-processing',
  complete: 'badge--import-complete',
  partial: 'badge--import-partial',
  failed: 'badge--import-failed',
  pending_schema: 'badge--import-pending-schema',
};

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
 * @property {number} appliedSeq sequence number of the newest status read applied
 * @property {object | null | undefined} dataset the last dataset read (getDataset): undefined when
 *   not read yet (or only failed transiently), null when the API has no such dataset to show (a
 *   status-only row)
 * @property {number} datasetSeq sequence number of the newest dataset read applied
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
  addIdsFromAddress(wanted);
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
// V4 datasets and their import jobs

/** True when the row's dataset is a V4 one: its progress is in its import jobs, not in /status. */
function isV4(row) {
  return row.dataset?.schemaVersion === 4;
}

/** The import jobs of a dataset read, as an array (a V4 answer without the field has none). */
function importsOf(dataset) {
  return Array.isArray(dataset?.imports) ? dataset.imports : [];
}

function isTerminalImport(job) {
  return TERMINAL_IMPORT_STATUSES.includes(job?.status);
}

/** A V4 dataset is done when it has import jobs and every one of them is terminal. */
function importsDone(dataset) {
  const imports = importsOf(dataset);
  return imports.length > 0 && imports.every(isTerminalImport);
}

/** True when Watch has nothing more to wait for on this row. */
function isRowDone(row) {
  return isV4(row) ? importsDone(row.dataset) : isTerminalStatus(row.status);
}

/** "V4 · 2/3 imports done" (or "V4 · no imports yet"): the main badge of a V4 dataset. */
function importSummary(dataset) {
  const imports = importsOf(dataset);
  if (imports.length === 0) return 'V4 · no imports yet';
  const done = imports.filter(isTerminalImport).length;
  return `V4 · ${done}/${imports.length} ${imports.length === 1 ? 'import' : 'imports'} done`;
}

/** Main badge class of a V4 dataset, from its import jobs. */
function importSummaryClass(dataset) {
  const imports = importsOf(dataset);
  if (imports.every((job) => job.status === 'uninitialised')) return 'badge--uninitialised';
  if (!imports.every(isTerminalImport)) return 'badge--processing';
  if (imports.every((job) => job.status === 'complete')) return 'badge--ready';
  if (imports.some((job) => job.status === 'failed')) return 'badge--error';
  return 'badge--partial';
}

/** An import status as words: "pending_schema" → "pending schema". */
function importStatusLabel(status) {
  return String(status ?? 'unknown').replace(/_/g, ' ');
}

/** Name of an import job for people: its file name, else its id, else its place in the list. */
function importName(job, index) {
  if (typeof job?.filename === 'string' && job.filename !== '') return job.filename;
  if (typeof job?.id === 'string' && job.id !== '') return `import ${job.id}`;
  return `import ${index + 1}`;
}

/** "2 accepted · 1 rejected", from the counts the API gave (empty when it gave none). */
function importCounts(job) {
  const parts = [];
  if (Number.isFinite(job?.acceptedCount)) parts.push(`${job.acceptedCount} accepted`);
  if (Number.isFinite(job?.rejectedCount)) parts.push(`${job.rejectedCount} rejected`);
  return parts.join(' · ');
}

/** One import job of a V4 dataset as a list item. */
function createImportItem(job, index) {
  const item = text('li', undefined, 'import');
  const head = text('div', undefined, 'import__head');
  const status = typeof job?.status === 'string' ? job.status : '';
  const badge = text('span', importStatusLabel(status),
    `badge import__badge ${Object.hasOwn(IMPORT_BADGE_CLASSES, status) ? IMPORT_BADGE_CLASSES[status] : 'badge--other'}`);
  head.append(text('span', importName(job, index), 'import__file'), badge);
  const counts = importCounts(job);
  if (counts) head.append(text('span', counts, 'import__counts'));
  item.append(head);

  if (status === 'failed') {
    item.append(text('p', job.reason ? `Reason: ${clip(job.reason)}` : 'Failed; the API gave no reason.', 'import__reason'));
  } else if (status === 'pending_schema') {
    item.append(text('p', 'Waiting for the dataset to have a schema.', 'import__note'));
  }

  const errors = Array.isArray(job?.errors) ? job.errors.filter((error) => typeof error === 'string') : [];
  if (errors.length > 0 && (status === 'partial' || status === 'failed')) {
    const box = text('div', undefined, 'import__errors');
    const listed = errors.slice(0, IMPORT_ERRORS_LIMIT);
    const errorList = (items) => {
      const list = text('ul', undefined, 'import__error-list');
      for (const error of items) list.append(text('li', clip(error)));
      return list;
    };
    box.append(text('p', errors.length === 1 ? 'Record error:' : 'Record errors:', 'import__errors-title'),
      errorList(listed.slice(0, IMPORT_ERRORS_SHOWN)));
    if (listed.length > IMPORT_ERRORS_SHOWN) {
      const more = text('details', undefined, 'import__more');
      const rest = listed.slice(IMPORT_ERRORS_SHOWN);
      more.append(text('summary', `${plural(rest.length, 'more error')} of ${importName(job, index)}`), errorList(rest));
      box.append(more);
    }
    if (errors.length > listed.length) {
      box.append(text('p', `${plural(errors.length - listed.length, 'more error')} not shown.`, 'import__note'));
    }
    item.append(box);
  }
  return item;
}

/**
 * Shows the import jobs of a V4 dataset under its row. Items whose job did not change are kept as
 * they are, so an opened list of errors stays open (and focus stays put) while Watch reads.
 */
function renderImports(row) {
  const { view } = row;
  if (!isV4(row)) {
    view.imports.hidden = true;
    view.imports.replaceChildren();
    view.importItems.clear();
    return;
  }
  const imports = importsOf(row.dataset);
  view.imports.hidden = false;
  view.imports.setAttribute('aria-label', `Import jobs of ${row.id}`);
  if (imports.length === 0) {
    view.importItems.clear();
    view.imports.replaceChildren(text('li', 'No import jobs yet: upload a file to this dataset to start one.', 'import import--none'));
    return;
  }
  const items = new Map();
  const ordered = imports.map((job, index) => {
    const key = typeof job?.id === 'string' && job.id !== '' ? `id:${job.id}` : `#${index}`;
    const signature = JSON.stringify(job);
    const known = view.importItems.get(key);
    const item = known && known.signature === signature ? known.item : createImportItem(job, index);
    items.set(key, { item, signature });
    return item;
  });
  view.importItems = items;
  const current = [...view.imports.children];
  if (current.length !== ordered.length || current.some((element, index) => element !== ordered[index])) {
    view.imports.replaceChildren(...ordered);
  }
}

/** Announces what changed in a V4 dataset's import jobs between two reads. */
function announceImportChanges(row, previous, dataset) {
  const before = new Map();
  importsOf(previous).forEach((job, index) => before.set(job?.id ?? `#${index}`, job?.status));
  const changes = [];
  importsOf(dataset).forEach((job, index) => {
    const key = job?.id ?? `#${index}`;
    if (before.get(key) === job?.status) return;
    const counts = importCounts(job);
    changes.push(`${importName(job, index)} ${before.has(key) ? 'is now' : 'is'} ${importStatusLabel(job?.status)}` +
      (counts && isTerminalImport(job) ? ` (${counts})` : ''));
  });
  if (changes.length) announce(`${row.id}: ${changes.join('; ')}.`);
  if (importsDone(dataset) && !importsDone(previous)) announce(`${row.id}: every import is done.`);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function createRow(id) {
  const item = text('li', undefined, 'dataset');

  const head = text('div', undefined, 'dataset__head');
  const idElement = text('code', id, 'dataset__id');
  const name = text('span', undefined, 'dataset__name');
  name.hidden = true;
  const badge = text('span', undefined, 'badge dataset__badge');
  head.append(idElement, name, badge);

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

  const imports = text('ul', undefined, 'imports');
  imports.hidden = true;

  const body = text('div', undefined, 'dataset__body');
  body.append(head, imports, problem);
  item.append(body, remove);

  return {
    id,
    status: undefined,
    readAt: undefined,
    problem: null,
    reading: 0,
    appliedSeq: 0,
    dataset: undefined,
    datasetSeq: 0,
    view: {
      item, name, badge, readTime, reading, problem, problemTitle, problemExplanation, problemServer,
      imports, importItems: new Map(),
    },
  };
}

function renderRow(row) {
  const { view } = row;
  view.badge.classList.remove(...ALL_BADGE_CLASSES);
  const name = typeof row.dataset?.name === 'string' ? row.dataset.name : '';
  view.name.hidden = name === '';
  view.name.textContent = name;
  if (isV4(row)) {
    view.badge.classList.add('badge--v4', importSummaryClass(row.dataset));
    view.badge.textContent = importSummary(row.dataset);
  } else if (row.status === undefined) {
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
  renderImports(row);
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
  let importedV4 = 0;
  let unreadable = 0;
  for (const row of rows.values()) {
    if (isV4(row)) {
      if (importsDone(row.dataset)) importedV4 += 1;
    } else if (row.status === 'READY') {
      ready += 1;
    } else if (row.status === 'ERROR') {
      failedProcessing += 1;
    }
    if (row.problem) unreadable += 1;
  }
  const parts = [plural(count, 'dataset'), `${ready} READY`, `${failedProcessing} ERROR`];
  if (importedV4) parts.push(`${importedV4} V4 with every import done`);
  const unfinished = count - ready - failedProcessing - importedV4;
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
 * Runs `worker` over `items`, at most `limit` at a time, in input order; stops starting new ones
 * once `signal` is aborted. `worker` must not throw.
 */
async function runLimited(items, limit, worker, signal) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await worker(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Reads the given ids once and shows the results: the status of each dataset not known to be V4,
 * and the dataset itself (getDataset) when it was never read or is a V4 one (its import jobs).
 * @returns {Promise<Array<{ kind: 'status' | 'dataset', datasetId: string, value?: object,
 *   error?: unknown }> | null>} the results, or null when aborted
 */
async function readRows(ids, { signal, maxRetries }) {
  const seq = ++readSeq;
  const reading = ids.map((id) => rows.get(id)).filter(Boolean);
  const tasks = [];
  for (const row of reading) {
    if (!isV4(row)) tasks.push({ kind: 'status', datasetId: row.id });
    if (row.dataset === undefined || isV4(row)) tasks.push({ kind: 'dataset', datasetId: row.id });
    row.reading += 1;
    renderRow(row);
  }
  const options = requestOptions({ signal, maxRetries, timeoutMs: READ_TIMEOUT_MS });
  let results;
  try {
    results = await runLimited(tasks, READ_CONCURRENCY, async ({ kind, datasetId }) => {
      try {
        const value = kind === 'status' ? await getDatasetStatus(datasetId, options) : await getDataset(datasetId, options);
        return { kind, datasetId, value };
      } catch (error) {
        return { kind, datasetId, error };
      }
    }, signal);
    if (signal?.aborted) results = null;
  } finally {
    for (const row of reading) row.reading -= 1;
  }
  const at = new Date();
  if (results) {
    // The dataset first: it tells whether the row's status matters (it does not for V4).
    for (const result of results) if (result.kind === 'dataset') applyDatasetResult(result, seq, at);
    for (const result of results) if (result.kind === 'status') applyStatusResult(result, seq, at);
  }
  for (const row of reading) if (rows.get(row.id) === row) renderRow(row);
  renderList();
  finishWatchIfDone();
  return results;
}

/** Shows a failed read on its row, announcing it when it is a new kind of failure. */
function setProblem(row, problem) {
  const previous = row.problem;
  row.problem = problem;
  if (!previous || previous.title !== problem.title) {
    announce(`${row.id}: could not be read. ${problem.title}.`);
  }
}

/** True for failures a later read may not repeat: network, timeouts, 408, 429 and 5xx. */
function isTransientError(error) {
  if (error instanceof NetworkError || error instanceof TimeoutError) return true;
  if (error instanceof ProlificApiError) {
    return error.httpStatus === 408 || error.httpStatus === 429 || error.httpStatus >= 500;
  }
  return false;
}

function applyStatusResult(result, seq, at) {
  const row = rows.get(result.datasetId);
  if (!row || seq < row.appliedSeq) return;
  row.appliedSeq = seq;
  if (isV4(row)) {
    // A V4 dataset always says UNINITIALISED here: keep it, but neither show nor announce it.
    if (!('error' in result)) row.status = result.value.status;
    return;
  }
  if ('error' in result) {
    setProblem(row, describeError(result.error, at));
    return;
  }
  const previousStatus = row.status;
  row.status = result.value.status;
  row.readAt = at;
  row.problem = null;
  if (previousStatus !== row.status) {
    announce(previousStatus === undefined
      ? `${row.id} is ${row.status}.`
      : `${row.id} changed from ${previousStatus} to ${row.status}.`);
  }
}

function applyDatasetResult(result, seq, at) {
  const row = rows.get(result.datasetId);
  if (!row || seq < row.datasetSeq) return;
  row.datasetSeq = seq;
  const wasV4 = isV4(row);
  if ('error' in result) {
    // For a V4 dataset this read is the one that matters, so its failure is the row's problem.
    if (wasV4) setProblem(row, describeError(result.error, at, { what: 'dataset' }));
    // Otherwise the status read speaks for the row. An id the dataset endpoint does not know (the
    // demo ids, a proxy that forwards /status only) makes a status-only row; a transient failure
    // is tried again with the next read.
    else if (!isTransientError(result.error)) row.dataset = null;
    return;
  }
  const previous = row.dataset;
  const dataset = result.value;
  row.dataset = dataset;
  if (!isV4(row)) return;
  row.readAt = at;
  row.problem = null;
  if (!wasV4) announce(`${row.id} is a V4 dataset: ${importSummary(dataset).replace(/^V4 · /, '')}.`);
  else announceImportChanges(row, previous, dataset);
}

/**
 * Turns an error of a read into readable text for its row.
 * @param {unknown} error
 * @param {Date} at
 * @param {{ what?: 'status' | 'dataset' }} [read] which read failed
 */
function describeError(error, at, { what = 'status' } = {}) {
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
          'request (CORS, or this page\'s security policy, which allows https and plain http only to ' +
          'localhost and 127.0.0.1).'
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
      explanation: `The server answered, but not with ${what === 'dataset' ? 'a dataset' : 'a dataset status'}. Is the base URL right?`,
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

/**
 * Ids Watch still has to read: not terminal (for a V4 dataset: not every import job terminal), and
 * not failed in a way a retry cannot fix.
 */
function pendingIds() {
  const ids = [];
  for (const row of rows.values()) {
    if (isRowDone(row)) continue;
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
    const unreadable = [...rows.values()].some((row) => row.problem && !isRowDone(row));
    const anyV4 = [...rows.values()].some(isV4);
    const finished = anyV4
      ? 'every dataset is READY or ERROR, or has every import job done'
      : 'every dataset is READY or ERROR';
    const message = rows.size === 0
      ? 'Watch stopped: the list is empty.'
      : unreadable
        ? `Watch stopped by itself: ${finished}, or cannot be read (see the rows).`
        : `Watch stopped by itself: ${finished}.`;
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
  // The page's security policy (connect-src) lets plain http reach these two hosts only.
  if (url.protocol === 'http:' && url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
    return isLoopbackHost(url.hostname)
      ? `This page's security policy allows plain http only to localhost and 127.0.0.1: use http://localhost${url.port ? `:${url.port}` : ''} instead of ${url.hostname}.`
      : 'This page can use plain http only to this computer (localhost, 127.0.0.1): use https.';
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
  forgetDatasetReads();
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

/**
 * After the API changed (direct mode on, off, another base URL), whether an id is a dataset the
 * dataset endpoint knows is asked again with the next read. V4 rows are read again anyway.
 */
function forgetDatasetReads() {
  for (const row of rows.values()) if (!isV4(row)) row.dataset = undefined;
}

function stopDirectMode() {
  direct = null;
  forgetDatasetReads();
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
  parts.push(...skippedMessages({ tooLong, overLimit }));
  els.addMessage.textContent = parts.join(' ');
  els.addMessage.classList.toggle('form-message--error', added.length === 0);
  if (added.length) els.idsInput.value = '';
}

/**
 * Sentences saying which ids addIds skipped and why.
 * @param {{ tooLong: number, overLimit: number }} counts
 * @returns {string[]}
 */
function skippedMessages({ tooLong, overLimit }) {
  const parts = [];
  if (tooLong) parts.push(`${plural(tooLong, 'id was', 'ids were')} skipped: longer than ${MAX_ID_LENGTH} characters.`);
  if (overLimit) parts.push(`${plural(overLimit, 'id was', 'ids were')} skipped: the list holds at most ${MAX_IDS}.`);
  return parts;
}

/** Adds the ids of the address, saying so when some of them do not fit (a shared link loses nothing silently). */
function addIdsFromAddress(ids) {
  const skipped = skippedMessages(addIds(ids));
  if (skipped.length === 0) return;
  els.addMessage.textContent = `From the address: ${skipped.join(' ')}`;
  els.addMessage.classList.add('form-message--error');
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

addIdsFromAddress(idsFromHash(location.hash));
writeHash();
renderList();
document.documentElement.dataset.ready = 'true';
