/**
 * The import jobs of a V4 dataset under its row. Every field of an import job is read in one
 * place, importJobView(), so a change of the API's field names is a change there only.
 * @module
 */
import { TERMINAL_IMPORT_STATUSES } from './pkg/src/js/index.js';
import { clip } from './describe.js';
import { el } from './dom.js';

/** Record errors shown at once; the rest are in a collapsed <details>. */
const ERRORS_SHOWN = 3;
/** Record errors of one import put in the page at most. */
const ERRORS_LIMIT = 50;

/** Badge class per documented import job status; any other string gets the neutral badge. */
const IMPORT_BADGE_CLASSES = {
  queued: 'badge--import-queued',
  processing: 'badge--import-processing',
  complete: 'badge--import-complete',
  partial: 'badge--import-partial',
  failed: 'badge--import-failed',
  pending_schema: 'badge--import-pending-schema',
};

function count(value) {
  return Number.isFinite(value) ? value : undefined;
}

/**
 * One record error as a line: a readable string as it is, or `{ recordIndex (0-based), field?,
 * reason }` as "record 3, text: reason".
 * @param {unknown} error
 * @returns {string | null}
 */
function errorLine(error) {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const where = Number.isInteger(error.recordIndex) ? `record ${error.recordIndex + 1}` : 'a record';
    const field = typeof error.field === 'string' && error.field !== '' ? `, ${error.field}` : '';
    const reason = typeof error.reason === 'string' ? error.reason : 'refused';
    return `${where}${field}: ${reason}`;
  }
  return null;
}

/**
 * What the page shows of one import job, whatever the shape the library hands it in.
 * @param {object} job an import job of a WatchUpdate's `imports` or of getDataset().imports
 * @param {number} index its place in the list
 * @returns {{ key: string, name: string, status: string, accepted?: number, rejected?: number,
 *   duplicates?: number, errors: string[], reason: string }}
 */
export function importJobView(job, index) {
  const id = [job?.importId, job?.id].find((value) => typeof value === 'string' && value !== '');
  const filename = typeof job?.filename === 'string' && job.filename !== '' ? job.filename : undefined;
  return {
    key: id ? `id:${id}` : `#${index}`,
    name: filename ?? (id ? `import ${id}` : `import ${index + 1}`),
    status: typeof job?.status === 'string' ? job.status : '',
    accepted: count(job?.acceptedCount),
    rejected: count(job?.rejectedCount),
    duplicates: count(job?.duplicateCount),
    errors: (Array.isArray(job?.errors) ? job.errors : []).map(errorLine).filter((line) => line !== null),
    reason: typeof job?.reason === 'string' ? job.reason : '',
  };
}

/** Whether an import job will not change again (the library's list of terminal statuses). */
export function isTerminalImport(job) {
  return TERMINAL_IMPORT_STATUSES.includes(job?.status);
}

/** An import status as words: "pending_schema" → "pending schema". */
export function importStatusLabel(status) {
  return String(status || 'unknown').replace(/_/g, ' ');
}

/** "2 accepted · 1 rejected · 1 duplicate", from the counts the API gave. */
export function importCounts(view) {
  const parts = [];
  if (view.accepted !== undefined) parts.push(`${view.accepted} accepted`);
  if (view.rejected !== undefined) parts.push(`${view.rejected} rejected`);
  if (view.duplicates) parts.push(`${view.duplicates} ${view.duplicates === 1 ? 'duplicate' : 'duplicates'}`);
  return parts.join(' · ');
}

/** "V4 · 2/3 imports done" (or "V4 · no imports yet"). */
export function importSummary(imports) {
  if (imports.length === 0) return 'V4 · no imports yet';
  const done = imports.filter(isTerminalImport).length;
  return `V4 · ${done}/${imports.length} ${imports.length === 1 ? 'import' : 'imports'} done`;
}

