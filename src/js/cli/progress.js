/**
 * Progress of a --wait on stderr: on a TTY a live list (each dataset, its status, its reads, time
 * since its last read), redrawn every second; elsewhere (CI logs) one plain line when the first
 * reads are known and then at most every 30 s. `--quiet` turns it off.
 * @module
 */
import { printable, importsSummary } from './output.js';

/** Least time between two plain progress lines off a TTY, in ms. */
export const PLAIN_INTERVAL_MS = 30000;
/** Rows of the live list at most; the rest are counted. */
const MAX_ROWS = 20;

/** A failed read in a few words: "HTTP 503" for an API answer, else the error name ("TimeoutError"). */
function shortError(error) {
  if (typeof error?.httpStatus === 'number' && error.httpStatus > 0) return `HTTP ${error.httpStatus}`;
  return printable(String(error?.name ?? 'error')).slice(0, 40);
}

/**
 * @param {string[]} datasetIds in the order given
 * @param {NodeJS.WriteStream} stream stderr
 * @param {{ quiet: boolean }} options
 * @returns {{ update: (update: object) => void, clear: () => void, lines: () => string[] }}
 */
export function createProgress(datasetIds, stream, { quiet }) {
  // `read`: a read returned a status (null included); `error`: the last read failed with it.
  const state = new Map(datasetIds.map((id) => [id, { status: null, read: false, attempt: 0, readAt: 0, done: false }]));
  const started = Date.now();
  const seconds = (ms) => `${Math.floor(ms / 1000)} s`;
  const record = (update) => {
    const entry = state.get(update.datasetId);
    if (!entry) return;
    entry.done = update.terminal;
    if (update.attempt !== undefined) entry.attempt = update.attempt;
    entry.readAt = Date.now();
    if (update.error) {
      entry.error = update.error;
      return;
    }
    Object.assign(entry, { status: update.status, imports: update.imports, read: true, error: undefined });
  };
  const describe = (entry) => {
    const failure = entry.error ? shortError(entry.error) : '';
    // V4 only when a read said so (status null); a dataset whose reads fail is not read yet.
    if (!entry.read) return failure ? `not read yet (last read failed: ${failure})` : 'not read yet';
    const status = entry.status === null ? `no status (V4; ${importsSummary(entry.imports)})` : printable(entry.status);
    return failure ? `${status}; last read failed: ${failure}` : status;
  };
  const summary = () => {
    const finished = [...state.values()].filter((entry) => entry.done).length;
    const open = new Map();
    for (const entry of state.values()) {
      // The count per status; the last error of a failing dataset is in its own row.
      const key = entry.read ? describe({ ...entry, error: undefined }) : 'not read yet';
      if (!entry.done) open.set(key, (open.get(key) ?? 0) + 1);
    }
    const detail = [...open].map(([status, count]) => `${count} ${status}`).join(', ');
    return `${finished}/${state.size} finished${detail ? `; ${detail}` : ''}; ${seconds(Date.now() - started)} elapsed`;
  };
  if (quiet) return { update() {}, clear() {}, lines: () => [] };
  if (!stream.isTTY) {
    let lastLine = 0;
    return {
      update(update) {
        record(update);
        const now = Date.now();
        if (lastLine !== 0 && now - lastLine < PLAIN_INTERVAL_MS) return;
        lastLine = now;
        stream.write(`prolific-dataset-status: ${summary()}\n`);
      },
      clear() {},
      lines: () => [summary()],
    };
  }
  let drawn = 0;
  let stopped = false;
  const draw = () => {
    if (stopped) return;
    const rows = [];
    for (const [id, entry] of state) {
      if (entry.done) continue;
      if (rows.length === MAX_ROWS) break;
      const reads = entry.attempt === 1 ? '1 read' : `${entry.attempt} reads`;
      const when = entry.readAt ? `  (${reads}, last ${seconds(Date.now() - entry.readAt)} ago)` : '';
      rows.push(`  ${printable(id).slice(0, 40)}  ${describe(entry)}${when}`);
    }
    const text = [summary(), ...rows].map((row) => `\x1b[K${row.slice(0, (stream.columns || 100) - 1)}`);
    stream.write(`${drawn > 0 ? `\x1b[${drawn}F` : '\r'}${text.join('\n')}\n\x1b[J`);
    drawn = text.length;
  };
  const timer = setInterval(draw, 1000);
  timer.unref?.();
  draw();
  return {
    update: record,
    /** Erases the list (before a result line goes to stdout on the same terminal, and at the end). */
    clear() {
      if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
      drawn = 0;
    },
    /** Draws the list again; nothing once stopped. */
    redraw: draw,
    /** Stops the redraws for good and erases the list (at the end, a timeout or an interrupt). */
    stop() {
      stopped = true;
      clearInterval(timer);
      this.clear();
    },
    lines: () => [summary()],
  };
}
