/**
 * prolific-dataset-status/status: the status functions only (getDatasetStatus, waitForDataset,
 * getDatasetStatuses, watchDatasets, createClient with those, checkClientOptions, the error
 * classes), over the status-only WebAssembly module (dist/status/), which leaves out the dataset
 * lifecycle calls that write (createDataset, getUploadUrl, uploadDatasetFile, uploadAndWait) and
 * the lifecycle reads of the full package (getDataset, getImportStatus, waitForImport): a smaller
 * download for a page that only reads statuses. Everything it exports behaves exactly as the same
 * name of the full package ('prolific-dataset-status').
 * Like the browser entry (index.js): a plain ES module for pages, workers, Deno and Bun; the glue
 * is imported statically, the `.wasm` fetched next to it on the first call unless setWasmSource()
 * named another source. Defaults: no token, baseUrl https://api.prolific.com.
 * @module
 */
import createProlificModule from '../../dist/status/prolific-dataset-status.mjs';
import { createEntry } from './entry.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const entry = createEntry(createProlificModule);

/**
 * Names where the status-only module's WebAssembly (dist/status/prolific-dataset-status.wasm)
 * comes from, for bundlers that do not emit the `.wasm` next to the glue, or for pages that serve
 * it elsewhere. Call it before the first call of the package.
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm its URL, its
 *   bytes, or the compiled module
 * @returns {void}
 * @throws {TypeError} for another kind of value
 */
export function setWasmSource(wasm) {
  entry.setWasmSource(wasm);
}

const { api } = entry;

export const {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
} = api;

/**
 * The instantiated WebAssembly module, for leak checks in tests and benchmarks. Not part of the
 * stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
