/**
 * `upload`: sends a file to a dataset (upload URL, then the PUT without the token), and with
 * --wait waits until it is processed.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  waitForDataset, getUploadUrl, uploadDatasetFile, waitForImport,
  MAX_UPLOAD_BYTES, ProlificApiError, TimeoutError, DatasetProcessingError,
} from '../node.js';
import {
  PROGRAM, PROLIFIC_API, EXIT, UsageError, parseFlags, FLAG, HELP_FLAGS, connection, checkBeforeSending,
  reportUsage, handleInterrupt,
} from './common.js';
import { printable, failureLine, advice, describeError, jsonLine } from './output.js';
import { describeFileError } from './create.js';

/** The library's default whole-wait limit, used when --wait has no --timeout. */
const DEFAULT_DEADLINE_MS = 15 * 60 * 1000;

/** At most this many record errors of a partial import are printed. */
export const MAX_RECORD_ERRORS = 10;

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
  return jsonLine({ ...Object.fromEntries(order.map((key) => [key, undefined])), ...outcome });
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
export async function runUpload(args) {
  let options;
  let data;
  try {
    options = parseUploadArgs(args);
    if (options.help) {
      process.stdout.write(UPLOAD_USAGE);
      return EXIT.ok;
    }
    await checkBeforeSending(connection(options, process.env));
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
  Object.assign(api, connection(options, process.env));
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

