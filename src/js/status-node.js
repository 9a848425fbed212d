/**
 * prolific-dataset-status/status for Node 20+ (the "node" condition of ./status): the status
 * functions of status.js over the status-only module (dist/status/), loaded as the Node entry
 * loads the full one (node.js): the .wasm read from the package, the Node stand-in for
 * XMLHttpRequest, no global set and no process handler installed.
 * Defaults: token from PROLIFIC_TOKEN, baseUrl from PROLIFIC_URL or https://api.prolific.com.
 * @module
 */
import { createApi } from './api.js';
import { environmentDefaults, nodeLoader } from './node-runtime.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const loader = nodeLoader(() => import('../../dist/status/prolific-dataset-status.mjs'),
  new URL('../../dist/status/prolific-dataset-status.wasm', import.meta.url));
const { loadModule } = loader;

/**
 * Names where the status-only module's WebAssembly comes from (default: the package's
 * dist/status/prolific-dataset-status.wasm). Call it before the first call of the package.
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm a file URL or
 *   path, an http(s) URL, its bytes, or the compiled module
 * @returns {void}
 * @throws {TypeError} for another kind of value
 */
export function setWasmSource(wasm) {
  loader.setWasmSource(wasm);
}

const api = createApi({ loadModule, environmentDefaults });

export const {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
} = api;

/**
 * The instantiated WebAssembly module, for leak checks in tests and benchmarks. Not part of the
 * stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
