// The CLI's progress display (src/js/cli/progress.js) on a terminal and off it, written to a
// stream that records what it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, PLAIN_INTERVAL_MS } from '../src/js/cli/progress.js';

function recorder(isTTY) {
  return { isTTY, columns: 80, text: '', write(chunk) { this.text += chunk; return true; } };
}

const update = (datasetId, status, extra = {}) => ({
  datasetId, status, changed: true, terminal: false, attempt: 1, elapsedMs: 5, ...extra,
});

test('on a terminal: a live list of the unfinished datasets, erased at the end', () => {
  const stream = recorder(true);
  const progress = createProgress(['ds-a', 'ds-b', 'ds-v4'], stream, { quiet: false });
  progress.update(update('ds-a', 'PROCESSING'));
  progress.update(update('ds-v4', null, { imports: [{ status: 'processing' }] }));
  progress.update(update('ds-b', 'READY', { terminal: true }));
  progress.redraw();
  const last = stream.text.slice(stream.text.lastIndexOf('finished') - 4);
  assert.match(last, /1\/3 finished/);
  assert.match(last, /ds-a {2}PROCESSING {2}\(1 read, last \d+ s ago\)/);
  assert.match(last, /ds-v4 {2}no status \(V4; import jobs: 1 processing\)/);
  assert.doesNotMatch(last, /ds-b /);
  progress.stop();
  assert.ok(stream.text.endsWith('\x1b[J'), 'the list is erased');
});

test('off a terminal: one plain line at once, then at most one per interval; nothing with --quiet', () => {
  const stream = recorder(false);
  const progress = createProgress(['a', 'b'], stream, { quiet: false });
  progress.update(update('a', 'PROCESSING'));
  progress.update(update('b', 'UNINITIALISED'));
  progress.update(update('a', 'READY', { terminal: true }));
  assert.equal(stream.text.split('\n').filter(Boolean).length, 1);
  assert.match(stream.text, /^prolific-dataset-status: 0\/2 finished; 1 PROCESSING, 1 not read yet; \d+ s elapsed\n$/);
  assert.ok(!stream.text.includes('\x1b'));
  assert.equal(PLAIN_INTERVAL_MS, 30000);
  const quiet = recorder(false);
  createProgress(['a'], quiet, { quiet: true }).update(update('a', 'PROCESSING'));
  assert.equal(quiet.text, '');
});

test('a dataset whose reads fail is "not read yet" with the last error, never V4; V4 only after a read of no status', () => {
  const stream = Object.assign(recorder(true), { columns: 200 });
  const progress = createProgress(['ds-failing', 'ds-v4', 'ds-read'], stream, { quiet: false });
  const unavailable = Object.assign(new Error('HTTP 503'), { name: 'ProlificApiError', httpStatus: 503 });
  progress.update(update('ds-failing', null, { error: unavailable, attempt: 2 }));
  progress.update(update('ds-v4', null, { imports: [] }));
  progress.update(update('ds-read', 'PROCESSING'));
  progress.update(update('ds-read', 'PROCESSING', { error: unavailable, attempt: 2 }));
  progress.redraw();
  const last = stream.text.slice(stream.text.lastIndexOf('finished') - 4);
  assert.match(last, /0\/3 finished; 1 not read yet, 1 no status \(V4; no import job yet\), 1 PROCESSING;/);
  assert.match(last, /ds-failing {2}not read yet \(last read failed: HTTP 503\) {2}\(2 reads, last \d+ s ago\)/);
  assert.match(last, /ds-v4 {2}no status \(V4; no import job yet\)/);
  assert.match(last, /ds-read {2}PROCESSING; last read failed: HTTP 503/);
  assert.doesNotMatch(last, /ds-failing {2}no status/);
  progress.stop();
});

test('once stopped (a timeout, the end), a redraw draws nothing: the list stays erased', () => {
  const stream = recorder(true);
  const progress = createProgress(['ds-a'], stream, { quiet: false });
  progress.update(update('ds-a', 'PROCESSING'));
  progress.stop();
  const erased = stream.text.length;
  progress.clear();
  progress.redraw();
  assert.equal(stream.text.length, erased);
});
