/**
 * `create`: creates an AI Task Builder dataset and prints its id (or, with --json, the whole
 * dataset on one line).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createDataset, ProlificApiError, TimeoutError } from '../node.js';
import {
  PROGRAM, PROLIFIC_API, EXIT, UsageError, parseFlags, FLAG, HELP_FLAGS, connection, checkBeforeSending,
  reportUsage, handleInterrupt,
} from './common.js';
import { printable, failureLine, advice, describeError, jsonLine } from './output.js';

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
export function describeFileError(error) {
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
export async function runCreate(args) {
  let options;
  let schema;
  try {
    options = parseCreateArgs(args);
    if (options.help) {
      process.stdout.write(CREATE_USAGE);
      return EXIT.ok;
    }
    if (options.schemaFile !== undefined) schema = await readSchema(options.schemaFile);
    await checkBeforeSending(connection(options, process.env));
  } catch (error) {
    if (error instanceof UsageError) return reportUsage([error.message], 'create');
    throw error;
  }
  const controller = new AbortController();
  handleInterrupt(controller);
  const settings = { signal: controller.signal };
  Object.assign(settings, connection(options, process.env));
  const request = { name: options.name, workspaceId: options.workspaceId };
  if (schema !== undefined) request.schema = schema;
  let dataset;
  try {
    dataset = await createDataset(request, settings);
  } catch (error) {
    if (error instanceof TypeError) return reportUsage([error.message], 'create');
    process.stderr.write(`${failureLine(`creating dataset "${printable(options.name)}"`, error, createAdvice(error))}\n`);
    if (options.json) process.stdout.write(`${jsonLine({ error: describeError(error) })}\n`);
    return error instanceof TimeoutError ? EXIT.timeout : EXIT.failure;
  }
  const ordered = { id: dataset.id, name: dataset.name, ...dataset };
  process.stdout.write(options.json ? `${jsonLine(ordered)}\n` : `${printable(dataset.id)}\n`);
  return EXIT.ok;
}

