#!/usr/bin/env node
/**
 * prolific-dataset-status: the command-line tool (DESIGN.md, "Tools shipped with it").
 * Reads, or waits for, the processing status of Prolific AI Task Builder datasets and prints one
 * line per dataset, in input order. Two subcommands, selected by a first argument that is exactly
 * `create` or `upload`, cover the rest of the lifecycle: creating a dataset, and uploading a file
 * to it (optionally waiting until it is processed). The token comes only from PROLIFIC_TOKEN and
 * is never printed.
 * Exit codes: 0 success, 1 API or network failure, 2 usage error, 3 a dataset ended in ERROR
 * (--wait; for an upload: ERROR, or an import job failed or pending_schema), 4 timed out,
 * 130 interrupted; when outcomes differ, the first of 2, 1, 4, 3, 0 wins.
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  getDatasetStatuses, waitForDataset, createDataset, getUploadUrl, uploadDatasetFile, waitForImport,
  MAX_UPLOAD_BYTES, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './node.js';

// `serve`: the dashboard server (src/server/cli.js) instead of a status read.
if (process.argv[2] === 'serve') {
  const { serveCommand } = await import('../server/cli.js');
  process.exit(await serveCommand(process.argv.slice(3)));
}

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
       ${PROGRAM} create --name <name> --workspace <workspaceId> [options]
       ${PROGRAM} upload <file> --dataset <datasetId> [--wait] [options]

Print the processing status (UNINITIALISED, PROCESSING, READY, ERROR) of Prolific
AI Task Builder datasets, one line per dataset, in the order given.

Commands:
  <datasetId...>    read (or with --wait, wait for) the status of datasets
  create            create a dataset and print its id   (${PROGRAM} create --help)
  upload            upload a file to a dataset           (${PROGRAM} upload --help)
  A first argument that is exactly "create" or "upload" selects the command; to read a
  dataset whose id is "create" or "upload", put -- first: ${PROGRAM} -- create

Options for reading statuses:
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
  id=$(${PROGRAM} create --name "Reviews" --workspace ws_123 --schema schema.json)
  ${PROGRAM} upload reviews.jsonl --dataset "$id" --wait
`;

/** At most this many record errors of a partial import are printed. */
const MAX_RECORD_ERRORS = 10;

const CREATE_USAGE = `Usage: ${PROGRAM} create --name <name> --workspace <workspaceId> [options]

Create a Prolific AI Task Builder dataset and print its id. With --schema the dataset
is a V4 dataset (its uploads become import jobs of .jsonl or .csv files); without,
a V3 dataset (it takes .csv or .zip files).

Options:
  --name <name>            the dataset's name (required)
  --workspace <id>         the workspace to create it in (required)
  --schema <file.json>     a file holding the dataset's schema, a JSON object (makes a V4 dataset)
  --json                   print the whole dataset as one JSON object instead of the id alone
  --base-url <url>         API origin or proxy (default: PROLIFIC_URL, else ${PROLIFIC_API})
  -h, --help               show this help

Environment:
  PROLIFIC_TOKEN    API token (required for ${PROLIFIC_API}; never printed)
  PROLIFIC_URL      default for --base-url

Exit codes:
  0    created
  1    API or network failure
  2    usage error: a missing flag, a schema file that cannot be read or is not a JSON object
  4    timed out
  130  interrupted

Examples:
  id=$(${PROGRAM} create --name "Reviews" --workspace ws_123)
  ${PROGRAM} create --name "Typed reviews" --workspace ws_123 --schema schema.json
  ${PROGRAM} create --json --name "Reviews" --workspace ws_123 | jq -r .id
`;

