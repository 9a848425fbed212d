/**
 * Check now and Watch, both through the library: every retry, backoff, Retry-After and "is this
 * final?" decision is the library's. Check now reads each dataset once (getDatasetStatus with the
 * library's retries; getDataset for a V4 dataset's import jobs); Watch is one watchDatasets call.
 * Each row is shown the moment its own read ends, with that read's time.
 * @module
 */
import { getDatasetStatus, getDataset, watchDatasets, ProlificApiError } from './pkg/src/js/index.js';
import { byId, announce, plural } from './dom.js';
import { rows, renderList, setTitleMode, tally } from './list.js';
import { applyRead, applyFailure, renderRow, isFinished } from './rows.js';
import { requestOptions, isDirect } from './source.js';
import { describeError } from './describe.js';

/** Reads of Check now in flight at once (the library's default for many reads). */
const CHECK_CONCURRENCY = 6;
/** Watch: first delay between two reads of a dataset, and the longest (ms); the library grows it. */
const WATCH_INTERVAL_MS = 1_000;
const WATCH_MAX_INTERVAL_MS = 30_000;
/** Watch gives up on a dataset after this long (ms). */
const WATCH_DEADLINE_MS = 24 * 60 * 60 * 1000;

const els = {
  watch: byId('watch'),
  watchStatus: byId('watch-status'),
  notify: byId('notify'),
};

/** The running Check now. @type {AbortController | null} */
let check = null;
/** The running Watch. @type {{ controller: AbortController, ids: string[] } | null} */
let watch = null;
/** Called when Watch turns on or off (to save it). */
let onWatchChange = () => {};

/**
 * Sets what runs when Watch turns on or off.
 * @param {(on: boolean) => void} handler
 */
export function setWatchChangeHandler(handler) {
  onWatchChange = handler;
}

/** True while Watch is on. */
export function isWatching() {
  return watch !== null;
}

function show(row, message) {
  if (rows.get(row.id) !== row) return;
  renderRow(row);
  renderList();
  if (message) announce(message);
}

/** Reads one row once (status, then the dataset for its name or a V4 dataset's import jobs). */
async function readOnce(row, signal) {
  const options = { ...requestOptions(), signal };
  row.reading += 1;
  renderRow(row);
  try {
    let status;
    try {
      ({ status } = await getDatasetStatus(row.id, options));
    } catch (error) {
      if (signal.aborted) return;
      row.reading -= 1;
      show(row, applyFailure(row, error, { at: new Date(), direct: isDirect() }));
      return;
    }
    if (signal.aborted) return;
    // A read with an answer: what an earlier Watch decided about a failed read no longer holds.
    row.finished = false;
    if (status !== null) {
      row.reading -= 1;
      show(row, applyRead(row, { status }, new Date()));
      return;
    }
    // No status of its own (V4): the dataset read lists its import jobs.
    try {
      const dataset = await getDataset(row.id, options);
      if (signal.aborted) return;
      row.reading -= 1;
      show(row, applyRead(row, { status: null, imports: dataset.imports ?? [], name: dataset.name }, new Date()));
    } catch (error) {
      if (signal.aborted) return;
      row.reading -= 1;
      show(row, applyFailure(row, error, { at: new Date(), direct: isDirect() }));
    }
  } finally {
    if (signal.aborted) {
      row.reading = 0;
      if (rows.get(row.id) === row) renderRow(row);
    }
  }
}

/**
 * Reads the given rows once each, at most CHECK_CONCURRENCY at a time; each row is shown as soon
 * as its own read ends. Watch, when on, is the one reading: Check now then restarts it instead.
 * @param {string[]} [ids] default: every row
 * @returns {Promise<void>}
 */
export async function checkNow(ids = [...rows.keys()]) {
  if (watch) {
    restartWatch();
    return;
  }
  const controller = new AbortController();
  check?.abort();
  check = controller;
  const queue = ids.map((id) => rows.get(id)).filter(Boolean);
  const lane = async () => {
    while (queue.length && !controller.signal.aborted) await readOnce(queue.shift(), controller.signal);
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, queue.length) }, lane));
  if (check === controller) check = null;
}

/** Reads of names in flight at once. */
const NAME_CONCURRENCY = 2;
/** The running name reads. @type {AbortController | null} */
let names = null;

/**
 * Reads the name of each row that has none yet (one dataset read each, apart from Check now and
 * Watch, which neither wait for it nor stop it). An API that knows `/status` only has no names:
 * its failures are ignored.
 * @param {string[]} ids
 */
export async function readNames(ids) {
  const controller = names ?? new AbortController();
  names = controller;
  const queue = ids.map((id) => rows.get(id)).filter((row) => row && row.name === '');
  const lane = async () => {
    while (queue.length && !controller.signal.aborted) {
      const row = queue.shift();
      try {
        const dataset = await getDataset(row.id, { ...requestOptions(), signal: controller.signal });
        if (typeof dataset.name === 'string' && dataset.name !== '' && rows.get(row.id) === row) {
          row.name = dataset.name;
          renderRow(row);
        }
      } catch {
        // No name to show (a proxy that forwards /status only, a dataset the token cannot read).
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(NAME_CONCURRENCY, queue.length) }, lane));
  if (names === controller && queue.length === 0) names = null;
}

/** Stops the name reads (the source changed). */
export function stopNames() {
  names?.abort();
  names = null;
}

/** Stops Check now (its late answers are ignored). */
export function stopCheck() {
  check?.abort();
  check = null;
}

