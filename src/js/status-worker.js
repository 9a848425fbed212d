/**
 * prolific-dataset-status/status for Cloudflare Workers and other workerd-based runtimes (the
 * "workerd" and "worker" conditions of ./status): the status functions of status.js over the
 * status-only module, its `.wasm` imported as a module as worker.js does for the full one.
 * Defaults: no token (pass `token`, e.g. from the Worker's `env`), baseUrl https://api.prolific.com.
 * @module
 */
import createProlificModule from '../../dist/status/prolific-dataset-status.mjs';
import compiledWasm from '../../dist/status/prolific-dataset-status.wasm';
import { createEntry } from './entry.js';
import { FetchXMLHttpRequest } from './fetch-xhr.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES } from './api.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

const entry = createEntry(createProlificModule, { wasm: compiledWasm, XMLHttpRequest: FetchXMLHttpRequest });

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
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
} = api;

/**
 * The instantiated WebAssembly module, for leak checks in tests. Not part of the stable API.
 * @returns {Promise<object>}
 */
export const loadModuleForDiagnostics = api.moduleForTests;
