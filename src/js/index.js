/**
 * prolific-dataset-status for browsers, workers and runtimes without Node's APIs (the "browser"
 * and "default" export conditions): a plain ES module a static page can import with no bundler,
 * and that dedicated and service workers, Deno and Bun load as it is. The glue is imported
 * statically (a service worker allows no dynamic import()); the WebAssembly file is fetched next
 * to it on the first call, unless setWasmSource() named another source. The transport is the
 * runtime's XMLHttpRequest, or a stand-in over fetch() where there is none.
 * Defaults: no token, baseUrl https://api.prolific.com; a page should talk to its own server,
 * which adds the token (Prolific tokens carry full permission).
 * @module
 */
import createProlificModule from '../../dist/prolific-dataset-status.mjs';
import { createLifecycle } from './lifecycle.js';
import { createEntry } from './entry.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export { MAX_UPLOAD_BYTES } from './lifecycle.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const entry = createEntry(createProlificModule, { createLifecycle });

/**
 * Names where the module's WebAssembly comes from, for bundlers that do not emit the `.wasm` next
 * to the glue, or for pages that serve it elsewhere. Call it before the first call of the package.
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm the URL of
 *   prolific-dataset-status.wasm (e.g. from a bundler's `?url` import), its bytes, or the compiled
 *   module
 * @returns {void}
 * @throws {TypeError} for another kind of value
 */
export function setWasmSource(wasm) {
  entry.setWasmSource(wasm);
}

const { api } = entry;

export const {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, createDataset, getDataset, getUploadUrl,
  uploadDatasetFile,
  getImportStatus, waitForImport, uploadAndWait, checkClientOptions,
} = api;

/**
 * The instantiated WebAssembly module, for leak checks in tests and benchmarks. Not part of the
 * stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
