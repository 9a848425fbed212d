/**
 * prolific-dataset-status for Cloudflare Workers and other workerd-based runtimes (the "workerd"
 * and "worker" export conditions). workerd compiles no WebAssembly from bytes at run time: the
 * `.wasm` is imported as a module (Wrangler and Miniflare hand over a compiled WebAssembly.Module
 * for a `.wasm` import) and instantiated through Module.instantiateWasm. There is no
 * XMLHttpRequest: requests go through the stand-in over fetch(), with the package's redirect and
 * token rules. No dynamic import(), no import.meta.url.
 * Defaults: no token (pass `token`, e.g. from the Worker's `env`), baseUrl https://api.prolific.com.
 * @module
 */
import createProlificModule from '../../dist/prolific-dataset-status.mjs';
import compiledWasm from '../../dist/prolific-dataset-status.wasm';
import { createLifecycle } from './lifecycle.js';
import { createEntry } from './entry.js';
import { FetchXMLHttpRequest } from './fetch-xhr.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export { MAX_UPLOAD_BYTES } from './lifecycle.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const entry = createEntry(createProlificModule, { wasm: compiledWasm, XMLHttpRequest: FetchXMLHttpRequest, createLifecycle });

/**
 * Replaces the imported `.wasm` (a compiled WebAssembly.Module in workerd) by another source;
 * for bundlers that hand the import over as a URL or bytes. Call it before the first call.
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} wasm
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
 * The instantiated WebAssembly module, for leak checks in tests. Not part of the stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
