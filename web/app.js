/**
 * The dashboard's start: wires the form, the toolbar and the address to the modules.
 *
 * - ids.js: parsing input and the `#ids=` fragment; store.js: localStorage;
 * - list.js and rows.js: the rows and how they are shown; imports.js: a V4 dataset's import jobs;
 * - reading.js: Check now and Watch, through the library; source.js: where reads go (this
 *   page's server, mock or Prolific, or direct mode); describe.js: errors in words; time.js.
 * Every text from the user or a server is put in the page as text.
 * @module
 */
import { byId, el, announce, plural } from './dom.js';
import { parseInput, hashHasIds, idsFromHash, hashFor, isPossibleId, shown, MAX_ID_LENGTH, MAX_IDS } from './ids.js';
import { rows, addIds, takeRows, putBack, reorder, renderList, setRemoveHandler, setTitleMode } from './list.js';
import { clearRow, renderRow } from './rows.js';
import {
  checkNow, startWatch, stopWatch, restartWatch, isWatching, setWatchChangeHandler, stopCheck, wireNotify, readNames, stopNames,
} from './reading.js';
import { initSource, isDemo } from './source.js';
import { refreshTimes } from './time.js';
import * as store from './store.js';

const DEMO_IDS = ['demo-ready', 'demo-slow', 'demo-error', 'demo-new'];

const els = {
  addForm: byId('add-form'),
  idsInput: byId('ids-input'),
  addMessage: byId('add-message'),
  addDemo: byId('add-demo'),
  emptyText: byId('empty-text'),
  checkNow: byId('check-now'),
  watch: byId('watch'),
  watchStatus: byId('watch-status'),
  clearAll: byId('clear-all'),
  copyLink: byId('copy-link'),
  listMessage: byId('list-message'),
  list: byId('dataset-list'),
  listHeading: byId('datasets-heading'),
};

// ---------------------------------------------------------------------------------------------
// What survives a reload: the fragment (shareable) and localStorage (the same list, and Watch)

function persist() {
  const ids = [...rows.keys()];
  store.save({ ids, watch: isWatching() });
  const target = `${location.pathname}${location.search}${hashFor(ids)}`;
  if (`${location.pathname}${location.search}${location.hash}` !== target) history.replaceState(history.state, '', target);
}

function addMessage(text, error = false) {
  els.addMessage.textContent = text;
  els.addMessage.classList.toggle('form-message--error', error);
}

/** Sentences for what addIds and parseInput skipped. */
function skippedSentences({ duplicates = 0, overLimit = 0, refused = [], badLinks = [] }) {
  const parts = [];
  if (duplicates) parts.push(`${plural(duplicates, 'id was', 'ids were')} already in the list.`);
  if (overLimit) parts.push(`${plural(overLimit, 'id was', 'ids were')} skipped: the list holds at most ${MAX_IDS}.`);
  const tooLong = refused.filter((piece) => piece.length > MAX_ID_LENGTH);
  const impossible = refused.filter((piece) => piece.length <= MAX_ID_LENGTH);
  if (tooLong.length) parts.push(`${plural(tooLong.length, 'id was', 'ids were')} skipped: longer than ${MAX_ID_LENGTH} characters.`);
  if (impossible.length) {
    parts.push(`Not a dataset id (letters, digits, - _ . ~ only): ${impossible.slice(0, 3).map((piece) => `"${shown(piece)}"`).join(', ')}${impossible.length > 3 ? ` and ${impossible.length - 3} more` : ''}.`);
  }
  if (badLinks.length) parts.push(`${plural(badLinks.length, 'link names', 'links name')} no dataset: ${badLinks.slice(0, 2).map((piece) => `"${shown(piece)}"`).join(', ')}.`);
  return parts;
}