const UPLOAD_USAGE = `Usage: ${PROGRAM} upload <file> --dataset <datasetId> [options]

Upload a file to a dataset: ask Prolific for an upload URL for the file's name, send
the file there (without the token), and print what was uploaded (the dataset, the
import job for a V4 dataset, the file and its size). With --wait, wait until it is
processed: a V3 dataset until READY or ERROR, a V4 import job until complete, partial,
failed or pending_schema.

Options:
  --dataset <id>    the dataset to upload to (required)
  --wait            wait until the file is processed, then print the outcome
  --json            print one JSON object instead of lines of text
  --interval <s>    seconds between polls with --wait, fractions allowed (fixed when
                    given; by default 2, growing to 30)
  --timeout <s>     limit for the whole command, upload included (default: none beyond
                    30 s per request, 600 s for sending the file and, with --wait,
                    900 s for the processing)
  --base-url <url>  API origin or proxy (default: PROLIFIC_URL, else ${PROLIFIC_API})
  -h, --help        show this help
  --                end of options (for a file name starting with "-")

Files: .csv or .zip for a V3 dataset, .csv or .jsonl for a V4 dataset (the API decides);
at most ${MAX_UPLOAD_BYTES} bytes (${MAX_UPLOAD_BYTES / 1024 / 1024} MiB).

Environment:
  PROLIFIC_TOKEN    API token (required for ${PROLIFIC_API}; never printed)
  PROLIFIC_URL      default for --base-url

Exit codes:
  0    uploaded; with --wait: READY, or an import complete or partial (a partial import
       prints its counts and first ${MAX_RECORD_ERRORS} record errors on stderr)
  1    API or network failure (the API refusing the file type included)
  2    usage error: a missing or unreadable file, a file too large, no --dataset
  3    with --wait: ERROR, or an import failed or pending_schema (the reason on stderr)
  4    timed out
  130  interrupted

Examples:
  ${PROGRAM} upload reviews.csv --dataset 01HV3Q8ZB3Y4Y9J2K7W6T5R4E3
  ${PROGRAM} upload reviews.jsonl --dataset "$id" --wait --timeout 600
  ${PROGRAM} upload reviews.jsonl --dataset "$id" --wait --json | jq .status
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
 * Splits a command line into flags and other arguments. Flags take `--flag value` or
 * `--flag=value`; `--` ends flags; a repeated flag keeps its last value.
 * @param {string[]} args
 * @param {object} spec
 * @param {Record<string, string>} spec.booleans flag name → option name, for flags without a value
 * @param {Record<string, (value: string, options: object, name: string) => void>} spec.values flag
 *   name → what to do with its value (throws UsageError for a bad one)
 * @param {object} options the object the flags fill in (returned)
 * @returns {{ options: object, positionals: string[] }}
 * @throws {UsageError} for an unknown flag, a missing value, a value given to a boolean, or --token
 */
function parseFlags(args, { booleans, values }, options) {
  const positionals = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    if (name === '--token') {
      throw new UsageError('there is no --token flag: put the token in the PROLIFIC_TOKEN environment variable');
    }
    const boolean = Object.hasOwn(booleans, name) ? booleans[name] : undefined;
    if (boolean && name === arg) {
      options[boolean] = true;
      continue;
    }
    if (!Object.hasOwn(values, name)) {
      throw new UsageError(boolean ? `${name} takes no value` : `unknown option ${printable(name)}`);
    }
    let value;
    if (name !== arg) {
      value = arg.slice(equals + 1);
    } else {
      if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
      value = args[++i];
    }
    values[name](value, options, name);
  }
  return { options, positionals };
}

/** Flag handlers shared by the commands. */
const FLAG = Object.freeze({
  interval: (value, options, name) => { options.intervalMs = parseSeconds(name, value); },
  timeout: (value, options, name) => { options.timeoutMs = parseSeconds(name, value); },
  baseUrl: (value, options) => {
    if (value === '') throw new UsageError('--base-url needs a URL');
    options.baseUrl = value;
  },
  /** A flag whose value is a non-empty string, stored under `key`. */
  text: (key) => (value, options, name) => {
    if (value === '') throw new UsageError(`${name} needs a value, not an empty string`);
    options[key] = value;
  },
});

const HELP_FLAGS = Object.freeze({ '--help': 'help', '-h': 'help' });

/**
 * Reads the command line of a status read.
 * @param {string[]} args process.argv without node and the script
 * @returns {{ help: boolean, version: boolean, wait: boolean, json: boolean, intervalMs?: number,
 *   timeoutMs?: number, baseUrl?: string, ids: string[] }}
 * @throws {UsageError} for an unknown flag, a missing or bad value, or --token
 */
function parseArgs(args) {
  const { options, positionals } = parseFlags(args, {
    booleans: { '--wait': 'wait', '--json': 'json', ...HELP_FLAGS, '--version': 'version', '-V': 'version' },
    values: { '--interval': FLAG.interval, '--timeout': FLAG.timeout, '--base-url': FLAG.baseUrl },
  }, { help: false, version: false, wait: false, json: false });
  options.ids = positionals;
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
  checkToken(options, env);
}

/**
 * A token is needed for Prolific's own API (not for a proxy that adds it).
 * @param {{ baseUrl?: string }} options
 * @param {NodeJS.ProcessEnv} env
 * @throws {UsageError}
 */
function checkToken(options, env) {
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
  return failureLine(`dataset "${printable(datasetId)}"`, error, advice(error), / \(dataset ".*"\)$/);
}

/** The library's trailing "(upload URL of "f" for dataset "d")" and the like: the subject again. */
const TRAILING_SUBJECT = / \((?=[^)]*")(?:[^()"]|"[^"]*")*\)$/;

/**
 * A line for stderr: what it is about, what went wrong, what to do.
 * @param {string} subject already printable, e.g. `dataset "abc"`
 * @param {Error} error
 * @param {string} adviceText one sentence
 * @param {RegExp} [trailingSubject] the end of the message that repeats the subject, left out
 * @returns {string}
 */
function failureLine(subject, error, adviceText, trailingSubject = TRAILING_SUBJECT) {
  const message = String(error?.message ?? error).replace(trailingSubject, '').replace(/([^.!?])$/, '$1.');
  return `${PROGRAM}: ${subject}: ${printable(message)} ${adviceText}`;
}

/**
 * An error as a JSON value: `{ name, message, httpStatus? }`.
 * @param {Error} error
 * @returns {{ name: string, message: string, httpStatus?: number }}
 */
function describeError(error) {
  const described = { name: String(error?.name ?? 'Error'), message: String(error?.message ?? error) };
  if (typeof error?.httpStatus === 'number') described.httpStatus = error.httpStatus;
  return described;
}

/**
 * Formats the results as an aligned table: header `DATASET  STATUS`, one row per dataset.
 * @param {Array<{ datasetId: string, status?: string, error?: Error }>} results
 * @returns {string}
 */
function formatTable(results) {
  const rows = results.map((r) => [printable(r.datasetId), r.error ? `error: ${shortMessage(r.error)}` : printable(r.status)]);
  // A loop, not Math.max(...rows): spreading 100,000 arguments overflows the stack.
  const width = rows.reduce((widest, [id]) => Math.max(widest, id.length), 'DATASET'.length);
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
    return JSON.stringify({ datasetId, error: describeError(error) });
  }).join('\n') + '\n';
}

/**
 * Prints a usage error (one line plus the pointer to --help) and returns exit code 2.
 * @param {string[]} reasons one line each; duplicates are printed once
 * @param {string} [command] the subcommand whose --help to point at
 * @returns {number}
 */
function reportUsage(reasons, command) {
  for (const reason of new Set(reasons)) process.stderr.write(`${PROGRAM}: ${printable(reason)}\n`);
  process.stderr.write(`Run ${PROGRAM}${command ? ` ${command}` : ''} --help\n`);
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

// ---------------------------------------------------------------------------------------------
// create: a dataset, printed as its id (or, with --json, as the whole object).

/**
 * Reads the command line of `create`.
 * @param {string[]} args the arguments after "create"
 * @returns {{ help: boolean, json: boolean, name?: string, workspaceId?: string,
 *   schemaFile?: string, baseUrl?: string }}
 * @throws {UsageError}
 */
function parseCreateArgs(args) {
  const { options, positionals } = parseFlags(args, {
    booleans: { '--json': 'json', ...HELP_FLAGS },
    values: {
      '--name': FLAG.text('name'),
      '--workspace': FLAG.text('workspaceId'),
      '--schema': FLAG.text('schemaFile'),
      '--base-url': FLAG.baseUrl,
    },
  }, { help: false, json: false });
  if (options.help) return options;
  if (args.length === 0) {
    throw new UsageError(`create needs --name and --workspace (to read a dataset whose id is "create": ${PROGRAM} -- create)`);
  }
  if (positionals.length > 0) {
    throw new UsageError(`create takes no arguments, not "${printable(positionals[0])}" (give the name with --name)`);
  }
  if (options.name === undefined) throw new UsageError('create needs --name <name>');
  if (options.workspaceId === undefined) throw new UsageError('create needs --workspace <workspaceId>');
  return options;
}

/**
 * Why a file could not be read, in a few words.
 * @param {NodeJS.ErrnoException} error
 * @returns {string}
 */
function describeFileError(error) {
  switch (error?.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    default: return String(error?.code ?? error?.message ?? error);
  }
}

/**
 * Reads a schema file: it must hold a JSON object (a UTF-8 byte order mark is skipped).
 * @param {string} file
 * @returns {Promise<object>}
 * @throws {UsageError} when it cannot be read, is not JSON, or is not an object
 */
async function readSchema(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the schema file "${printable(file)}": ${describeFileError(error)}`);
  }
  let schema;
  try {
    schema = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`the schema file "${printable(file)}" is not valid JSON: ${String(error.message).slice(0, 200)}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    const kind = schema === null ? 'null' : Array.isArray(schema) ? 'an array' : `a ${typeof schema}`;
    throw new UsageError(`the schema file "${printable(file)}" must hold a JSON object, not ${kind}`);
  }
  return schema;
}

/**
 * What the user can do about a failed creation.
 * @param {Error} error
 * @returns {string}
 */
function createAdvice(error) {
  if (error instanceof ProlificApiError) {
    if (error.httpStatus === 400 || error.httpStatus === 422) return 'Check --name, --workspace and --schema.';
    if (error.httpStatus === 403 || error.httpStatus === 404) return 'Check --workspace (or your access to it) and PROLIFIC_TOKEN.';
  }
  return advice(error);
}

/**
 * `create`: creates a dataset and prints its id, or with --json the whole dataset on one line.
 * @param {string[]} args the arguments after "create"
 * @returns {Promise<number>} the exit code
 */
async function runCreate(args) {
  let options;
  let schema;
  try {
    options = parseCreateArgs(args);
    if (options.help) {
      process.stdout.write(CREATE_USAGE);
      return EXIT.ok;
    }
    if (options.schemaFile !== undefined) schema = await readSchema(options.schemaFile);
    checkToken(options, process.env);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage([error.message], 'create');
    throw error;
  }
  const controller = new AbortController();
  handleInterrupt(controller);
  const settings = { signal: controller.signal };
  if (options.baseUrl !== undefined) settings.baseUrl = options.baseUrl;
  const request = { name: options.name, workspaceId: options.workspaceId };
  if (schema !== undefined) request.schema = schema;
  let dataset;
  try {
    dataset = await createDataset(request, settings);
  } catch (error) {
    if (error instanceof TypeError) return reportUsage([error.message], 'create');
    process.stderr.write(`${failureLine(`creating dataset "${printable(options.name)}"`, error, createAdvice(error))}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify({ error: describeError(error) })}\n`);
    return exitCodeOf({ error }, false);
  }
  const ordered = { id: dataset.id, name: dataset.name, ...dataset };
  process.stdout.write(options.json ? `${JSON.stringify(ordered)}\n` : `${printable(dataset.id)}\n`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// upload: a file to a dataset, optionally waiting until it is processed.

/** Import job statuses: those that are a success, and those that are a failure of the data. */
const IMPORT_SUCCESS = Object.freeze(['complete', 'partial']);
const IMPORT_FAILURE = Object.freeze(['failed', 'pending_schema']);
/** What each stage of an upload does, for messages. */
const STAGE_TEXT = Object.freeze({
  'upload-url': 'requesting the upload URL',
  uploading: 'uploading the file',
  processing: 'waiting for the file to be processed',
});

/**
 * Reads the command line of `upload`.
 * @param {string[]} args the arguments after "upload"
 * @returns {{ help: boolean, wait: boolean, json: boolean, file?: string, datasetId?: string,
 *   intervalMs?: number, timeoutMs?: number, baseUrl?: string }}
 * @throws {UsageError}
 */
function parseUploadArgs(args) {
  const { options, positionals } = parseFlags(args, {
    booleans: { '--wait': 'wait', '--json': 'json', ...HELP_FLAGS },
    values: {
      '--dataset': FLAG.text('datasetId'),
      '--interval': FLAG.interval,
      '--timeout': FLAG.timeout,
      '--base-url': FLAG.baseUrl,
    },
  }, { help: false, wait: false, json: false });
  if (options.help) return options;
  if (args.length === 0) {
    throw new UsageError(`upload needs a file and --dataset (to read a dataset whose id is "upload": ${PROGRAM} -- upload)`);
  }
  if (positionals.length === 0) throw new UsageError('upload needs a file');
  if (positionals.length > 1) {
    throw new UsageError(`upload takes one file, not ${positionals.length} ("${printable(positionals[1])}" is one too many)`);
  }
  [options.file] = positionals;
  if (options.file === '') throw new UsageError('the file name is empty');
  if (options.datasetId === undefined) throw new UsageError('upload needs --dataset <datasetId>');
  return options;
}

/**
 * Reads the file to upload, refusing one larger than MAX_UPLOAD_BYTES before reading it.
 * @param {string} file
 * @returns {Promise<Uint8Array>}
 * @throws {UsageError}
 */
async function readUploadFile(file) {
  const tooLarge = (size) => new UsageError(`"${printable(file)}" is ${size} bytes; ` +
    `the largest upload is ${MAX_UPLOAD_BYTES} bytes (${MAX_UPLOAD_BYTES / 1024 / 1024} MiB)`);
  let data;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    // Only regular files: a device, FIFO or socket has no size to check first and may never end
    // (/dev/zero would be read until memory runs out; a FIFO with no writer blocks for ever).
    if (!info.isFile()) throw new UsageError(`"${printable(file)}" is not a regular file`);
    if (info.size > MAX_UPLOAD_BYTES) throw tooLarge(info.size);
    data = await readFile(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read "${printable(file)}": ${describeFileError(error)}`);
  }
  if (data.length > MAX_UPLOAD_BYTES) throw tooLarge(data.length);
  return data;
}

