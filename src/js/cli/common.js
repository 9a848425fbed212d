/**
 * What every command of the CLI shares: exit codes, usage errors, the command-line parser
 * (node:util parseArgs), the token and base URL from the environment, and the check of options
 * with the library's own rules before anything is sent.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModuleForDiagnostics } from '../node.js';
import { printable } from './output.js';

export const PROGRAM = 'prolific-dataset-status';
export const PROLIFIC_API = 'https://api.prolific.com';
/** Largest delay a Node timer accepts, in ms. */
export const LARGEST_MS = 2147483647;

export const EXIT = Object.freeze({
  ok: 0, failure: 1, usage: 2, datasetError: 3, timeout: 4, interrupted: 130, terminated: 143,
});
/** Which outcome wins when datasets end differently: the first in this list that applies. */
const EXIT_PRECEDENCE = [EXIT.usage, EXIT.failure, EXIT.timeout, EXIT.datasetError, EXIT.ok];

/** A mistake in the command line: reported in one line, exit code 2. */
export class UsageError extends Error {}

/**
 * The exit code of a whole run: the first of 2, 1, 4, 3, 0 that any outcome has.
 * @param {number[]} codes
 * @returns {number}
 */
export function combineExitCodes(codes) {
  return EXIT_PRECEDENCE.find((code) => codes.includes(code)) ?? EXIT.ok;
}

/**
 * Parses a number of seconds (a plain decimal, fractions allowed, above 0) into whole ms.
 * @param {string} flag the flag name, for the message
 * @param {string} text the value as typed
 * @returns {number} milliseconds, at least 1
 * @throws {UsageError} for anything that is not a positive decimal number of seconds
 */
export function parseSeconds(flag, text) {
  const seconds = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0)) throw new UsageError(`${flag} needs a number of seconds above 0, not "${printable(text)}"`);
  const ms = Math.ceil(seconds * 1000);
  if (ms > LARGEST_MS) throw new UsageError(`${flag} is too large (at most ${Math.floor(LARGEST_MS / 1000)} s)`);
  return ms;
}

/**
 * Splits a command line into flags and other arguments with node:util parseArgs (strict):
 * `--flag value` or `--flag=value`; `--` ends flags; a repeated flag keeps its last value.
 * @param {string[]} args
 * @param {object} spec
 * @param {Record<string, string>} spec.booleans flag ("--wait", "-h") → option name
 * @param {Record<string, (value: string, options: object, name: string) => void>} spec.values
 *   flag ("--interval") → what to do with its value (throws UsageError for a bad one)
 * @param {object} options the object the flags fill in (returned)
 * @returns {{ options: object, positionals: string[] }}
 * @throws {UsageError} for an unknown flag, a missing value, a value given to a boolean, or --token
 */
export function parseFlags(args, { booleans, values }, options) {
  const end = args.indexOf('--');
  const flags = end < 0 ? args : args.slice(0, end);
  if (flags.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new UsageError('there is no --token flag: put the token in the PROLIFIC_TOKEN environment variable '
      + '(or a file named by PROLIFIC_TOKEN_FILE)');
  }
  const config = {};
  const targets = new Map();
  for (const [flag, key] of Object.entries(booleans)) {
    if (flag.startsWith('--')) {
      config[flag.slice(2)] = { type: 'boolean' };
      targets.set(flag.slice(2), key);
    }
  }
  for (const [flag, key] of Object.entries(booleans)) {
    if (flag.startsWith('--')) continue;
    const long = [...targets].find(([, target]) => target === key)?.[0];
    if (long) config[long].short = flag.slice(1);
  }
  for (const flag of Object.keys(values)) config[flag.slice(2)] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    if (!String(error?.code).startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(usageMessage(error, args));
  }
  const positionals = [];
  for (const token of parsed.tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
    } else if (token.kind === 'option') {
      const flag = `--${token.name}`;
      if (config[token.name].type === 'boolean') options[targets.get(token.name)] = true;
      else values[flag](token.value, options, flag);
    }
  }
  return { options, positionals };
}

