/**
 * What the Node entries (node.js: the full package; status-node.js: the status functions) share:
 * loading a module's glue and wasm from the package's dist/ folder with the Node stand-in for the
 * XMLHttpRequest that emscripten/fetch.h uses, and the defaults from the environment.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { NodeXMLHttpRequest } from './node-xhr.js';
import { ProlificError } from './errors.js';
import { checkWasmSource, instantiateModule } from './load.js';

function isUrlOfNetwork(source) {
  return /^https?:/i.test(String(source));
}

/**
 * One environment variable, or undefined when it is unset, empty, or may not be read (Deno run
 * without --allow-env throws a permission error for it: that counts as unset).
 * @param {string} name
 * @returns {string | undefined}
 */
function environmentVariable(name) {
  try {
    return globalThis.process?.env?.[name] || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Defaults from the environment, each read only when the call leaves that option out: a call that
 * passes `token` and `baseUrl` never touches the environment.
 * @returns {{ token: string | undefined, baseUrl: string }} PROLIFIC_TOKEN; PROLIFIC_URL or
 *   https://api.prolific.com
 */
export function environmentDefaults() {
  return {
    get token() { return environmentVariable('PROLIFIC_TOKEN'); },
    get baseUrl() { return environmentVariable('PROLIFIC_URL') || 'https://api.prolific.com'; },
  };
}

/**
 * The module loader of a Node entry.
 * @param {() => Promise<{ default: Function }>} importGlue imports the module's glue (a literal
 *   import() in the entry, so that bundlers see it)
 * @param {URL} wasmUrl the module's .wasm in dist/
 * @returns {{ setWasmSource: (wasm: unknown) => void, loadModule: Function }} setWasmSource (see
 *   node.js) and the loadModule of createApi
 */
export function nodeLoader(importGlue, wasmUrl) {
  let wasmSource;
  function setWasmSource(wasm) {
    wasmSource = checkWasmSource(wasm);
  }
  async function loadModule({ onAbort }) {
    let createProlificModule;
    let wasm = wasmSource;
    try {
      const glue = importGlue();
      if (wasm === undefined) {
        wasm = await readFile(wasmUrl);
      } else if ((typeof wasm === 'string' || wasm instanceof URL) && !isUrlOfNetwork(wasm)) {
        wasm = await readFile(String(wasm).startsWith('file:') ? new URL(String(wasm)) : wasm);
      }
      ({ default: createProlificModule } = await glue);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'ENOENT') throw error;
      throw new ProlificError('The WebAssembly module is not built: run "npm run build" in the '
        + 'prolific-dataset-status folder (a packed or published package ships it built), or, in a bundle, '
        + 'hand the module prolific-dataset-status.wasm with setWasmSource()', { cause: error });
    }
    return instantiateModule(createProlificModule, { wasm, onAbort, XMLHttpRequest: NodeXMLHttpRequest });
  }
  return { setWasmSource, loadModule };
}