/**
 * The stage of an upload on stderr ("uploading 1234 bytes"), on one line redrawn in place, only
 * when stderr is a TTY.
 * @param {NodeJS.WriteStream} stream
 * @returns {{ show: (text: string) => void, processing: () => void, status: (status: string) => void,
 *   clear: () => void }}
 */
function createStageDisplay(stream) {
  if (!stream.isTTY) return { show() {}, processing() {}, status() {}, clear() {} };
  let timer = null;
  let started = 0;
  let lastStatus = '';
  const draw = (text) => stream.write(`\r\x1b[K${text}`);
  const drawProcessing = () => draw(`processing${lastStatus ? ` (${lastStatus})` : ''}, ` +
    `${Math.floor((Date.now() - started) / 1000)} s elapsed`);
  return {
    show: draw,
    processing() {
      started = Date.now();
      timer = setInterval(drawProcessing, 1000);
      drawProcessing();
    },
    status(status) {
      lastStatus = printable(status).slice(0, 40);
      if (timer) drawProcessing();
    },
    clear() {
      clearInterval(timer);
      timer = null;
      stream.write('\r\x1b[K');
    },
  };
}

/**
 * Waits until the upload is processed: a V4 import job until it is terminal, a V3 dataset until
 * READY or ERROR.
 * @param {{ datasetId: string, importId?: string }} outcome
 * @param {object} settings signal, baseUrl?, deadlineMs, intervalMs?, maxIntervalMs?, onStatus
 * @returns {Promise<object>} fields to add to the outcome: status and, for an import job,
 *   acceptedCount, rejectedCount, errors, reason when given
 */
