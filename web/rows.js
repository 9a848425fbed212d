/**
 * One row of the list: what the page knows of a dataset, and how it is shown.
 * @module
 */
import { isTerminalStatus } from './pkg/src/js/index.js';
import { el } from './dom.js';
import { describeError, nextStep } from './describe.js';
import { timeElement, duration } from './time.js';
import {
  renderImports, importSummary, importSummaryClass, isTerminalImport, importJobView, importStatusLabel, importCounts,
} from './imports.js';

/** Badge class per documented status; any other string gets the neutral badge. */
const BADGE_CLASSES = {
  UNINITIALISED: 'badge--uninitialised',
  PROCESSING: 'badge--processing',
  READY: 'badge--ready',
  ERROR: 'badge--error',
};
const ALL_BADGE_CLASSES = [...Object.values(BADGE_CLASSES), 'badge--other', 'badge--unknown', 'badge--failed', 'badge--partial', 'badge--v4'];

/**
 * @typedef {object} Row
 * @property {string} id
 * @property {string | null | undefined} status the last status read: undefined before any read,
 *   null for a dataset without a status of its own (V4: see `imports`)
 * @property {number | undefined} statusSince ms since the epoch at which this page first saw the status
 * @property {Date | undefined} readAt when the last successful read ended
 * @property {object[] | undefined} imports a V4 dataset's import jobs
 * @property {string} name the dataset's name, when read
 * @property {import('./describe.js').Problem | null} problem the last read's failure
 * @property {boolean} finished Watch has nothing more to wait for (terminal, or a final error)
 * @property {number} reading reads in flight
 * @property {object} view the row's elements
 */

/**
 * A new row for `id`, with its elements (not yet in the page).
 * @param {string} id
 * @param {(id: string) => void} onRemove called by the row's Remove button
 * @returns {Row}
 */
export function createRow(id, onRemove) {
  const item = el('li', { className: 'dataset' });
  const head = el('div', { className: 'dataset__head' });
  const name = el('span', { className: 'dataset__name' });
  name.hidden = true;
  const badge = el('span', { className: 'badge dataset__badge' });
  const since = el('span', { className: 'dataset__since' });
  head.append(el('code', { className: 'dataset__id', text: id }), name, badge, since);
  const meta = el('span', { className: 'dataset__meta' });
  const readTime = el('span', { className: 'dataset__time' });
  const reading = el('span', { className: 'dataset__reading', text: 'Reading…' });
  reading.hidden = true;
  meta.append(readTime, reading);
  head.append(meta);

  const problem = el('div', { className: 'dataset__problem' });
  problem.hidden = true;
  const problemTitle = el('p', { className: 'dataset__problem-title' });
  const problemExplanation = el('p', { className: 'dataset__problem-text' });
  const problemServer = el('p', { className: 'dataset__problem-server' });
  problem.append(problemTitle, problemExplanation, problemServer);

  const remove = el('button', { className: 'button button--quiet button--small dataset__remove', text: 'Remove', attrs: { type: 'button' } });
  remove.append(el('span', { className: 'visually-hidden', text: ` ${id}` }));
  remove.addEventListener('click', () => onRemove(id));

  const imports = el('ul', { className: 'imports' });
  imports.hidden = true;
  const body = el('div', { className: 'dataset__body' });
  body.append(head, imports, problem);
  item.append(body, remove);

  return {
    id, status: undefined, statusSince: undefined, readAt: undefined, imports: undefined, name: '', problem: null,
    finished: false, reading: 0,
    view: { item, name, badge, since, readTime, reading, problem, problemTitle, problemExplanation, problemServer, imports, importItems: new Map() },
  };
}

/**
 * Forgets what was read (another source of data: direct mode on, off, another base URL).
 * @param {Row} row
 */
export function clearRow(row) {
  Object.assign(row, { status: undefined, statusSince: undefined, readAt: undefined, imports: undefined, name: '', problem: null, finished: false });
}

/**
 * Whether the row's dataset is finished by its data: READY or ERROR, or a V4 dataset whose import
 * jobs are all terminal.
 * @param {Row} row
 */
export function isDone(row) {
  if (row.status === null && row.imports) return row.imports.length > 0 && row.imports.every(isTerminalImport);
  return isTerminalStatus(row.status);
}

/**
 * Whether the row counts as finished on the page: the one rule behind the summary line, the
 * Watch line, the tab title and what Watch still waits for. Finished by its data (isDone), or
 * ended by an answer watchDatasets treats as final (its `update.terminal` on an error: a 404,
 * another permanent 4XX, the deadline), which is "finished with a read error".
 * @param {Row} row
 * @returns {boolean}
 */
export function isFinished(row) {
  return isDone(row) || row.finished;
}

/**
 * Whether the row is finished by a read error, not by its data (see isFinished).
 * @param {Row} row
 * @returns {boolean}
 */
