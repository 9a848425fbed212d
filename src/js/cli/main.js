/**
 * The CLI's commands: a status read (the default), `show`, `create`, `upload` and `serve`,
 * selected by a first argument that is exactly that word. Every rule (token checks, what is
 * retryable, waiting) is the library's; this folder parses arguments and prints.
 * Exit codes: 0 success, 1 API or network failure, 2 usage error, 3 a dataset ended in ERROR
 * (--wait; V4: an import job failed or pending_schema), 4 timed out, 130 SIGINT, 143 SIGTERM;
 * when outcomes differ, the first of 2, 1, 4, 3, 0 wins.
 * @module
 */
import { EXIT, UsageError, PROGRAM, PROLIFIC_API, reportUsage, packageVersion } from './common.js';
import { printable } from './output.js';
import { parseStatusArgs, runStatus } from './status.js';
import { runShow } from './show.js';
import { runCreate } from './create.js';
import { runUpload } from './upload.js';

export const USAGE = `Usage: ${PROGRAM} [options] <datasetId...>
       ${PROGRAM} show <datasetId>
       ${PROGRAM} create --name <name> --workspace <workspaceId> [options]
       ${PROGRAM} upload <file> --dataset <datasetId> [--wait] [options]
       ${PROGRAM} serve [--port <n>] [--host <name>]

Print the processing status (UNINITIALISED, PROCESSING, READY, ERROR) of Prolific
AI Task Builder datasets, one line per dataset. A V4 dataset has no status of its
own: its import jobs are shown (and waited for) instead.

Commands:
  <datasetId...>    read (or with --wait, wait for) the status of datasets;
                    "-" as the only id reads ids from standard input
  show              print one dataset in full, import jobs included (${PROGRAM} show --help)
  create            create a dataset and print its id   (${PROGRAM} create --help)
  upload            upload a file to a dataset           (${PROGRAM} upload --help)
  serve             run the dashboard server             (${PROGRAM} serve --help)
  A first argument that is exactly one of these words selects the command; to read a
  dataset whose id is such a word, put -- first: ${PROGRAM} -- create

Options for reading statuses:
  --wait            watch until every dataset is finished (READY or ERROR; V4: every
                    import job terminal); each dataset's line is printed as it finishes
  --json            print one JSON object per line (NDJSON) instead of a table
  --quiet, -q       no progress on stderr while waiting
  --interval <s>    seconds between polls of a dataset with --wait, fractions allowed
                    (fixed when given; by default 2, growing to 30)
  --timeout <s>     with --wait: limit for the whole wait (default 900);
                    otherwise: limit for each request (default 30)
  --base-url <url>  API origin or proxy (default: PROLIFIC_URL, else ${PROLIFIC_API})
  -h, --help        show this help
  -V, --version     show the version
  --                end of options (for ids starting with "-")

Environment:
  PROLIFIC_TOKEN       API token (required for ${PROLIFIC_API}; never printed)
  PROLIFIC_TOKEN_FILE  a file holding the token, when PROLIFIC_TOKEN is not set
  PROLIFIC_URL         default for --base-url

Exit codes:
  0 success   1 API or network failure   2 usage error
  3 a dataset ended in ERROR, or a V4 import job failed or pending_schema (--wait)
  4 timed out   130 interrupted (SIGINT)   143 terminated (SIGTERM)
  When datasets end differently, the first of 2, 1, 4, 3, 0 that applies wins.

Examples:
  ${PROGRAM} 01HV3Q8ZB3Y4Y9J2K7W6T5R4E3
  ${PROGRAM} --json ds_a ds_b
  ${PROGRAM} --wait --interval 5 --timeout 600 ds_a ds_b
  ${PROGRAM} --wait --json - < ids.txt | jq -c 'select(.status == "ERROR")'
  ${PROGRAM} show 01HV3Q8ZB3Y4Y9J2K7W6T5R4E3
  id=$(${PROGRAM} create --name "Reviews" --workspace ws_123 --schema schema.json)
  ${PROGRAM} upload reviews.jsonl --dataset "$id" --wait
`;

/**
 * `serve`: the dashboard server, when this installation has it (src/server/cli.js).
 * @param {string[]} args the arguments after "serve"
 * @returns {Promise<number>}
 */
async function runServe(args) {
  let serveCommand;
  try {
    ({ serveCommand } = await import('../../server/cli.js'));
  } catch (error) {
    // Only the server module itself missing means "not included"; a fault inside it is reported.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/module '[^']*server[\\/]cli\.js'/.test(String(error.message))) throw error;
  }
  if (typeof serveCommand !== 'function') {
    process.stderr.write(`${PROGRAM}: serve is not available in this installation (the dashboard server is not included)\n`);
    return EXIT.failure;
  }
  return serveCommand(args);
}

/**
 * Runs the command line.
 * @param {string[]} args process.argv without node and the script
 * @returns {Promise<number>} the exit code
 */
export async function main(args) {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  const command = args[0];
  try {
    if (command === 'create') return await runCreate(args.slice(1));
    if (command === 'upload') return await runUpload(args.slice(1));
    if (command === 'serve') return await runServe(args.slice(1));
    if (command === 'show') return await runShow(args.slice(1), io);
    const options = parseStatusArgs(args);
    if (options.help) {
      process.stdout.write(USAGE);
      return EXIT.ok;
    }
    if (options.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    return await runStatus(options, io);
  } catch (error) {
    if (error instanceof UsageError) return reportUsage([error.message], command === 'show' ? 'show' : undefined);
    if (error instanceof TypeError) return reportUsage([error.message]);
    throw error;
  }
}

/**
 * Runs the CLI as a program: the exit code of main, "unexpected failure" for a bug.
 * @param {string[]} args
 */
export function runProgram(args) {
  main(args).then(
    (code) => { process.exitCode = code; },
    (error) => {
      process.stderr.write(`${PROGRAM}: unexpected failure: ${printable(error?.message ?? error)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
