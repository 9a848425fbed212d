/**
 * The list of rows in the page: adding, removing, order, the summary line and the tab title.
 * @module
 */
import { byId, plural } from './dom.js';
import { createRow, renderRow, isDone, isFinished, isFinishedByError } from './rows.js';
import { MAX_IDS } from './ids.js';

const BASE_TITLE = 'Prolific dataset status';

const els = {
  list: byId('dataset-list'),
  summary: byId('summary'),
  emptyState: byId('empty-state'),
  checkNow: byId('check-now'),
  clearAll: byId('clear-all'),
  copyLink: byId('copy-link'),
};

/** @type {Map<string, import('./rows.js').Row>} in display order */
export const rows = new Map();

/** Set by the watch control: how the tab title counts. @type {'idle' | 'watching' | 'finished'} */
let titleMode = 'idle';
let onRemoveRow = () => {};

/**
 * Sets what a row's Remove button does.
 * @param {(id: string) => void} handler
 */
export function setRemoveHandler(handler) {
  onRemoveRow = handler;
}

/**
 * Adds ids that are not in the list yet (as rows that were never read).
 * @param {string[]} ids possible ids (see ids.js)
 * @returns {{ added: string[], duplicates: number, overLimit: number }}
 */
export function addIds(ids) {
  const added = [];
  let duplicates = 0;
  let overLimit = 0;
  for (const id of ids) {
    if (rows.has(id)) {
      duplicates += 1;
    } else if (rows.size >= MAX_IDS) {
      overLimit += 1;
    } else {
      const row = createRow(id, (removed) => onRemoveRow(removed));
      rows.set(id, row);
      els.list.append(row.view.item);
      renderRow(row);
      added.push(id);
    }
  }
  return { added, duplicates, overLimit };
}

/**
 * Takes rows out of the list (kept whole, so that Undo can put them back as they were).
 * @param {string[]} ids
 * @returns {import('./rows.js').Row[]} the rows taken out, in list order
 */
export function takeRows(ids) {
  const wanted = new Set(ids);
  const taken = [];
  for (const [id, row] of rows) {
    if (!wanted.has(id)) continue;
    rows.delete(id);
    row.view.item.remove();
    taken.push(row);
  }
  return taken;
}

/**
 * Puts rows taken out by takeRows back at the end of the list (ids already present are skipped).
 * @param {import('./rows.js').Row[]} taken
 * @returns {string[]} the ids put back
 */
export function putBack(taken) {
  const back = [];
  for (const row of taken) {
    if (rows.has(row.id) || rows.size >= MAX_IDS) continue;
    rows.set(row.id, row);
    els.list.append(row.view.item);
    renderRow(row);
    back.push(row.id);
  }
  return back;
}

/**
 * Orders the list as `ids` (ids not in the list are ignored).
 * @param {string[]} ids
 */
export function reorder(ids) {
  const ordered = ids.filter((id, index) => rows.has(id) && ids.indexOf(id) === index).map((id) => [id, rows.get(id)]);
  rows.clear();
  for (const [id, row] of ordered) {
    rows.set(id, row);
    els.list.append(row.view.item);
  }
}

/**
 * Sets how the tab title counts finished datasets.
 * @param {'idle' | 'watching' | 'finished'} mode
 */
export function setTitleMode(mode) {
  titleMode = mode;
  renderList();
}

/**
 * @typedef {object} Tally
 * @property {number} total rows in the list
 * @property {number} finished rows finished by the one rule (rows.js isFinished)
 * @property {number} unfinished total - finished
 * @property {number} ready finished at READY
 * @property {number} error finished at ERROR
 * @property {number} v4Done V4 datasets with every import job terminal
 * @property {number} readError finished by a read error (rows.js isFinishedByError)
 * @property {number} readProblem other rows whose last read failed
 */

/**
 * The counts shown by the summary line, the Watch line and the tab title, all from rows.js
 * isFinished, so that they always agree.
 * @returns {Tally}
 */
export function tally() {
  const counts = { total: rows.size, finished: 0, unfinished: 0, ready: 0, error: 0, v4Done: 0, readError: 0, readProblem: 0 };
  for (const row of rows.values()) {
    if (isFinished(row)) counts.finished += 1;
    if (isDone(row)) {
      if (row.status === null) counts.v4Done += 1;
      else if (row.status === 'READY') counts.ready += 1;
      else counts.error += 1;
    }
    if (isFinishedByError(row)) counts.readError += 1;
    else if (row.problem) counts.readProblem += 1;
  }
  counts.unfinished = counts.total - counts.finished;
  return counts;
}

function renderTitle() {
  const { total, finished, ready } = tally();
  if (titleMode === 'watching' && total) {
    document.title = `(${finished}/${total}) ${BASE_TITLE}`;
  } else if (titleMode === 'finished' && total) {
    document.title = ready === total ? `✓ ${ready}/${total} ready · ${BASE_TITLE}` : `✓ ${finished}/${total} finished · ${BASE_TITLE}`;
  } else {
    document.title = BASE_TITLE;
  }
}

/** Shows the summary line, the empty state and the buttons that need a non-empty list. */
export function renderList() {
  const count = rows.size;
  els.emptyState.hidden = count > 0;
  els.list.hidden = count === 0;
  els.clearAll.hidden = count === 0;
  els.copyLink.hidden = count === 0;
  els.checkNow.disabled = count === 0;
  renderTitle();
  if (count === 0) {
    els.summary.textContent = 'No datasets in the list.';
    return;
  }
  const counts = tally();
  const parts = [plural(count, 'dataset'), `${counts.ready} READY`, `${counts.error} ERROR`];
  if (counts.v4Done) parts.push(`${counts.v4Done} V4 with every import done`);
  if (counts.readError) parts.push(`${counts.readError} finished with a read error`);
  if (counts.unfinished) parts.push(`${counts.unfinished} not finished`);
  if (counts.readProblem) parts.push(`${counts.readProblem} with a read problem`);
  els.summary.textContent = parts.join(' · ');
}