export function isFinishedByError(row) {
  return row.finished && !isDone(row);
}

/**
 * Applies a successful read to the row.
 * @param {Row} row
 * @param {{ status: string | null, imports?: object[], name?: string }} read
 * @param {Date} at when the read ended
 * @returns {string | null} what to announce, or null
 */
export function applyRead(row, { status, imports, name }, at) {
  const before = row.status;
  const importsBefore = row.imports;
  const doneBefore = isDone(row);
  if (status !== before) row.statusSince = at.getTime();
  row.status = status;
  if (imports !== undefined) row.imports = imports;
  else if (status !== null) row.imports = undefined;
  if (typeof name === 'string' && name !== '') row.name = name;
  row.readAt = at;
  row.problem = null;
  if (status === null) {
    if (!row.imports) return null;
    if (before !== null || !importsBefore) return `${row.id} is a V4 dataset: ${importSummary(row.imports).replace(/^V4 · /, '')}.`;
    const changes = importChanges(importsBefore, row.imports);
    if (isDone(row) && !doneBefore) changes.push('every import is done');
    return changes.length ? `${row.id}: ${changes.join('; ')}.` : null;
  }
  if (before === status) return null;
  return before === undefined ? `${row.id} is ${status}.` : `${row.id} changed from ${before} to ${status}.`;
}

/** What changed between two reads of a V4 dataset's import jobs, in words. */
function importChanges(previous, current) {
  const known = new Map(previous.map((job, index) => {
    const view = importJobView(job, index);
    return [view.key, view.status];
  }));
  const changes = [];
  current.forEach((job, index) => {
    const view = importJobView(job, index);
    if (known.get(view.key) === view.status) return;
    const counts = importCounts(view);
    changes.push(`${view.name} ${known.has(view.key) ? 'is now' : 'is'} ${importStatusLabel(view.status)}` +
      (counts && isTerminalImport(job) ? ` (${counts})` : ''));
  });
  return changes;
}

/**
 * Applies a failed read to the row.
 * @param {Row} row
 * @param {unknown} error
 * @param {{ at: Date, direct: boolean, final?: boolean }} context
 * @returns {string | null} what to announce, or null
 */
export function applyFailure(row, error, context) {
  const previous = row.problem;
  row.problem = describeError(error, context);
  return previous?.title === row.problem.title ? null : `${row.id}: could not be read. ${row.problem.title}.`;
}

/**
 * Shows the row's state.
 * @param {Row} row
 */
export function renderRow(row) {
  const { view } = row;
  view.badge.classList.remove(...ALL_BADGE_CLASSES);
  view.name.hidden = row.name === '';
  view.name.textContent = row.name;
  if (row.status === null && row.imports) {
    view.badge.classList.add('badge--v4', importSummaryClass(row.imports));
    view.badge.textContent = importSummary(row.imports);
  } else if (row.status === undefined && row.problem) {
    // Read, but no status came back: the badge says so, as the problem below it does.
    view.badge.classList.add('badge--failed');
    view.badge.textContent = row.problem.badge;
  } else if (row.status === undefined) {
    view.badge.classList.add('badge--unknown');
    view.badge.textContent = 'Not read yet';
  } else if (row.status === null) {
    view.badge.classList.add('badge--other');
    view.badge.textContent = 'No status';
  } else {
    view.badge.classList.add(Object.hasOwn(BADGE_CLASSES, row.status) ? BADGE_CLASSES[row.status] : 'badge--other');
    view.badge.textContent = row.status;
  }
  // How long it has been in this status (as seen by this page), refreshed by refreshTimes().
  if (row.statusSince !== undefined && typeof row.status === 'string') {
    view.since.dataset.since = String(row.statusSince);
    view.since.title = `In this status since this page first saw it: ${new Date(row.statusSince).toLocaleString()}`;
    view.since.textContent = `for ${duration(Date.now() - row.statusSince)}`;
    view.since.hidden = false;
  } else {
    delete view.since.dataset.since;
    view.since.hidden = true;
  }

  view.readTime.replaceChildren();
  if (row.readAt) view.readTime.append('Read ', timeElement(row.readAt));
  view.reading.hidden = row.reading === 0;
  view.item.setAttribute('aria-busy', row.reading ? 'true' : 'false');

  const { problem } = row;
  view.problem.hidden = !problem;
  view.item.classList.toggle('dataset--failed', Boolean(problem));
  if (problem) {
    view.problemTitle.replaceChildren(el('strong', { text: problem.title }), ' · ', timeElement(problem.at));
    view.problemExplanation.textContent = [problem.explanation, nextStep(problem)].filter(Boolean).join(' ');
    view.problemServer.hidden = problem.serverText === '';
    view.problemServer.textContent = problem.serverText ? `Server said: ${problem.serverText}` : '';
  }
  renderImports(view.imports, view.importItems, row.status === null ? row.imports : undefined, row.id);
}