function setSwitch(on) {
  els.watch.setAttribute('aria-checked', on ? 'true' : 'false');
}

/** Ids Watch still waits for: those not finished (rows.js isFinished). */
function pendingIds() {
  return [...rows.values()].filter((row) => !isFinished(row)).map((row) => row.id);
}

/** The Watch line while it runs, from the same counts as the summary and the title. */
function watchingLine() {
  const counts = tally();
  const byError = counts.readError ? ` (${counts.readError} with a read error)` : '';
  return `Watching: ${counts.finished} of ${plural(counts.total, 'dataset')} finished${byError}.`;
}

function onUpdate(update) {
  const row = rows.get(update.datasetId);
  if (!row) return;
  const at = new Date();
  row.finished = update.terminal;
  let message;
  if ('error' in update) {
    message = applyFailure(row, update.error, { at, direct: isDirect(), final: update.terminal });
  } else {
    message = applyRead(row, { status: update.status, imports: update.imports }, at);
  }
  show(row, message);
  els.watchStatus.textContent = watchingLine();
}

function finishedMessage() {
  const counts = tally();
  const parts = [`${counts.ready} READY`, `${counts.error} ERROR`];
  if (counts.v4Done) parts.push(`${counts.v4Done} V4 with every import done`);
  if (counts.readError) parts.push(`${counts.readError} finished with a read error (see the rows)`);
  return `Watch finished: ${parts.join(', ')}.`;
}

function notifyFinished(message) {
  if (!els.notify.checked || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification('Prolific dataset status', { body: message, tag: 'prolific-dataset-status' });
  } catch {
    // Some browsers allow notifications from a service worker only: the title says it anyway.
  }
}

/**
 * Turns Watch on: one watchDatasets call over the datasets not finished yet.
 */
export function startWatch() {
  if (watch) return;
  stopCheck();
  if (rows.size === 0) {
    els.watchStatus.textContent = 'Add a dataset first: there is nothing to watch.';
    announce('Nothing to watch.');
    return;
  }
  const ids = pendingIds();
  const state = { controller: new AbortController(), ids };
  watch = state;
  setSwitch(true);
  onWatchChange(true);
  setTitleMode('watching');
  if (ids.length === 0) {
    finish(state);
    return;
  }
  for (const id of ids) {
    const row = rows.get(id);
    row.reading = 0;
    renderRow(row);
  }
  els.watchStatus.textContent = watchingLine();
  announce('Watching.');
  watchDatasets(ids, {
    ...requestOptions(),
    signal: state.controller.signal,
    intervalMs: WATCH_INTERVAL_MS,
    maxIntervalMs: WATCH_MAX_INTERVAL_MS,
    deadlineMs: WATCH_DEADLINE_MS,
    onUpdate: (update) => { if (watch === state) onUpdate(update); },
  }).then((entries) => {
    if (watch !== state) return;
    // Datasets unfinished at the deadline come back with a TimeoutError and no update of their own.
    for (const entry of entries) {
      const row = rows.get(entry.datasetId);
      if (!row || !('error' in entry) || row.finished) continue;
      row.finished = true;
      applyFailure(row, entry.error, { at: new Date(), direct: isDirect(), final: true });
      renderRow(row);
    }
    finish(state);
  }, (error) => {
    if (watch !== state || state.controller.signal.aborted) return;
    stopWatch('failed');
    const problem = describeError(error, { at: new Date(), direct: isDirect(), final: true });
    if (error instanceof ProlificApiError && error.httpStatus === 401) {
      // The token is wrong for every dataset: each watched row says so, in place of its old result.
      for (const id of ids) {
        const row = rows.get(id);
        if (!row) continue;
        applyFailure(row, error, { at: problem.at, direct: isDirect(), final: true });
        renderRow(row);
      }
      renderList();
    }
    const message = `Watch stopped: ${problem.title}. ${problem.explanation}`;
    els.watchStatus.textContent = message;
    announce(message);
  });
}

function finish(state) {
  watch = null;
  state.controller.abort();
  setSwitch(false);
  onWatchChange(false);
  setTitleMode('finished');
  const message = rows.size === 0 ? 'Watch stopped: the list is empty.' : finishedMessage();
  els.watchStatus.textContent = message;
  announce(message);
  notifyFinished(`${message} ${document.title.split(' · ')[0]}`);
}

/**
 * Turns Watch off.
 * @param {'user' | 'failed' | 'quiet'} reason 'user' says so; 'quiet' leaves the status line
 */
export function stopWatch(reason = 'user') {
  if (!watch) return;
  const state = watch;
  watch = null;
  state.controller.abort();
  setSwitch(false);
  onWatchChange(false);
  setTitleMode('idle');
  if (reason === 'user') {
    els.watchStatus.textContent = 'Watch is off.';
    announce('Watch off.');
  }
}

/** Starts Watch again over the current list (after the list or the source changed). */
export function restartWatch() {
  if (!watch) return;
  stopWatch('quiet');
  startWatch();
}

/** Asks for permission to notify when the Notify box is ticked. */
export function wireNotify() {
  if (typeof Notification === 'undefined') {
    els.notify.closest('label').hidden = true;
    return;
  }
  els.notify.addEventListener('change', async () => {
    if (!els.notify.checked || Notification.permission === 'granted') return;
    const answer = await Notification.requestPermission().catch(() => 'denied');
    if (answer !== 'granted') {
      els.notify.checked = false;
      announce('The browser does not allow notifications for this page.');
    }
  });
}