async function waitForProcessing({ datasetId, importId }, settings) {
  if (importId !== undefined) {
    const { datasetId: _datasetId, importId: _importId, ...job } = await waitForImport(datasetId, importId, settings);
    return job;
  }
  try {
    const { status } = await waitForDataset(datasetId, settings);
    return { status };
  } catch (error) {
    if (error instanceof DatasetProcessingError) return { status: 'ERROR' };
    throw error;
  }
}

/**
 * What the user can do about a failed upload.
 * @param {Error} error
 * @param {string} stage where it failed: 'upload-url', 'uploading' or 'processing'
 * @param {{ datasetId: string, importId?: string }} outcome
 * @returns {string}
 */
function uploadAdvice(error, stage, outcome) {
  const status = error instanceof ProlificApiError ? error.httpStatus : undefined;
  if (stage === 'upload-url' && (status === 400 || status === 422)) {
    return 'Check the file type: a V3 dataset takes .csv or .zip files, a V4 dataset (created with a schema) .csv or .jsonl.';
  }
  if (stage === 'upload-url' && (status === 403 || status === 404)) return 'Check --dataset (or your access to it).';
  if (stage === 'uploading' && status === 413) return 'The storage host refused the size of the file.';
  if (stage === 'uploading' && status !== undefined && status < 500 && status !== 408 && status !== 429) {
    return 'The storage host refused the upload; run the upload again.';
  }
  if (stage === 'uploading' && error instanceof TypeError) return 'The API gave an upload URL that cannot be used safely.';
  if (stage === 'processing' && error instanceof TimeoutError) {
    return outcome.importId === undefined
      ? `The file was uploaded; keep waiting with: ${PROGRAM} --wait ${printable(outcome.datasetId)}`
      : 'The file was uploaded: follow its import in Prolific (uploading it again would import it twice).';
  }
  return advice(error);
}

