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
 * npm, which sets npm_config_port (to "true", passing 9000 on as a bare argument), and the server
 * would otherwise start on its default port or refuse the stray argument.
 * @param {string[]} argv the server's arguments
 * @param {Record<string, string|undefined>} env
 * @returns {string | null} the hint, or null when nothing was swallowed
 */
export function swallowedFlagHint(argv, env) {
  if (env.npm_lifecycle_event === undefined) return null;
  const bare = argv.filter((arg) => !arg.startsWith('-'));
  const flags = [];
  for (const name of ['port', 'host', 'allowed-host', 'coalesce', 'upstream-rate']) {
    const value = env[`npm_config_${name.replace(/-/g, '_')}`];
    if (value === undefined || argv.includes(`--${name}`)) continue;
    flags.push(`--${name} ${value === 'true' ? (bare.shift() ?? '<value>') : value}`);
  }
  if (flags.length === 0) return null;
  return `npm kept ${flags.map((flag) => flag.split(' ')[0]).join(', ')} for itself: write "npm start -- ${flags.join(' ')}"`;
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
