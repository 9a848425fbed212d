/**
 * prolific-dataset-status for Node 20+ (the "node" export condition). The WebAssembly module is
 * loaded once, on the first call, from the package's dist/ folder, with a Node stand-in for the
 * XMLHttpRequest that emscripten/fetch.h uses. No global is set and no process handler installed.
 * Defaults: token from PROLIFIC_TOKEN, baseUrl from PROLIFIC_URL or https://api.prolific.com.
 * @module
 */
import { createApi } from './api.js';
import { createLifecycle } from './lifecycle.js';
import { environmentDefaults, nodeLoader } from './node-runtime.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export { MAX_UPLOAD_BYTES } from './lifecycle.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const loader = nodeLoader(() => import('../../dist/prolific-dataset-status.mjs'),
  new URL('../../dist/prolific-dataset-status.wasm', import.meta.url));
const { loadModule } = loader;

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
  loader.setWasmSource(wasm);
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
