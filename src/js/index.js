/**
 * prolific-dataset-status for browsers (the "browser" and "default" export conditions): a plain ES
 * module a static page can import with no bundler. The WebAssembly file is fetched next to the
 * module glue, on the first call. Defaults: no token, baseUrl https://api.prolific.com; a page
 * should talk to its own server, which adds the token (Prolific tokens carry full permission).
 * @module
 */
import { createApi } from './api.js';

export { DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES, MAX_UPLOAD_BYTES } from './api.js';
export {
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './errors.js';

async function loadModule({ onAbort }) {
  const { default: createProlificModule } = await import('../../dist/prolific-dataset-status.mjs');
  return createProlificModule({ onAbort, print: () => {}, printErr: () => {} });
}

function environmentDefaults() {
  return { token: undefined, baseUrl: 'https://api.prolific.com' };
}

const api = createApi({ loadModule, environmentDefaults });

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
