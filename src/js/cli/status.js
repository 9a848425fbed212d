/**
 * The status command: reads the status of datasets once (getDatasetStatuses), or with --wait
 * watches them until each is finished (watchDatasets), printing each dataset's line the moment
 * it finishes. V4 datasets (no status of their own) are shown, and waited for, through their
 * import jobs.
 * @module
 */
import {
  getDatasetStatuses, watchDatasets, getDataset,
  ProlificApiError, TimeoutError,
} from '../node.js';
import {
  PROGRAM, EXIT, UsageError, parseFlags, FLAG, HELP_FLAGS, connection, checkBeforeSending, combineExitCodes,
  onInterrupt,
} from './common.js';
import {
  printable, errorLine, statusText, tableRow, resultJson, guardedOutput,
} from './output.js';
import { createProgress } from './progress.js';

/** Import job statuses that are a failure of the data (exit 3 with --wait). */
const IMPORT_FAILURES = Object.freeze(['failed', 'pending_schema']);

/**
 * Reads the command line of a status read.
 * @param {string[]} args
 * @returns {{ help: boolean, version: boolean, wait: boolean, json: boolean, quiet: boolean,
 *   intervalMs?: number, timeoutMs?: number, timeoutText?: string, baseUrl?: string, ids: string[] }}
 * @throws {UsageError}
 */
export function parseStatusArgs(args) {
  const { options, positionals } = parseFlags(args, {
    booleans: {
      '--wait': 'wait', '--json': 'json', '--quiet': 'quiet', '-q': 'quiet', ...HELP_FLAGS,
      '--version': 'version', '-V': 'version',
    },
    values: { '--interval': FLAG.interval, '--timeout': FLAG.timeout, '--base-url': FLAG.baseUrl },
  }, { help: false, version: false, wait: false, json: false, quiet: false });
  options.ids = positionals;
  return options;
}

/**
 * The ids to read: those given, or with `-` as the only id, those on standard input (one per
 * line or separated by white space). Duplicates are read once, in the order first given.
 * @param {string[]} ids
 * @param {NodeJS.ReadableStream} stdin
 * @returns {Promise<string[]>}
 * @throws {UsageError} for no id or an empty one
 */
export async function datasetIdsOf(ids, stdin) {
  let list = ids;
  if (ids.length === 1 && ids[0] === '-') {
    const chunks = [];
    for await (const chunk of stdin) chunks.push(chunk);
    list = Buffer.concat(chunks).toString('utf8').split(/\s+/).filter((id) => id !== '');
    if (list.length === 0) throw new UsageError('no dataset id on standard input');
  } else if (ids.includes('-')) {
    throw new UsageError('"-" (read ids from standard input) must be the only id');
  }
  if (list.length === 0) throw new UsageError('no dataset id given');
  if (list.some((id) => id === '')) throw new UsageError('a dataset id is empty');
  return [...new Set(list)];
}

/**
 * The exit code of one dataset's result.
 * @param {{ status?: string | null, imports?: object[], error?: Error }} result
 * @param {boolean} wait whether --wait was given (only then is ERROR a failure)
 * @returns {number}
 */
export function exitCodeOf(result, wait) {
  const { error } = result;
  if (error) {
    if (error instanceof TypeError) return EXIT.usage;
    if (error instanceof TimeoutError) return EXIT.timeout;
    return EXIT.failure;
  }
  if (!wait) return EXIT.ok;
  if (result.status === 'ERROR') return EXIT.datasetError;
  if (result.status === null && result.imports?.some((job) => IMPORT_FAILURES.includes(job.status))) return EXIT.datasetError;
  return EXIT.ok;
}

/** Lines of advice on stderr for a finished result (a failure, ERROR, a failed import job). */
function reportResult(result, wait, timeout) {
  const { datasetId, error } = result;
  if (error) {
    process.stderr.write(`${errorLine(datasetId, error, timeout)}\n`);
  } else if (wait && result.status === 'ERROR') {
    process.stderr.write(`${PROGRAM}: dataset "${printable(datasetId)}": processing failed (status ERROR). ` +
      'See the dataset in Prolific, fix its data and upload it again.\n');
  } else if (wait && result.status === null) {
    for (const job of result.imports ?? []) {
      if (!IMPORT_FAILURES.includes(job.status)) continue;
      const id = job.importId ?? job.id ?? '?';
      const reason = job.reason ? `: ${printable(job.reason)}` : '';
      process.stderr.write(`${PROGRAM}: dataset "${printable(datasetId)}", import "${printable(id)}": ${printable(job.status)}${reason}. ` +
        `See it in full with: ${PROGRAM} show ${printable(datasetId)}\n`);
    }
  }
}

