#!/usr/bin/env node
/**
 * prolific-dataset-status: the command-line tool (DESIGN.md, "Tools shipped with it").
 * Reads, or waits for, the processing status of Prolific AI Task Builder datasets and prints one
 * line per dataset, in input order. The token comes only from PROLIFIC_TOKEN and is never printed.
 * Exit codes: 0 success, 1 API or network failure, 2 usage error, 3 a dataset ended in ERROR
 * (--wait), 4 timed out, 130 interrupted; when outcomes differ, the first of 2, 1, 4, 3, 0 wins.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  getDatasetStatuses, waitForDataset, ProlificApiError, NetworkError, TimeoutError,
  InvalidResponseError, DatasetProcessingError,
} from './node.js';

const PROGRAM = 'prolific-dataset-status';
const PROLIFIC_API = 'https://api.prolific.com';
/** At most this many HTTP requests in flight (the library's default for many reads). */
const CONCURRENCY = 6;
/** The library's default whole-wait limit, used when --wait has no --timeout. */
const DEFAULT_DEADLINE_MS = 15 * 60 * 1000;
/** Largest delay a Node timer accepts, in ms. */
const LARGEST_MS = 2147483647;

const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, datasetError: 3, timeout: 4, interrupted: 130 });
/** Which outcome wins when datasets end differently: the first in this list that applies. */
const EXIT_PRECEDENCE = [EXIT.usage, EXIT.failure, EXIT.timeout, EXIT.datasetError, EXIT.ok];

const USAGE = `Usage: ${PROGRAM} [options] <datasetId...>

Print the processing status (UNINITIALISED, PROCESSING, READY, ERROR) of Prolific
AI Task Builder datasets, one line per dataset, in the order given.

Options:
  --wait            poll until every dataset is READY or ERROR, then print the results
  --json            print one JSON object per line instead of a table
  --interval <s>    seconds between polls with --wait, fractions allowed (fixed when
                    given; by default 2, growing to 30)
  --timeout <s>     with --wait: limit for the whole wait (default 900);
                    otherwise: limit for each request (default 30)
  --base-url <url>  API origin or proxy (default: PROLIFIC_URL, else ${PROLIFIC_API})
  -h, --help        show this help
  -V, --version     show the version
  --                end of options (for ids starting with "-")

Environment:
  PROLIFIC_TOKEN    API token (required for ${PROLIFIC_API}; never printed)
  PROLIFIC_URL      default for --base-url

Exit codes:
  0 success   1 API or network failure   2 usage error
  3 a dataset ended in ERROR (--wait)    4 timed out    130 interrupted
  When datasets end differently, the first of 2, 1, 4, 3, 0 that applies wins.

Examples:
  ${PROGRAM} 01HV3Q8ZB3Y4Y9J2K7W6T5R4E3
  ${PROGRAM} --json ds_a ds_b
  ${PROGRAM} --wait --interval 5 --timeout 600 ds_a ds_b
  PROLIFIC_URL=http://127.0.0.1:8081 ${PROGRAM} demo-ready
`;

/** A mistake in the command line: reported in one line, exit code 2. */
class UsageError extends Error {}

/**
 * Parses a number of seconds (a plain decimal, fractions allowed, above 0) into whole ms.
 * @param {string} flag the flag name, for the message
 * @param {string} text the value as typed
 * @returns {number} milliseconds, at least 1
 * @throws {UsageError} for anything that is not a positive decimal number of seconds
 */
function parseSeconds(flag, text) {
  const seconds = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0)) throw new UsageError(`${flag} needs a number of seconds above 0, not "${printable(text)}"`);
  const ms = Math.ceil(seconds * 1000);
  if (ms > LARGEST_MS) throw new UsageError(`${flag} is too large (at most ${Math.floor(LARGEST_MS / 1000)} s)`);
  return ms;
}

/**
 * Reads the command line. Flags take `--flag value` or `--flag=value`; `--` ends flags.
 * @param {string[]} args process.argv without node and the script
 * @returns {{ help: boolean, version: boolean, wait: boolean, json: boolean, intervalMs?: number,
 *   timeoutMs?: number, baseUrl?: string, ids: string[] }}
 * @throws {UsageError} for an unknown flag, a missing or bad value, or --token
 */
