/**
 * The list of rows in the page: adding, removing, order, the summary line and the tab title.
 * @module
 */
import { byId, plural } from './dom.js';
import { createRow, renderRow, isDone } from './rows.js';
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

/** Finished datasets: terminal by their data, or with an answer Watch treats as final. */
export function finishedCount() {
  let finished = 0;
  for (const row of rows.values()) if (isDone(row) || row.finished) finished += 1;
  return finished;
}

function renderTitle() {
  const total = rows.size;
  const finished = finishedCount();
  if (titleMode === 'watching' && total) {
    document.title = `(${finished}/${total}) ${BASE_TITLE}`;
  } else if (titleMode === 'finished' && total) {
    const ready = [...rows.values()].filter((row) => row.status === 'READY').length;
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
  let ready = 0;
  let failedProcessing = 0;
  let importedV4 = 0;
  let unreadable = 0;
  for (const row of rows.values()) {
    if (row.status === null && isDone(row)) importedV4 += 1;
    else if (row.status === 'READY') ready += 1;
    else if (row.status === 'ERROR') failedProcessing += 1;
    if (row.problem) unreadable += 1;
  }
  const parts = [plural(count, 'dataset'), `${ready} READY`, `${failedProcessing} ERROR`];
  if (importedV4) parts.push(`${importedV4} V4 with every import done`);
  const unfinished = count - ready - failedProcessing - importedV4;
  if (unfinished) parts.push(`${unfinished} not finished`);
  if (unreadable) parts.push(`${unreadable} with a read problem`);
  els.summary.textContent = parts.join(' · ');
}