/** Main badge class of a V4 dataset, from its import jobs. */
export function importSummaryClass(imports) {
  if (imports.every((job) => job.status === 'uninitialised')) return 'badge--uninitialised';
  if (!imports.every(isTerminalImport)) return 'badge--processing';
  if (imports.every((job) => job.status === 'complete')) return 'badge--ready';
  if (imports.some((job) => job.status === 'failed')) return 'badge--error';
  return 'badge--partial';
}

function errorList(lines) {
  const list = el('ul', { className: 'import__error-list' });
  for (const line of lines) list.append(el('li', { text: clip(line) }));
  return list;
}

function createImportItem(view) {
  const item = el('li', { className: 'import' });
  const head = el('div', { className: 'import__head' });
  head.append(
    el('span', { className: 'import__file', text: view.name }),
    el('span', {
      className: `badge import__badge ${Object.hasOwn(IMPORT_BADGE_CLASSES, view.status) ? IMPORT_BADGE_CLASSES[view.status] : 'badge--other'}`,
      text: importStatusLabel(view.status),
    }),
  );
  const counts = importCounts(view);
  if (counts) head.append(el('span', { className: 'import__counts', text: counts }));
  item.append(head);
  if (view.status === 'failed') {
    item.append(el('p', { className: 'import__reason', text: view.reason ? `Reason: ${clip(view.reason)}` : 'Failed; the API gave no reason.' }));
  } else if (view.status === 'pending_schema') {
    item.append(el('p', { className: 'import__note', text: 'Waiting for the dataset to have a schema.' }));
  }
  if (view.errors.length > 0) {
    const box = el('div', { className: 'import__errors' });
    const listed = view.errors.slice(0, ERRORS_LIMIT);
    box.append(el('p', { className: 'import__errors-title', text: view.errors.length === 1 ? 'Record error:' : 'Record errors:' }),
      errorList(listed.slice(0, ERRORS_SHOWN)));
    if (listed.length > ERRORS_SHOWN) {
      const rest = listed.slice(ERRORS_SHOWN);
      const more = el('details', { className: 'import__more' });
      more.append(el('summary', { text: `${rest.length} more ${rest.length === 1 ? 'error' : 'errors'} of ${view.name}` }), errorList(rest));
      box.append(more);
    }
    if (view.errors.length > listed.length) {
      box.append(el('p', { className: 'import__note', text: `${view.errors.length - listed.length} more errors not shown.` }));
    }
    item.append(box);
  }
  return item;
}

/**
 * Shows `imports` in `list`. Items whose job did not change are kept, so an opened list of
 * errors stays open (and keeps the focus) while Watch reads.
 * @param {HTMLUListElement} list
 * @param {Map<string, { item: HTMLLIElement, signature: string }>} known items by job key (updated)
 * @param {object[] | undefined} imports undefined: not a V4 dataset (the list is hidden)
 * @param {string} datasetId for the list's accessible name
 */
export function renderImports(list, known, imports, datasetId) {
  if (!imports) {
    list.hidden = true;
    list.replaceChildren();
    known.clear();
    return;
  }
  list.hidden = false;
  list.setAttribute('aria-label', `Import jobs of ${datasetId}`);
  if (imports.length === 0) {
    known.clear();
    list.replaceChildren(el('li', { className: 'import import--none', text: 'No import jobs yet: upload a file to this dataset to start one.' }));
    return;
  }
  const next = new Map();
  const items = imports.map((job, index) => {
    const view = importJobView(job, index);
    const signature = JSON.stringify(view);
    const old = known.get(view.key);
    const item = old && old.signature === signature ? old.item : createImportItem(view);
    next.set(view.key, { item, signature });
    return item;
  });
  known.clear();
  for (const [key, value] of next) known.set(key, value);
  const current = [...list.children];
  if (current.length !== items.length || current.some((element, index) => element !== items[index])) {
    list.replaceChildren(...items);
  }
}