function parseArgs(args) {
  const options = { help: false, version: false, wait: false, json: false, ids: [] };
  const booleans = { '--wait': 'wait', '--json': 'json', '--help': 'help', '-h': 'help', '--version': 'version', '-V': 'version' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      options.ids.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      options.ids.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    if (name === '--token') {
      throw new UsageError('there is no --token flag: put the token in the PROLIFIC_TOKEN environment variable');
    }
    if (booleans[name] && name === arg) {
      options[booleans[name]] = true;
      continue;
    }
    if (!['--interval', '--timeout', '--base-url'].includes(name)) {
      throw new UsageError(booleans[name] ? `${name} takes no value` : `unknown option ${printable(name)}`);
    }
    let value;
    if (name !== arg) {
      value = arg.slice(equals + 1);
    } else {
      if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
      value = args[++i];
    }
    if (name === '--interval') options.intervalMs = parseSeconds(name, value);
    else if (name === '--timeout') options.timeoutMs = parseSeconds(name, value);
    else if (value === '') throw new UsageError('--base-url needs a URL');
    else options.baseUrl = value;
  }
  return options;
}

/**
 * Makes text safe for a terminal: control characters (escape sequences included) become "?".
 * @param {unknown} text
 * @returns {string}
 */
function printable(text) {
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * Checks what can be checked before anything is sent: dataset ids, and a token for Prolific's own API.
 * @param {ReturnType<typeof parseArgs>} options
 * @param {NodeJS.ProcessEnv} env
 * @throws {UsageError}
 */
function checkRequest(options, env) {
  if (options.ids.length === 0) throw new UsageError('no dataset id given');
  if (options.ids.some((id) => id === '')) throw new UsageError('a dataset id is empty');
  const baseUrl = options.baseUrl ?? (env.PROLIFIC_URL || PROLIFIC_API);
  if (!env.PROLIFIC_TOKEN && isProlificApi(baseUrl)) {
    throw new UsageError(`no API token: set PROLIFIC_TOKEN (${PROLIFIC_API} needs one)`);
  }
}

/**
 * Whether a base URL is Prolific's own API (https, host api.prolific.com, default port).
 * @param {string} baseUrl
 * @returns {boolean}
 */
function isProlificApi(baseUrl) {
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'https:' && url.hostname === 'api.prolific.com' && url.port === '';
  } catch {
    return false; // not a URL: the library rejects it with its own TypeError
  }
}

/**
 * A concurrency limiter shared by every task: at most `limit` run at once, the rest queue in order.
 * @param {number} limit
 * @returns {<T>(task: () => Promise<T>) => Promise<T>}
 */
function createLimiter(limit) {
  let running = 0;
  const queue = [];
  const next = () => {
    if (running >= limit || queue.length === 0) return;
    running++;
    const { task, resolve, reject } = queue.shift();
    Promise.resolve().then(task).then(resolve, reject).finally(() => {
      running--;
      next();
    });
  };
  return (task) => new Promise((resolve, reject) => {
    queue.push({ task, resolve, reject });
    next();
  });
}

/**
 * A one-line progress display on stderr ("2/5 done, 12 s elapsed"), only when stderr is a TTY.
 * @param {number} total number of datasets
 * @param {NodeJS.WriteStream} stream
 * @returns {{ done: () => void, clear: () => void }} `done` counts one finished dataset;
 *   `clear` stops it and erases the line
 */
function createProgress(total, stream) {
  if (!stream.isTTY) return { done() {}, clear() {} };
  const started = Date.now();
  let finished = 0;
  const draw = () => stream.write(`\r\x1b[K${finished}/${total} done, ${Math.floor((Date.now() - started) / 1000)} s elapsed`);
  const timer = setInterval(draw, 1000);
  draw();
  return {
    done() { finished++; draw(); },
    clear() { clearInterval(timer); stream.write('\r\x1b[K'); },
  };
}

/**
 * Reads every status once (getDatasetStatuses, at most CONCURRENCY in flight).
 * @param {ReturnType<typeof parseArgs>} options
 * @param {AbortSignal} signal
 * @returns {Promise<Array<{ datasetId: string, status?: string, error?: Error }>>} in input order
 */
function readAll(options, signal) {
  const settings = { signal, concurrency: CONCURRENCY };
  if (options.baseUrl !== undefined) settings.baseUrl = options.baseUrl;
  if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs;
  return getDatasetStatuses(options.ids, settings);
}

