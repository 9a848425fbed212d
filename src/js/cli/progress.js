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

/**
 * @param {string[]} datasetIds in the order given
 * @param {NodeJS.WriteStream} stream stderr
 * @param {{ quiet: boolean }} options
 * @returns {{ update: (update: object) => void, clear: () => void, lines: () => string[] }}
 */
export function createProgress(datasetIds, stream, { quiet }) {
  const state = new Map(datasetIds.map((id) => [id, { status: 'waiting', attempt: 0, readAt: 0, done: false }]));
  const started = Date.now();
  const seconds = (ms) => `${Math.floor(ms / 1000)} s`;
  const describe = (entry) => (entry.status === null ? `no status (V4; ${importsSummary(entry.imports)})` : printable(entry.status));
  const summary = () => {
    const finished = [...state.values()].filter((entry) => entry.done).length;
    const waiting = new Map();
    for (const entry of state.values()) {
      if (!entry.done) waiting.set(describe(entry), (waiting.get(describe(entry)) ?? 0) + 1);
    }
    const detail = [...waiting].map(([status, count]) => `${count} ${status}`).join(', ');
    return `${finished}/${state.size} finished${detail ? `; waiting: ${detail}` : ''}; ${seconds(Date.now() - started)} elapsed`;
  };
  if (quiet) return { update() {}, clear() {}, lines: () => [] };
  if (!stream.isTTY) {
    let lastLine = 0;
    return {
      update(update) {
        Object.assign(state.get(update.datasetId) ?? {}, { status: update.status, imports: update.imports, done: update.terminal });
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
  const draw = () => {
    const rows = [];
    for (const [id, entry] of state) {
      if (entry.done) continue;
      if (rows.length === MAX_ROWS) break;
      const ago = entry.readAt ? `read ${seconds(Date.now() - entry.readAt)} ago` : 'not read yet';
      rows.push(`  ${printable(id).slice(0, 40)}  ${describe(entry)}  (${entry.attempt} reads, ${ago})`);
    }
    const text = [summary(), ...rows].map((row) => `\x1b[K${row.slice(0, (stream.columns || 100) - 1)}`);
    stream.write(`${drawn > 0 ? `\x1b[${drawn}F` : '\r'}${text.join('\n')}\n\x1b[J`);
    drawn = text.length;
  };
  const timer = setInterval(draw, 1000);
  timer.unref?.();
  draw();
  return {
    update(update) {
      Object.assign(state.get(update.datasetId) ?? {}, {
        status: update.status, imports: update.imports, attempt: update.attempt, readAt: Date.now(), done: update.terminal,
      });
    },
    /** Erases the list (before a result line goes to stdout on the same terminal, and at the end). */
    clear() {
      if (drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
      drawn = 0;
    },
    redraw: draw,
    stop() {
      clearInterval(timer);
      this.clear();
    },
    lines: () => [summary()],
  };
}
