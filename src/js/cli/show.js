/**
 * `show <datasetId>`: one dataset in full (getDataset): name, version, status, and for a V4
 * dataset its import jobs with their counts and record errors.
 * @module
 */
import { getDataset, TimeoutError } from '../node.js';
import {
  EXIT, UsageError, parseFlags, FLAG, HELP_FLAGS, connection, checkBeforeSending, handleInterrupt,
} from './common.js';
import { printable, errorLine, describeError, jsonLine, guardedOutput } from './output.js';

/** Record errors printed per import job at most (all of them with --json). */
const MAX_RECORD_ERRORS = 20;

export const SHOW_USAGE = `Usage: prolific-dataset-status show <datasetId> [--json] [--base-url <url>]

Print one dataset in full: its name, version (3, or 4 for a dataset with a schema),
status, and for a V4 dataset each import job with its status, counts and record errors.

Options:
  --json            print the dataset as one JSON object
  --timeout <s>     limit for the request (default 30)
  --base-url <url>  API origin or proxy (default: PROLIFIC_URL, else https://api.prolific.com)
  -h, --help        show this help

Exit codes: 0 shown, 1 API or network failure, 2 usage error, 4 timed out.
`;

/**
 * Parses the arguments after "show".
 * @param {string[]} args
 * @returns {{ help: boolean, json: boolean, datasetId?: string, baseUrl?: string, timeoutMs?: number }}
 * @throws {UsageError}
 */
export function parseShowArgs(args) {
  const { options, positionals } = parseFlags(args, {
    booleans: { '--json': 'json', ...HELP_FLAGS },
    values: { '--base-url': FLAG.baseUrl, '--timeout': FLAG.timeout },
  }, { help: false, json: false });
  if (options.help) return options;
  if (positionals.length !== 1) throw new UsageError(`show takes one dataset id, not ${positionals.length}`);
  [options.datasetId] = positionals;
  return options;
}

/**
 * The dataset as lines of text.
 * @param {object} dataset what getDataset resolved with
 * @returns {string}
 */
export function formatDataset(dataset) {
  const version = dataset.schemaVersion ?? (dataset.imports ? 4 : 3);
  const rows = [
    ['Dataset', dataset.id], ['Name', dataset.name], ['Version', `V${version}`],
    ['Status', dataset.status ?? 'none (V4: see the import jobs)'],
  ];
  if (dataset.workspaceId) rows.push(['Workspace', dataset.workspaceId]);
  if (dataset.createdAt) rows.push(['Created', dataset.createdAt]);
  if (dataset.totalDatapointCount !== undefined) rows.push(['Datapoints', String(dataset.totalDatapointCount)]);
  const lines = rows.map(([key, value]) => `${key.padEnd(11)}${printable(value)}`);
  if (version >= 4 || dataset.imports) {
    const jobs = dataset.imports ?? [];
    lines.push(`Import jobs ${jobs.length === 0 ? 'none yet' : `(${jobs.length})`}`);
    for (const job of jobs) {
      const counts = ['acceptedCount', 'rejectedCount', 'duplicateCount']
        .filter((field) => job[field] !== undefined)
        .map((field) => `${job[field]} ${field.replace('Count', '')}`).join(', ');
      const id = job.importId ?? job.id ?? '?';
      lines.push(`  ${printable(id)}  ${printable(job.status)}${job.filename ? `  ${printable(job.filename)}` : ''}${counts ? `  (${counts})` : ''}`);
      if (job.reason) lines.push(`    reason: ${printable(job.reason)}`);
      const errors = Array.isArray(job.errors) ? job.errors : [];
      for (const error of errors.slice(0, MAX_RECORD_ERRORS)) {
        lines.push(`    ${printable(typeof error === 'string' ? error : jsonLine(error))}`);
      }
      if (errors.length > MAX_RECORD_ERRORS) lines.push(`    … ${errors.length - MAX_RECORD_ERRORS} more (see --json)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `show`.
 * @param {string[]} args the arguments after "show"
 * @param {{ stdout: NodeJS.WriteStream, env: NodeJS.ProcessEnv }} io
 * @returns {Promise<number>} the exit code
 */
export async function runShow(args, { stdout, env }) {
  const options = parseShowArgs(args);
  if (options.help) {
    stdout.write(SHOW_USAGE);
    return EXIT.ok;
  }
  const settings = connection(options, env);
  if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs;
  await checkBeforeSending(settings, [options.datasetId]);
  const controller = new AbortController();
  handleInterrupt(controller);
  const out = guardedOutput(stdout);
  const timeout = options.timeoutMs === undefined ? undefined : { ms: options.timeoutMs, text: options.timeoutText };
  let dataset;
  try {
    dataset = await getDataset(options.datasetId, { ...settings, signal: controller.signal });
  } catch (error) {
    process.stderr.write(`${errorLine(options.datasetId, error, timeout)}\n`);
    if (options.json) out.write(`${jsonLine({ datasetId: options.datasetId, error: describeError(error) })}\n`);
    return error instanceof TimeoutError ? EXIT.timeout : EXIT.failure;
  }
  out.write(options.json ? `${jsonLine(dataset)}\n` : formatDataset(dataset));
  return EXIT.ok;
}