/**
 * Waits for every dataset at once (waitForDataset per id) through one shared limiter, so at most
 * CONCURRENCY waits, hence requests, are in flight. --timeout bounds the whole run: a wait that
 * starts late gets what is left. A TypeError (bad base URL or token) stops everything at once.
 * @param {ReturnType<typeof parseArgs>} options
 * @param {AbortController} controller aborted on a TypeError (and by Ctrl-C)
 * @returns {Promise<Array<{ datasetId: string, status?: string, error?: Error }>>} in input order;
 *   a dataset that ended in ERROR is `{ datasetId, status: 'ERROR' }`
 */
async function waitAll(options, controller) {
  const started = Date.now();
  const deadlineMs = options.timeoutMs ?? DEFAULT_DEADLINE_MS;
  const limit = createLimiter(CONCURRENCY);
  const progress = createProgress(options.ids.length, process.stderr);
  let usageError = null;
  const waitOne = (datasetId) => limit(async () => {
    let lastStatus;
    try {
      controller.signal.throwIfAborted();
      const remainingMs = deadlineMs - (Date.now() - started);
      if (remainingMs <= 0) {
        throw new TimeoutError(`Dataset "${datasetId}" was not READY or ERROR within ${deadlineMs} ms`, { timeoutMs: deadlineMs });
      }
      const settings = {
        signal: controller.signal,
        deadlineMs: remainingMs,
        onStatus: (result) => { lastStatus = result.status; },
      };
      if (options.baseUrl !== undefined) settings.baseUrl = options.baseUrl;
      if (options.intervalMs !== undefined) Object.assign(settings, { intervalMs: options.intervalMs, maxIntervalMs: options.intervalMs });
      return await waitForDataset(datasetId, settings);
    } catch (error) {
      if (error instanceof DatasetProcessingError) return { datasetId, status: 'ERROR' };
      if (error instanceof TypeError && !usageError) {
        usageError = error;
        controller.abort(error);
      }
      if (error instanceof TimeoutError && lastStatus) error.lastStatus = lastStatus;
      return { datasetId, error };
    }
  }).finally(() => progress.done());
  try {
    // After a TypeError the other waits end with the abort; only the usage error gets reported.
    return await Promise.all(options.ids.map(waitOne));
  } finally {
    progress.clear();
  }
}

/**
 * The exit code of one dataset's result.
 * @param {{ status?: string, error?: Error }} result
 * @param {boolean} wait whether --wait was given (only then is ERROR a failure)
 * @returns {number}
 */
function exitCodeOf(result, wait) {
  const { error } = result;
  if (!error) return wait && result.status === 'ERROR' ? EXIT.datasetError : EXIT.ok;
  if (error instanceof TypeError) return EXIT.usage;
  if (error instanceof TimeoutError) return EXIT.timeout;
  return EXIT.failure;
}

/**
 * The exit code of the whole run: the first of 2, 1, 4, 3, 0 that any dataset has.
 * @param {number[]} codes one per dataset
 * @returns {number}
 */
function combineExitCodes(codes) {
  return EXIT_PRECEDENCE.find((code) => codes.includes(code)) ?? EXIT.ok;
}

/**
 * A short text for the status column of a failed read.
 * @param {Error} error
 * @returns {string}
 */
function shortMessage(error) {
  if (error instanceof ProlificApiError) return `HTTP ${error.httpStatus} ${printable(error.title ?? '').slice(0, 60)}`.trim();
  if (error instanceof TimeoutError) return error.lastStatus ? `timed out (last status ${printable(error.lastStatus)})` : 'timed out';
  if (error instanceof NetworkError) return 'network error';
  if (error instanceof InvalidResponseError) return `invalid response (HTTP ${error.httpStatus})`;
  if (error instanceof TypeError) return 'invalid argument';
  return 'failed';
}

/**
 * What the user can do about a failed read.
 * @param {Error} error
 * @returns {string} one sentence
 */
function advice(error) {
  if (error instanceof ProlificApiError) {
    const status = error.httpStatus;
    if (status === 401) return 'Check PROLIFIC_TOKEN.';
    if (status === 403) return 'Check PROLIFIC_TOKEN and your access to the dataset.';
    if (status === 404) return 'Check the dataset id (or your access to it).';
    if (status === 408 || status === 429 || status >= 500) return 'Retry later.';
    return 'Check the dataset id and --base-url.';
  }
  if (error instanceof TimeoutError) return 'Retry later, or allow more time with --timeout.';
  if (error instanceof NetworkError) return 'Check your connection and --base-url, or retry later.';
  if (error instanceof InvalidResponseError) return 'Check that --base-url (or PROLIFIC_URL) points at the Prolific API, or retry later.';
  return 'Retry later.';
}

