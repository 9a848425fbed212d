/**
 * `prolific-dataset-status serve`: runs the dashboard server until SIGINT or SIGTERM. `npm start`
 * (scripts/serve.mjs) runs the same command.
 * Exit codes: 0 stopped by a signal (or --help), 1 the server could not start (port in use...),
 * 2 usage or settings error (bad flag, a token or URL the library refuses, unreadable files).
 * @module
 */
import { parseArgs } from 'node:util';
import { startServer } from './server.js';
import { SettingsError } from './settings.js';
import { isLoopbackListen } from './guard.js';

const PROGRAM = 'prolific-dataset-status serve';

/** Defaults of the command (a server for people: answers reused for 2 s, 10 upstream reads/s). */
export const SERVE_DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 8080, coalesceSeconds: 2, upstreamRate: 10 });

export const SERVE_USAGE = `Usage: ${PROGRAM} [--host 127.0.0.1] [--port 8080] [--allowed-host <name>]...

Serve the status dashboard, and forward its dataset reads to the Prolific API with the
token added on this server (the page never sees it).

Options:
  --host <address>        interface to listen on (default 127.0.0.1; 0.0.0.0 for every one)
  --port <n>              TCP port (default: $PORT, else 8080; 0 picks a free one)
  --allowed-host <name>   a host name viewers use (a reverse proxy's public name); repeatable.
                          Requests for other names get 421 (against DNS rebinding)
  --coalesce <seconds>    reuse an upstream answer for every viewer this long (default 2)
  --upstream-rate <n>     upstream reads per second for all viewers together (default 10)
  --quiet                 no access log
  -h, --help              this text

Environment:
  PROLIFIC_TOKEN or PROLIFIC_TOKEN_FILE   the API token (or a file holding it); without one,
                                          a built-in mock Prolific API with demo datasets
  PROLIFIC_URL                            the API (default https://api.prolific.com)
  DASHBOARD_BASIC_AUTH or DASHBOARD_BASIC_AUTH_FILE
                                          "user:password" (a file: one per line) to require
                                          HTTP Basic auth for the page and its /api/
  PORT                                    default port

Beyond this computer, put it behind TLS (a reverse proxy) and Basic auth or your SSO proxy.
/healthz answers 200 without credentials and without asking the API.`;

/**
 * Parses the arguments of `serve`.
 * @param {string[]} argv arguments after "serve"
 * @param {Record<string, string|undefined>} env reads PORT
 * @returns {{ help: boolean, host: string, port: number, allowedHosts: string[], coalesceMs: number,
 *   upstreamRate: number, quiet: boolean }}
 * @throws {TypeError} for an unknown flag, a missing or bad value, or a stray argument
 */
export function parseServeArgs(argv, env = process.env) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        coalesce: { type: 'string' },
        'upstream-rate': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new TypeError(error.message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const portText = values.port ?? env.PORT ?? String(SERVE_DEFAULTS.port);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new TypeError(`${values.port === undefined ? 'PORT' : '--port'} must be a whole number from 0 to 65535, not "${portText.slice(0, 40)}"`);
  }
  const number = (text, flag, fallback, { above }) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (above && value === 0)) {
      throw new TypeError(`${flag} must be a number ${above ? 'above 0' : 'of at least 0'}, not "${text.slice(0, 40)}"`);
    }
    return value;
  };
  const host = values.host ?? SERVE_DEFAULTS.host;
  if (host === '') throw new TypeError('--host must not be empty');
  return {
    help: values.help ?? false,
    host,
    port,
    allowedHosts: values['allowed-host'] ?? [],
    coalesceMs: number(values.coalesce, '--coalesce', SERVE_DEFAULTS.coalesceSeconds, { above: false }) * 1000,
    upstreamRate: number(values['upstream-rate'], '--upstream-rate', SERVE_DEFAULTS.upstreamRate, { above: true }),
    quiet: values.quiet ?? false,
  };
}

/**
 * Runs the dashboard server until SIGINT or SIGTERM.
 * @param {string[]} argv arguments after "serve"
 * @param {object} [io]
 * @param {Record<string, string|undefined>} [io.env=process.env]
 * @param {(text: string) => void} [io.out] standard output lines
 * @param {(text: string) => void} [io.err] standard error lines
 * @returns {Promise<number>} the exit code: 0 after a signal or --help, 1 when it cannot start,
 *   2 on a usage or settings error
 */
export async function serveCommand(argv, {
  env = process.env,
  out = (text) => process.stdout.write(`${text}\n`),
  err = (text) => process.stderr.write(`${text}\n`),
} = {}) {
  let options;
  try {
    options = parseServeArgs(argv, env);
  } catch (error) {
    err(`${PROGRAM}: ${error.message}\nRun "${PROGRAM} --help" for the options.`);
    return 2;
  }
  if (options.help) {
    out(SERVE_USAGE);
    return 0;
  }
  let server;
  try {
    server = await startServer({
      host: options.host,
      port: options.port,
      allowedHosts: options.allowedHosts,
      env,
      coalesceMs: options.coalesceMs,
      upstreamRate: options.upstreamRate,
      log: options.quiet ? undefined : out,
    });
  } catch (error) {
    if (error instanceof SettingsError || error instanceof TypeError) {
      err(`${PROGRAM}: ${error.message}`);
      return 2;
    }
    const hint = error.code === 'EADDRINUSE' ? ' (choose another with --port <n>)' : '';
    err(`${PROGRAM}: cannot start: ${error.message}${hint}`);
    return 1;
  }
  out(`Dashboard: ${server.url}/`);
  if (server.mock) {
    const { DEMO_DATASET_IDS } = await import('../../scripts/mock-prolific.mjs');
    out('API: built-in mock Prolific API (no PROLIFIC_TOKEN or PROLIFIC_TOKEN_FILE set)');
    out(`Demo dataset ids: ${DEMO_DATASET_IDS.join(', ')}`);
    if (env.PROLIFIC_URL) err(`${PROGRAM}: warning: PROLIFIC_URL is set but no token is: it is not used`);
  } else {
    out(`API: ${server.upstream} (token added by this server, never sent to the page)`);
  }
  if (options.allowedHosts.length > 0) out(`Answers to: ${options.allowedHosts.join(', ')} and its own address`);
  out(`Basic auth: ${server.basicAuth ? 'on' : 'off'}`);
  if (!isLoopbackListen(options.host)) {
    if (!server.basicAuth) {
      err(`${PROGRAM}: warning: listening on ${options.host} without Basic auth: anyone who reaches this port ` +
        'reads dataset statuses with your token. Set DASHBOARD_BASIC_AUTH_FILE, and serve it through TLS.');
    }
    if (options.allowedHosts.length === 0) {
      out('Only IP addresses and this address are answered; add --allowed-host <name> for a host name.');
    }
  }
  out('Press Ctrl-C to stop');
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(() => resolve(0), () => resolve(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
