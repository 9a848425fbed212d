/**
 * prolific-dataset-status for Node 20+ (the "node" export condition). The WebAssembly module is
 * loaded once, on the first call, from the package's dist/ folder, with a Node stand-in for the
 * XMLHttpRequest that emscripten/fetch.h uses. No global is set and no process handler installed.
 * Defaults: token from PROLIFIC_TOKEN, baseUrl from PROLIFIC_URL or https://api.prolific.com.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createApi } from './api.js';
import { NodeXMLHttpRequest } from './node-xhr.js';
import { ProlificError } from './errors.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES, MAX_UPLOAD_BYTES } from './api.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

async function loadModule({ onAbort }) {
  let createProlificModule;
  let wasmBinary;
  try {
    [{ default: createProlificModule }, wasmBinary] = await Promise.all([
      import('../../dist/prolific-dataset-status.mjs'),
      readFile(new URL('../../dist/prolific-dataset-status.wasm', import.meta.url)),
    ]);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' && error?.code !== 'ENOENT') throw error;
    throw new ProlificError('The WebAssembly module is not built: run "npm run build" in the '
      + 'prolific-dataset-status folder (a packed or published package ships it built)', { cause: error });
  }
  return createProlificModule({
    wasmBinary,
    XMLHttpRequest: NodeXMLHttpRequest,
    onAbort,
    print: () => {},
    printErr: () => {},
  });
}

function environmentDefaults() {
  return {
    token: process.env.PROLIFIC_TOKEN || undefined,
    baseUrl: process.env.PROLIFIC_URL || 'https://api.prolific.com',
  };
}

const api = createApi({ loadModule, environmentDefaults });

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