/**
 * The error line for stderr: names the dataset, says what went wrong and what to do.
 * @param {string} datasetId
 * @param {Error} error
 * @returns {string}
 */
function errorLine(datasetId, error) {
  const message = String(error.message ?? error).replace(/ \(dataset ".*"\)$/, '').replace(/([^.!?])$/, '$1.');
  return `${PROGRAM}: dataset "${printable(datasetId)}": ${printable(message)} ${advice(error)}`;
}

/**
 * Formats the results as an aligned table: header `DATASET  STATUS`, one row per dataset.
 * @param {Array<{ datasetId: string, status?: string, error?: Error }>} results
 * @returns {string}
 */
function formatTable(results) {
  const rows = results.map((r) => [printable(r.datasetId), r.error ? `error: ${shortMessage(r.error)}` : printable(r.status)]);
  const width = Math.max('DATASET'.length, ...rows.map(([id]) => id.length));
  return [['DATASET', 'STATUS'], ...rows].map(([id, status]) => `${id.padEnd(width)}  ${status}`).join('\n') + '\n';
}

/**
 * Formats the results as JSON lines: `{"datasetId","status"}` or
 * `{"datasetId","error":{"name","message","httpStatus"?}}`.
 * @param {Array<{ datasetId: string, status?: string, error?: Error }>} results
 * @returns {string}
 */
function formatJsonLines(results) {
  return results.map(({ datasetId, status, error }) => {
    if (!error) return JSON.stringify({ datasetId, status });
    const described = { name: error.name, message: String(error.message) };
    if (typeof error.httpStatus === 'number') described.httpStatus = error.httpStatus;
    return JSON.stringify({ datasetId, error: described });
  }).join('\n') + '\n';
}

/**
 * Prints a usage error (one line plus the pointer to --help) and returns exit code 2.
 * @param {string[]} reasons one line each; duplicates are printed once
 * @returns {number}
 */
function reportUsage(reasons) {
  for (const reason of new Set(reasons)) process.stderr.write(`${PROGRAM}: ${printable(reason)}\n`);
  process.stderr.write(`Run ${PROGRAM} --help\n`);
  return EXIT.usage;
}

/**
 * Reads package.json's version, relative to this file.
 * @returns {string}
 */
function packageVersion() {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/**
 * Ctrl-C: aborts everything in flight, says "Interrupted", exits 130. Installed by the CLI only.
 * @param {AbortController} controller
 */
function handleInterrupt(controller) {
  process.once('SIGINT', () => {
    controller.abort();
    process.stderr.write(process.stderr.isTTY ? '\r\x1b[KInterrupted\n' : 'Interrupted\n');
    process.exit(EXIT.interrupted);
  });
}

/**
 * Runs the command.
 * @param {string[]} args command-line arguments
 * @returns {Promise<number>} the exit code
 */
async function main(args) {
  let options;
  try {
    options = parseArgs(args);
    if (options.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    if (options.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    checkRequest(options, process.env);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage([error.message]);
    throw error;
  }
  const controller = new AbortController();
  handleInterrupt(controller);
  const results = options.wait ? await waitAll(options, controller) : await readAll(options, controller.signal);
  const usageErrors = results.filter((r) => r.error instanceof TypeError);
  if (usageErrors.length > 0) return reportUsage(usageErrors.map((r) => r.error.message));
  for (const { datasetId, status, error } of results) {
    if (error) {
      process.stderr.write(`${errorLine(datasetId, error)}\n`);
    } else if (options.wait && status === 'ERROR') {
      process.stderr.write(`${PROGRAM}: dataset "${printable(datasetId)}": processing failed (status ERROR). ` +
        'See the dataset in Prolific, fix its data and upload it again.\n');
    }
  }
  process.stdout.write(options.json ? formatJsonLines(results) : formatTable(results));
  return combineExitCodes(results.map((r) => exitCodeOf(r, options.wait)));
}

process.stdout.on('error', (error) => {
  // A closed pipe (`| head`) is not worth a stack trace.
  process.exit(error.code === 'EPIPE' ? EXIT.ok : EXIT.failure);
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`${PROGRAM}: unexpected failure: ${printable(error?.message ?? error)}\n`);
    process.exitCode = EXIT.failure;
  },
);