/** parseArgs' error as our one-line usage message. */
function usageMessage(error, args) {
  const named = /'(-[^' ]*)/.exec(error.message)?.[1] ?? '';
  const flag = named.startsWith('--') ? named.split('=')[0] : (args.find((arg) => arg.startsWith(named)) ?? named);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${printable(flag.split('=')[0])}`;
  if (/argument missing/.test(error.message)) return `${printable(flag)} needs a value`;
  if (/does not take an argument/.test(error.message)) return `${printable(flag)} takes no value`;
  if (/ambiguous/.test(error.message)) return `${printable(flag)} needs a value (write ${printable(flag)}=<value> for one starting with "-")`;
  return printable(error.message.split('\n')[0]);
}

/**
 * The token: PROLIFIC_TOKEN, else the content of the file named by PROLIFIC_TOKEN_FILE (one
 * trailing line break removed). Never printed.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 * @throws {UsageError} when PROLIFIC_TOKEN_FILE names a file that cannot be read
 */
export function tokenFromEnvironment(env) {
  if (env.PROLIFIC_TOKEN) return env.PROLIFIC_TOKEN;
  const file = env.PROLIFIC_TOKEN_FILE;
  if (!file) return undefined;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`PROLIFIC_TOKEN_FILE: cannot read "${printable(file)}" (${printable(error?.code ?? 'error')})`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new UsageError(`PROLIFIC_TOKEN_FILE: "${printable(file)}" is empty`);
  return token;
}

/**
 * The library options of a run from the environment and the flags: token and baseUrl.
 * @param {{ baseUrl?: string }} options parsed flags
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ token?: string, baseUrl: string }}
 */
export function connection(options, env) {
  const settings = { baseUrl: options.baseUrl ?? (env.PROLIFIC_URL || PROLIFIC_API) };
  const token = tokenFromEnvironment(env);
  if (token !== undefined) settings.token = token;
  return settings;
}

/** What a run without a token is told (the library's check found none for this base URL). */
const NO_TOKEN_TEXT = "no token: set PROLIFIC_TOKEN to your Prolific API token, or PROLIFIC_TOKEN_FILE to a file holding it "
  + "(Prolific's API needs one; a --base-url proxy that adds it does not)";

/**
 * Checks, with the library's rules and before anything is sent, the options of a run (token,
 * base URL, timeout) and each dataset id.
 * @param {{ token?: string, baseUrl: string, timeoutMs?: number }} settings
 * @param {string[]} [datasetIds]
 * @throws {UsageError} with the library's reasons, one line each
 */
export async function checkBeforeSending(settings, datasetIds = []) {
  const module = await loadModuleForDiagnostics();
  const reasons = [];
  const problem = module.checkClientOptions({ timeoutMs: 30000, ...settings });
  if (problem !== undefined) {
    // The library's words name its own option (options.token), which a CLI user cannot set.
    reasons.push(settings.token === undefined && /^no token\b/.test(problem.message) ? NO_TOKEN_TEXT : problem.message);
  }
  for (const datasetId of datasetIds) {
    const idProblem = module.checkDatasetId(datasetId);
    if (idProblem !== undefined) reasons.push(`${idProblem.message} (dataset "${printable(datasetId).slice(0, 40)}${datasetId.length > 40 ? '…' : ''}")`);
  }
  if (reasons.length > 0) throw new UsageError([...new Set(reasons)].join('\n'));
}

/**
 * Prints a usage error (its lines plus the pointer to --help) and returns exit code 2.
 * @param {string[]} reasons one or more lines each; duplicates are printed once
 * @param {string} [command] the subcommand whose --help to point at
 * @returns {number}
 */
export function reportUsage(reasons, command) {
  const lines = new Set(reasons.flatMap((reason) => String(reason).split('\n')));
  for (const line of lines) process.stderr.write(`${PROGRAM}: ${printable(line)}\n`);
  process.stderr.write(`Run ${PROGRAM}${command ? ` ${command}` : ''} --help\n`);
  return EXIT.usage;
}

/**
 * Reads package.json's version, relative to this file.
 * @returns {string}
 */
export function packageVersion() {
  return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
}

/**
 * Ctrl-C and SIGTERM: calls `onSignal(code)` once with 130 or 143. Installed by the CLI only.
 * @param {(code: number, signal: string) => void} onSignal
 */
export function onInterrupt(onSignal) {
  let seen = false;
  for (const [signal, code] of [['SIGINT', EXIT.interrupted], ['SIGTERM', EXIT.terminated]]) {
    process.on(signal, () => {
      if (seen) return;
      seen = true;
      onSignal(code, signal);
    });
  }
}

/** Flag handlers shared by the commands. */
export const FLAG = Object.freeze({
  interval: (value, options, name) => { options.intervalMs = parseSeconds(name, value); },
  timeout: (value, options, name) => {
    options.timeoutMs = parseSeconds(name, value);
    options.timeoutText = value;
  },
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

export const HELP_FLAGS = Object.freeze({ '--help': 'help', '-h': 'help' });

/**
 * Ctrl-C and SIGTERM for commands with nothing to report: aborts what runs, says "Interrupted"
 * (or "Terminated"), exits 130 (143).
 * @param {AbortController} controller
 */
export function handleInterrupt(controller) {
  onInterrupt((code) => {
    controller.abort();
    const word = code === EXIT.interrupted ? 'Interrupted' : 'Terminated';
    process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${word}\n` : `${word}\n`);
    process.exit(code);
  });
}
