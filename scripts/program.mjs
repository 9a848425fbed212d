/**
 * What the runnable scripts (mock-prolific.mjs, serve.mjs) share as programs.
 * @module
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * True when the module at `moduleUrl` is the program Node was started with (not an import).
 * @param {string} moduleUrl the module's import.meta.url
 * @returns {boolean}
 */
export function isMainModule(moduleUrl) {
  try {
    return process.argv[1] !== undefined && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

/**
 * Closes `server` and exits with code 0 on the first SIGINT or SIGTERM.
 * @param {{ close: () => Promise<void> }} server
 */
export function closeOnSignal(server) {
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
