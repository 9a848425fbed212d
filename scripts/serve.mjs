#!/usr/bin/env node
/**
 * `npm start`: the dashboard server of the package (src/server/), the same command as
 * `prolific-dataset-status serve`. Arguments after `npm start --` go to it (`--port`, `--host`,
 * `--allowed-host`...; `--help` lists them).
 * @module
 */
import { isMainModule } from './program.mjs';
import { serveCommand } from '../src/server/cli.js';

export { startServer } from '../src/server/server.js';

/**
 * The hint for flags npm kept for itself: `npm start --port 9000` (without `--`) hands `--port` to
 * npm, which sets npm_config_port, and the server would quietly start on its default port.
 * @param {string[]} argv the server's arguments
 * @param {Record<string, string|undefined>} env
 * @returns {string | null} the hint, or null when nothing was swallowed
 */
export function swallowedFlagHint(argv, env) {
  const swallowed = ['port', 'host', 'allowed-host', 'coalesce', 'upstream-rate']
    .filter((name) => env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined && !argv.includes(`--${name}`));
  if (swallowed.length === 0 || env.npm_lifecycle_event === undefined) return null;
  const flags = swallowed.map((name) => `--${name} ${env[`npm_config_${name.replace(/-/g, '_')}`]}`).join(' ');
  return `npm kept ${swallowed.map((name) => `--${name}`).join(', ')} for itself: write "npm start -- ${flags}"`;
}

if (isMainModule(import.meta.url)) {
  const argv = process.argv.slice(2);
  const hint = swallowedFlagHint(argv, process.env);
  if (hint) {
    process.stderr.write(`serve: ${hint}\n`);
    process.exit(2);
  }
  process.exit(await serveCommand(argv));
}
