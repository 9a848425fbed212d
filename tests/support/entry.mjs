// The package entry the Node tests of reads, waits and watches run against, so that the same tests
// run on both WebAssembly modules (issue "Size and speed": every test passes on both variants).
//   PROLIFIC_TEST_MODULE unset or "full": the full entry, src/js/node.js over dist/.
//   PROLIFIC_TEST_MODULE=status: the status-only entry, src/js/status-node.js (what
//     prolific-dataset-status/status loads in Node) over dist/status/.
// Any other value is refused, so that a typo cannot quietly run the full module twice.
// On the status-only entry the lifecycle calls are undefined; their tests skip with
// LIFECYCLE_SKIP as the reason (scripts/test.sh runs them on the full entry).
const requested = process.env.PROLIFIC_TEST_MODULE ?? 'full';
if (requested !== 'full' && requested !== 'status') {
  throw new Error(`PROLIFIC_TEST_MODULE must be "full" or "status", not ${JSON.stringify(requested)}`);
}

/** Which module the tests run on: "full" or "status". */
export const MODULE_VARIANT = requested;
/** false on the full entry; on the status-only entry, why tests of lifecycle calls skip there. */
export const LIFECYCLE_SKIP = requested === 'status' && 'the status-only module has no lifecycle calls';

const entry = requested === 'status'
  ? await import('../../src/js/status-node.js')
  : await import('../../src/js/node.js');

export const {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
  setWasmSource, DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES, loadModuleForDiagnostics,
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
  createDataset, getDataset, getImportStatus, getUploadUrl, uploadDatasetFile, waitForImport, uploadAndWait,
  MAX_UPLOAD_BYTES,
} = entry;
