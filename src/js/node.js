/**
 * prolific-dataset-status for Node 20+ (the "node" export condition). The WebAssembly module is
 * loaded once, on the first call, from the package's dist/ folder, with a Node stand-in for the
 * XMLHttpRequest that emscripten/fetch.h uses. No global is set and no process handler installed.
 * Defaults: token from PROLIFIC_TOKEN, baseUrl from PROLIFIC_URL or https://api.prolific.com.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createApi } from './api.js';
import { createLifecycle } from './lifecycle.js';
import { NodeXMLHttpRequest } from './node-xhr.js';
import { ProlificError } from './errors.js';
import { checkWasmSource, instantiateModule } from './load.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export { MAX_UPLOAD_BYTES } from './lifecycle.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

let wasmSource;

/**
 * Names where the module's WebAssembly comes from, for builds that do not keep the package's
 * dist/ folder next to this file (a bundle made for Node, for instance). Call it before the first
 * call of the package.
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm a file URL or
 *   path of prolific-dataset-status.wasm, an http(s) URL, its bytes, or the compiled module
 * @returns {void}
 * @throws {TypeError} for another kind of value
 */
export function setWasmSource(wasm) {
  wasmSource = checkWasmSource(wasm);
}

function isUrlOfNetwork(source) {
  return /^https?:/i.test(String(source));
}

async function loadModule({ onAbort }) {
  let createProlificModule;
  let wasm = wasmSource;
  try {
    const glue = import('../../dist/prolific-dataset-status.mjs');
    if (wasm === undefined) {
      wasm = await readFile(new URL('../../dist/prolific-dataset-status.wasm', import.meta.url));
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
 */
function environmentDefaults() {
  return {
    get token() { return environmentVariable('PROLIFIC_TOKEN'); },
    get baseUrl() { return environmentVariable('PROLIFIC_URL') || 'https://api.prolific.com'; },
  };
}

const api = createApi({ loadModule, environmentDefaults, createLifecycle });

export const {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, createDataset, getDataset, getUploadUrl,
  uploadDatasetFile,
  getImportStatus, waitForImport, uploadAndWait, checkClientOptions,
} = api;

/**
 * The instantiated WebAssembly module, for leak checks in tests and benchmarks: its
 * heapStats() and count_emval_handles(). Not part of the stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
