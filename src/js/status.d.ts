/**
 * prolific-dataset-status/status: the status functions of the package over the status-only
 * WebAssembly module, a smaller download for a page that only reads statuses. Each name behaves
 * exactly as the same name of the full package (see index.d.ts, whose declarations these are);
 * the dataset lifecycle calls (createDataset, getDataset, getUploadUrl, uploadDatasetFile,
 * getImportStatus, waitForImport, uploadAndWait) are not here.
 *
 * @packageDocumentation
 */

import type { StatusClient, WaitOptions, WatchOptions } from './index.js';

export type {
  DatasetStatus, TerminalStatus, StatusOptions, WaitProgress, WaitOptions, StatusesOptions, WatchOptions,
  WatchUpdate, WatchResult, WatchEntry, DatasetStatusResult, ReadyResult, DatasetStatusFailure,
  DatasetStatusesEntry, ImportStatus, TerminalImportStatus, DatasetImport, ImportJobState, ImportRecordError,
  ProlificApiErrorFields, StatusClient,
} from './index.js';

export {
  DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES, getDatasetStatus, waitForDataset,
  getDatasetStatuses, watchDatasets, checkClientOptions,
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
  loadModuleForDiagnostics,
} from './index.js';

/** Options of {@link createClient} here: those of the four status functions. */
export interface StatusClientOptions extends WatchOptions, WaitOptions {}

/**
 * Binds options once, for the four status functions.
 *
 * @param options - any option of getDatasetStatus, waitForDataset, getDatasetStatuses and
 *   watchDatasets (an upload option is an unknown option here)
 * @returns a frozen {@link StatusClient}
 * @throws `TypeError` (synchronously) for options that are not an object, an unknown option name
 *   or a value of the wrong type
 */
export declare function createClient(options?: StatusClientOptions): StatusClient;

/**
 * Names where the status-only module's WebAssembly (`dist/status/prolific-dataset-status.wasm`,
 * exported as `prolific-dataset-status/status/prolific-dataset-status.wasm`) comes from, for
 * bundlers that do not emit the `.wasm` next to the glue. Call it before the first call.
 *
 * @param wasm - its URL, its bytes, or the compiled module
 * @throws `TypeError` for another kind of value
 */
export declare function setWasmSource(wasm: URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module): void;