/** Adds ids, reads them (or lets Watch take them), saves the list. */
function addAndRead(ids) {
  const result = addIds(ids);
  if (result.added.length) {
    persist();
    renderList();
    if (isWatching()) restartWatch();
    else void checkNow(result.added);
    void readNames(result.added);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Adding

function onAddSubmit(event) {
  event.preventDefault();
  const parsed = parseInput(els.idsInput.value);
  if (parsed.ids.length === 0 && parsed.refused.length === 0 && parsed.badLinks.length === 0) {
    addMessage('Type or paste at least one dataset id or Prolific dataset link.', true);
    return;
  }
  const { added, duplicates, overLimit } = addAndRead(parsed.ids);
  const parts = [];
  if (added.length) parts.push(`Added ${plural(added.length, 'dataset')}${parsed.fromLinks ? ` (${plural(parsed.fromLinks, 'from a link', 'from links')})` : ''}.`);
  parts.push(...skippedSentences({ duplicates, overLimit, refused: parsed.refused, badLinks: parsed.badLinks }));
  addMessage(parts.join(' '), added.length === 0 || parsed.refused.length > 0 || parsed.badLinks.length > 0);
  if (added.length && parsed.refused.length === 0 && parsed.badLinks.length === 0) els.idsInput.value = '';
}

function addDemo() {
  const { added } = addAndRead(DEMO_IDS);
  addMessage(`Added ${plural(added.length, 'demo dataset')}. Turn on Watch to follow them.`);
  els.watch.focus();
}

// ---------------------------------------------------------------------------------------------
// Removing, with Undo

let undo = null;

function listMessage(...content) {
  els.listMessage.replaceChildren(...content);
}

function removeOne(id) {
  const row = rows.get(id);
  if (!row) return;
  const next = row.view.item.nextElementSibling ?? row.view.item.previousElementSibling;
  takeRows([id]);
  persist();
  renderList();
  if (isWatching()) restartWatch();
  announce(`Removed ${id}.`);
  (next ? next.querySelector('.dataset__remove') : els.idsInput).focus();
}

function removeAll() {
  const wasWatching = isWatching();
  stopWatch('quiet');
  stopCheck();
  const taken = takeRows([...rows.keys()]);
  persist();
  renderList();
  setTitleMode('idle');
  els.watchStatus.textContent = 'Watch is off.';
  addMessage('');
  undo = { taken, wasWatching };
  const button = el('button', { className: 'button button--small', text: 'Undo', attrs: { type: 'button', id: 'undo-remove' } });
  button.addEventListener('click', undoRemoveAll);
  listMessage(`Removed ${plural(taken.length, 'dataset')}. `, button);
  announce(`Removed ${plural(taken.length, 'dataset')}. Undo is available.`);
  button.focus();
}

function undoRemoveAll() {
  if (!undo) return;
  const { taken, wasWatching } = undo;
  undo = null;
  const back = putBack(taken);
  persist();
  renderList();
  listMessage(`Put back ${plural(back.length, 'dataset')}.`);
  announce(`Put back ${plural(back.length, 'dataset')}.`);
  if (wasWatching) startWatch();
  els.listHeading.focus();
}

// ---------------------------------------------------------------------------------------------
// Copy link

async function copyLink() {
  persist();
  try {
    await navigator.clipboard.writeText(location.href);
    listMessage('Link copied: it opens this list.');
  } catch {
    // No clipboard access (an insecure origin, a refused permission): show the link to copy by hand.
    const field = el('input', { className: 'link-field', attrs: { type: 'text', readonly: '', 'aria-label': 'Link to this list' } });
    field.value = location.href;
    listMessage('Copy this link: ', field);
    field.select();
    field.focus();
  }
}

// ---------------------------------------------------------------------------------------------
// The address edited by hand

function syncWithHash() {
  if (!hashHasIds(location.hash)) {
    persist();
    return;
  }
  const wanted = idsFromHash(location.hash).filter(isPossibleId);
  const wantedSet = new Set(wanted);
  takeRows([...rows.keys()].filter((id) => !wantedSet.has(id)));
  const { added } = addIds(wanted);
  reorder(wanted);
  persist();
  renderList();
  if (isWatching()) restartWatch();
  else if (added.length) void checkNow(added);
  if (added.length) void readNames(added);
}

// ---------------------------------------------------------------------------------------------
// The source changed (direct mode on, off, another base URL): old results go, the list is read again

function onSourceChange() {
  stopCheck();
  stopNames();
  for (const row of rows.values()) {
    clearRow(row);
    renderRow(row);
  }
  renderList();
  showDemoOffers();
  if (isWatching()) restartWatch();
  else void checkNow();
  void readNames([...rows.keys()]);
}

function showDemoOffers() {
  const demo = isDemo();
  els.addDemo.hidden = !demo;
  els.emptyText.textContent = demo
    ? 'No datasets yet. Add an id above, or try the page with the demo datasets of the built-in mock API.'
    : 'No datasets yet. Add a dataset id, or paste the link of a dataset page of the Prolific app.';
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  setRemoveHandler(removeOne);
  setWatchChangeHandler(() => persist());
  wireNotify();
  els.addForm.addEventListener('submit', onAddSubmit);
  els.idsInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      els.addForm.requestSubmit();
    }
  });
  els.addDemo.addEventListener('click', addDemo);
  els.checkNow.addEventListener('click', () => void checkNow());
  els.watch.addEventListener('click', () => {
    // A hint such as "Turn on Watch to follow them" has served its purpose.
    if (!els.addMessage.classList.contains('form-message--error')) addMessage('');
    if (isWatching()) stopWatch('user');
    else startWatch();
  });
  els.clearAll.addEventListener('click', removeAll);
  els.copyLink.addEventListener('click', () => void copyLink());
  window.addEventListener('hashchange', syncWithHash);
  // The skip link moves focus without touching the fragment, which holds the list.
  document.querySelector('.skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    els.listHeading.focus();
    els.listHeading.scrollIntoView({ block: 'start' });
  });

  await initSource({ onChange: onSourceChange });
  showDemoOffers();

  // The link wins when it names a list; else the list saved in this browser.
  const saved = store.load();
  const fromLink = hashHasIds(location.hash);
  const candidates = fromLink ? idsFromHash(location.hash) : saved.ids;
  const refused = candidates.filter((id) => !isPossibleId(id));
  const { added, overLimit } = addIds(candidates.filter(isPossibleId));
  const skipped = skippedSentences({ overLimit, refused });
  if (skipped.length) addMessage(`From the ${fromLink ? 'address' : 'saved list'}: ${skipped.join(' ')}`, true);
  persist();
  renderList();
  if (saved.watch && added.length) startWatch();
  else if (added.length) void checkNow(added);
  void readNames(added);
  setInterval(() => refreshTimes(els.list), 1000);
  document.documentElement.dataset.ready = 'true';
}

void start();