/**
 * Formats an upload's outcome as aligned "key value" lines.
 * @param {object} outcome
 * @returns {string}
 */
function formatUpload(outcome) {
  const rows = [
    ['dataset', outcome.datasetId],
    ['import', outcome.importId],
    ['file', outcome.filename],
    ['bytes', outcome.bytes],
    ['status', outcome.status],
    ['accepted', outcome.acceptedCount],
    ['rejected', outcome.rejectedCount],
  ].filter(([, value]) => value !== undefined);
  const width = rows.reduce((widest, [key]) => Math.max(widest, key.length), 0);
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${printable(value)}`).join('\n') + '\n';
}

/**
 * An upload's outcome as one line of JSON, its fields in a readable order: datasetId, importId,
 * filename, bytes, status, acceptedCount, rejectedCount, errors, reason, then any other.
 * @param {object} outcome
 * @returns {string}
 */
function uploadJson(outcome) {
  const order = ['datasetId', 'importId', 'filename', 'bytes', 'status', 'acceptedCount', 'rejectedCount', 'errors', 'reason'];
  return JSON.stringify({ ...Object.fromEntries(order.map((key) => [key, undefined])), ...outcome });
}

/**
 * The stderr lines and exit code of a processed upload.
 * @param {object} outcome with status
 * @returns {{ lines: string[], code: number }}
 */
function judgeProcessed(outcome) {
  const subject = outcome.importId === undefined
    ? `dataset "${printable(outcome.datasetId)}"`
    : `dataset "${printable(outcome.datasetId)}", import "${printable(outcome.importId)}"`;
  const { status } = outcome;
  const reason = outcome.reason === undefined ? '' : printable(outcome.reason).replace(/([^.!?])$/, '$1.');
  if (status === 'READY' || status === 'complete') return { lines: [], code: EXIT.ok };
  if (status === 'partial') {
    const errors = Array.isArray(outcome.errors) ? outcome.errors : [];
    const rejected = outcome.rejectedCount ?? errors.length;
    const accepted = outcome.acceptedCount ?? '?';
    const lines = [`${PROGRAM}: ${subject}: partly imported: ${accepted} record${accepted === 1 ? '' : 's'} accepted, ` +
      `${rejected} rejected.${errors.length ? ` Record errors${errors.length > MAX_RECORD_ERRORS ? ` (first ${MAX_RECORD_ERRORS})` : ''}:` : ''}`];
    const shown = errors.slice(0, MAX_RECORD_ERRORS);
    for (const line of shown) lines.push(`  ${printable(line)}`);
    if (rejected > shown.length && shown.length > 0) lines.push(`  (${rejected - shown.length} more)`);
    return { lines, code: EXIT.ok };
  }
  if (status === 'ERROR') {
    return {
      lines: [`${PROGRAM}: ${subject}: processing failed (status ERROR). ` +
        'See the dataset in Prolific, fix its data and upload it again.'],
      code: EXIT.datasetError,
    };
  }
  if (status === 'failed') {
    return {
      lines: [`${PROGRAM}: ${subject}: the import failed: ${reason || 'no reason given.'} Fix the file and upload it again.`],
      code: EXIT.datasetError,
    };
  }
  if (status === 'pending_schema') {
    return {
      lines: [`${PROGRAM}: ${subject}: the import is waiting for a schema (pending_schema)${reason ? `: ${reason}` : '.'} ` +
        "Define the dataset's schema in Prolific, or create the dataset again with a complete --schema."],
      code: EXIT.datasetError,
    };
  }
  return {
    lines: [`${PROGRAM}: ${subject}: processing ended with an unknown status "${printable(status)}".`],
    code: EXIT.failure,
  };
}

/**
 * `upload`: asks for an upload URL for the file's base name, sends the file, and prints what was
 * uploaded; with --wait, waits until it is processed and prints the outcome.
 * @param {string[]} args the arguments after "upload"
 * @returns {Promise<number>} the exit code
 */
async function runUpload(args) {
  let options;
  let data;
  try {
    options = parseUploadArgs(args);
    if (options.help) {
      process.stdout.write(UPLOAD_USAGE);
      return EXIT.ok;
    }
    checkToken(options, process.env);
    data = await readUploadFile(options.file);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage([error.message], 'upload');
    throw error;
  }
  const controller = new AbortController();
  handleInterrupt(controller);
  const started = Date.now();
  const remainingMs = () => Math.max(1, options.timeoutMs - (Date.now() - started));
  const outcome = { datasetId: options.datasetId, filename: basename(options.file) };
  const display = createStageDisplay(process.stderr);
  let stage = 'upload-url';
  let lastStatus;
  const timer = options.timeoutMs === undefined ? null : setTimeout(() => {
    const seconds = options.timeoutMs / 1000;
    const last = lastStatus === undefined ? '' : ` (last status ${printable(lastStatus)})`;
    controller.abort(new TimeoutError(`not done after ${seconds} s (--timeout)${last}`,
      { timeoutMs: options.timeoutMs }));
  }, options.timeoutMs);
  const api = { signal: controller.signal };
  if (options.baseUrl !== undefined) api.baseUrl = options.baseUrl;
  let failure = null;
  try {
    display.show(`requesting upload URL for ${printable(outcome.filename)}`);
    const target = await getUploadUrl(options.datasetId, outcome.filename, api);
    if (target.importId !== undefined) outcome.importId = target.importId;
    stage = 'uploading';
    display.show(`uploading ${data.length} bytes`);
    const uploadSettings = { signal: controller.signal };
    if (options.timeoutMs !== undefined) uploadSettings.timeoutMs = remainingMs();
    outcome.bytes = (await uploadDatasetFile(target, data, uploadSettings)).bytes;
    if (options.wait) {
      stage = 'processing';
      display.processing();
      const settings = {
        ...api,
        // With --timeout, the timer above ends the wait (one message for every stage).
        deadlineMs: options.timeoutMs === undefined ? DEFAULT_DEADLINE_MS : remainingMs() + 1000,
        onStatus: (read) => {
          lastStatus = read.status;
          display.status(read.status);
        },
      };
      if (options.intervalMs !== undefined) Object.assign(settings, { intervalMs: options.intervalMs, maxIntervalMs: options.intervalMs });
      Object.assign(outcome, await waitForProcessing(outcome, settings));
    }
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(timer);
    display.clear();
  }

  if (failure) {
    // A TypeError before anything was sent is a usage error; one about the API's answer is not.
    if (failure instanceof TypeError && stage === 'upload-url') return reportUsage([failure.message], 'upload');
    if (failure instanceof TimeoutError && lastStatus !== undefined && !/last status/.test(failure.message)) {
      failure.message += ` (last status ${lastStatus})`;
    }
    const subject = outcome.importId === undefined
      ? `dataset "${printable(outcome.datasetId)}"`
      : `dataset "${printable(outcome.datasetId)}", import "${printable(outcome.importId)}"`;
    process.stderr.write(`${failureLine(`${subject}: ${STAGE_TEXT[stage]}`, failure, uploadAdvice(failure, stage, outcome))}\n`);
    if (options.json) {
      process.stdout.write(`${uploadJson({ ...outcome, error: describeError(failure) })}\n`);
    } else if (outcome.bytes !== undefined) {
      process.stdout.write(formatUpload(outcome)); // uploaded: the ids are worth knowing
    }
    return failure instanceof TimeoutError ? EXIT.timeout : EXIT.failure;
  }
  const { lines, code } = options.wait ? judgeProcessed(outcome) : { lines: [], code: EXIT.ok };
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.stdout.write(options.json ? `${uploadJson(outcome)}\n` : formatUpload(outcome));
  return code;
}

/**
 * Runs the command: `create`, `upload`, or (any other first argument) a status read.
 * @param {string[]} args command-line arguments
 * @returns {Promise<number>} the exit code
 */
async function main(args) {
  if (args[0] === 'create') return runCreate(args.slice(1));
  if (args[0] === 'upload') return runUpload(args.slice(1));
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