/**
 * Reads every status once; a V4 dataset (status null) is read again as a dataset for its
 * import jobs.
 */
async function readAll(ids, settings) {
  const results = await getDatasetStatuses(ids, settings);
  // One dataset read at a time: V4 datasets are few beside the status reads.
  for (const [index, result] of results.entries()) {
    if (result.error || result.status !== null) continue;
    try {
      const dataset = await getDataset(result.datasetId, settings);
      results[index] = { ...result, imports: dataset.imports ?? [] };
    } catch (error) {
      results[index] = { datasetId: result.datasetId, error };
    }
  }
  return results;
}

/**
 * The status command.
 * @param {ReturnType<typeof parseStatusArgs>} options
 * @param {{ stdin: NodeJS.ReadableStream, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream,
 *   env: NodeJS.ProcessEnv }} io
 * @returns {Promise<number>} the exit code
 */
export async function runStatus(options, { stdin, stdout, stderr, env }) {
  const ids = await datasetIdsOf(options.ids, stdin);
  const settings = connection(options, env);
  if (options.timeoutMs !== undefined && !options.wait) settings.timeoutMs = options.timeoutMs;
  // Every usage error, bad ids included, before anything is sent.
  await checkBeforeSending(settings, ids);
  const timeout = options.timeoutMs === undefined ? undefined : { ms: options.timeoutMs, text: options.timeoutText };
  const out = guardedOutput(stdout);
  const width = ids.reduce((widest, id) => Math.max(widest, printable(id).length), 'DATASET'.length);
  let headerShown = false;
  const print = (result) => {
    if (options.json) {
      out.write(`${resultJson(result, timeout)}\n`);
      return;
    }
    if (!headerShown) {
      headerShown = true;
      out.write(tableRow('DATASET', 'STATUS', width));
    }
    out.write(tableRow(result.datasetId, statusText(result), width));
  };
  const controller = new AbortController();

  if (!options.wait) {
    let interrupted = 0;
    onInterrupt((code) => {
      interrupted = code;
      controller.abort();
      stderr.write(code === EXIT.interrupted ? 'Interrupted\n' : 'Terminated\n');
      process.exit(code);
    });
    const results = await readAll(ids, { ...settings, signal: controller.signal });
    if (interrupted) return interrupted;
    for (const result of results) reportResult(result, false, timeout);
    for (const result of results) print(result);
    return combineExitCodes(results.map((result) => exitCodeOf(result, false)));
  }

  const progress = createProgress(ids, stderr, { quiet: options.quiet });
  const printed = new Set();
  const codes = [];
  const finish = (result) => {
    printed.add(result.datasetId);
    codes.push(exitCodeOf(result, true));
    progress.clear();
    reportResult(result, true, timeout);
    print(result);
    progress.redraw?.();
  };
  let interrupted = 0;
  onInterrupt((code, signal) => {
    interrupted = code;
    controller.abort();
    progress.stop?.();
    const waiting = ids.filter((id) => !printed.has(id));
    stderr.write(`${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: ${printed.size} of ${ids.length} datasets finished` +
      `${waiting.length ? `; not finished: ${waiting.slice(0, 20).map((id) => printable(id)).join(', ')}${waiting.length > 20 ? ', …' : ''}` : ''}\n`);
    process.exitCode = code;
    // What is known is printed; stdout is flushed before the exit.
    stdout.write('', () => process.exit(code));
  });
  const watchSettings = { ...settings, signal: controller.signal, concurrency: 6 };
  watchSettings.deadlineMs = options.timeoutMs ?? 15 * 60 * 1000;
  if (options.intervalMs !== undefined) Object.assign(watchSettings, { intervalMs: options.intervalMs, maxIntervalMs: options.intervalMs });
  watchSettings.onUpdate = (update) => {
    progress.update(update);
    if (!update.terminal) return;
    finish(update.error ? { datasetId: update.datasetId, error: update.error }
      : { datasetId: update.datasetId, status: update.status, ...(update.imports ? { imports: update.imports } : {}) });
  };
  let results;
  try {
    results = await watchDatasets(ids, watchSettings);
  } catch (error) {
    progress.stop?.();
    if (interrupted) return interrupted;
    if (error instanceof ProlificApiError && error.httpStatus === 401) {
      // The token is refused for every dataset: one message, not one per dataset.
      stderr.write(`${PROGRAM}: the Prolific API refused the token (HTTP 401). Check PROLIFIC_TOKEN (or PROLIFIC_TOKEN_FILE).\n`);
      return EXIT.failure;
    }
    throw error;
  }
  progress.stop?.();
  // Datasets the deadline ended had no final update: their lines come now.
  for (const result of results) if (!printed.has(result.datasetId)) finish(result);
  return combineExitCodes(codes);
}

