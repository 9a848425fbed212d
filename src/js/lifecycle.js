/**
 * The dataset lifecycle calls of the full package: create a dataset, ask for an upload URL,
 * upload a file, read a dataset and its import jobs, wait for an import job. Added to the public
 * API by the full entry points (index.js, node.js, worker.js); the status-only entry (status.js)
 * leaves this file out.
 * @module
 */
import {
  READ_OPTIONS, WAIT_OPTIONS, describe, resolveOptions, parseJson, checkDatasetId, checkString, checkNumber, checkFunction,
} from './api.js';

/** Options of uploadDatasetFile. */
const UPLOAD_OPTIONS = ['timeoutMs', 'maxRetries', 'signal'];
/** Options of uploadAndWait. */
const UPLOAD_AND_WAIT_OPTIONS = [...WAIT_OPTIONS, 'uploadTimeoutMs', 'onProgress'];

/** Default limit of one upload's HTTP attempt, in ms (10 minutes). */
const UPLOAD_TIMEOUT_MS = 10 * 60 * 1000;

/** Largest file uploadDatasetFile sends, in bytes (256 MiB); it passes through the WebAssembly heap. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/** Bytes of uploads in flight at once, at most; further uploads wait for room (the heap is bounded). */
const UPLOAD_BUDGET_BYTES = 2 * MAX_UPLOAD_BYTES;

/**
 * The options only the lifecycle calls take, of options resolveOptions has accepted.
 * @param {object} [options]
 * @returns {{ uploadTimeoutMs: number, onProgress: Function | undefined }}
 * @throws {TypeError} for a negative or non-finite uploadTimeoutMs, or an onProgress that is not a function
 */
function resolveUploadOptions(options) {
  const own = Object.assign(Object.create(null), options);
  return {
    uploadTimeoutMs: checkNumber(own, 'uploadTimeoutMs', { min: 0, fallback: UPLOAD_TIMEOUT_MS }),
    onProgress: checkFunction(own, 'onProgress'),
  };
}

/**
 * The bytes of a file to upload, as a Uint8Array.
 * @param {Uint8Array | ArrayBuffer | ArrayBufferView | Blob | string} data (a string is sent as UTF-8)
 * @returns {Promise<Uint8Array>}
 * @throws {TypeError} for another type, or more than MAX_UPLOAD_BYTES bytes
 */
async function uploadBytes(data) {
  let bytes;
  if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (typeof data === 'string') bytes = new TextEncoder().encode(data);
  else if (typeof Blob !== 'undefined' && data instanceof Blob) {
    if (data.size > MAX_UPLOAD_BYTES) bytes = { length: data.size };
    else bytes = new Uint8Array(await data.arrayBuffer());
  } else {
    throw new TypeError(`data must be a Uint8Array, ArrayBuffer, Blob or string, not ${describe(data)}`);
  }
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new TypeError(`data is ${bytes.length} bytes; uploadDatasetFile sends at most ${MAX_UPLOAD_BYTES} bytes`);
  }
  return bytes;
}

/**
 * Builds the lifecycle calls around the operations of createApi.
 * @param {object} parts
 * @param {Function} parts.runOperation runs one operation of the module (api.js)
 * @param {Function} parts.environmentDefaults defaults read at each call
 * @param {Function} parts.waitForDataset the public waitForDataset, for uploadAndWait on V3
 * @returns {{ functions: object, clientOptions: string[], checkClientOptions: (options: object) => object,
 *   clientMethods: (merged: Function) => object }} the public functions, the option names
 *   createClient accepts for them, the check of the values only they take, and their bound forms
 */
export function createLifecycle({ runOperation, environmentDefaults, waitForDataset }) {
  // Uploads pass through the WebAssembly heap, which cannot grow past 2 GiB: at most
  // UPLOAD_BUDGET_BYTES of them run at once, the others wait in order (abortably).
  let uploadBytesInFlight = 0;
  const uploadQueue = [];

  function acquireUploadBudget(bytes, signal) {
    if (uploadQueue.length === 0 && uploadBytesInFlight + bytes <= UPLOAD_BUDGET_BYTES) {
      uploadBytesInFlight += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        bytes,
        grant() {
          signal?.removeEventListener('abort', onAbort);
          uploadBytesInFlight += bytes;
          resolve();
        },
      };
      const onAbort = () => {
        uploadQueue.splice(uploadQueue.indexOf(entry), 1);
        reject(signal.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      uploadQueue.push(entry);
    });
  }

  function releaseUploadBudget(bytes) {
    uploadBytesInFlight -= bytes;
    while (uploadQueue.length > 0 && uploadBytesInFlight + uploadQueue[0].bytes <= UPLOAD_BUDGET_BYTES) {
      uploadQueue.shift().grant();
    }
  }

  /**
   * Creates an AI Task Builder dataset (Prolific API: `POST /api/v1/data-collection/datasets`).
   * With a `schema` the dataset is V4 (uploads become import jobs); without, V3. Not retried
   * blindly (it is not idempotent): only a 429, or a 503 with Retry-After, is tried again.
   * @param {{ name: string, workspaceId: string, schema?: object }} dataset
   * @param {object} [options] token, baseUrl, timeoutMs, maxRetries, signal
   * @returns {Promise<{ id: string, name: string, workspaceId?: string, status?: string,
   *   schemaVersion?: number, createdAt?: string }>}
   * @throws {TypeError} bad arguments (nothing is sent)
   * @throws {ProlificApiError|NetworkError|TimeoutError|InvalidResponseError}
   */
  async function createDataset(dataset, options) {
    const settings = resolveOptions(options, READ_OPTIONS, environmentDefaults);
    if (typeof dataset !== 'object' || dataset === null) throw new TypeError(`dataset must be an object, not ${describe(dataset)}`);
    const { name, workspaceId, schema, ...rest } = dataset;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new TypeError(`unknown dataset field "${unknown[0].slice(0, 64)}"; it takes: name, workspaceId, schema`);
    checkString(name, 'name');
    checkString(workspaceId, 'workspaceId');
    if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      throw new TypeError(`schema must be an object, not ${describe(schema)}`);
    }
    const fields = { kind: 'createDataset', name, workspaceId };
    if (schema !== undefined) {
      try {
        fields.schemaJson = JSON.stringify(schema);
      } catch (error) {
        throw new TypeError(`schema cannot be written as JSON: ${error.message}`);
      }
    }
    return runOperation(fields, settings, { toResult: parseJson });
  }

  /**
   * Reads a dataset (Prolific API: `GET /api/v1/data-collection/datasets/{dataset_id}`), with
   * retries. A V4 dataset lists its import jobs.
   * @param {string} datasetId
   * @param {object} [options] token, baseUrl, timeoutMs, maxRetries, signal
   * @returns {Promise<{ id: string, name: string, workspaceId?: string, status?: string,
   *   schemaVersion?: number, createdAt?: string, createdBy?: string, totalDatapointCount?: number,
   *   imports?: ImportJob[] }>} `status` is left out when the API sends none (V4); each import
   *   job has the fields of getImportStatus (`importId` from the API's `import_id`)
   */
  async function getDataset(datasetId, options) {
    const settings = resolveOptions(options, READ_OPTIONS, environmentDefaults);
    checkDatasetId(datasetId);
    return runOperation({ kind: 'dataset', datasetId }, settings, { toResult: parseJson });
  }

  /**
   * Asks for a presigned URL to upload one file to a dataset (Prolific API:
   * `GET /api/v1/data-collection/datasets/{dataset_id}/upload-url/{filename}`). For a V4 dataset
   * the answer has an `importId`: each call creates an import job, so it is not retried blindly.
   * @param {string} datasetId
   * @param {string} filename a plain file name (.csv or .zip for V3; .csv or .jsonl for V4)
   * @param {object} [options] token, baseUrl, timeoutMs, maxRetries, signal
   * @returns {Promise<{ datasetId: string, filename: string, uploadUrl: string, httpMethod: 'PUT',
   *   expiresAt?: string, contentType: string, contentTypeSource: 'api' | 'filename',
   *   fileKey?: string, importId?: string }>} `contentType` is the API's `content_type`, or, when the
   *   answer has none, the type Prolific gives the file's extension (.csv text/csv, .jsonl
   *   application/x-ndjson, .zip application/zip; `contentTypeSource: 'filename'`)
   * @throws {InvalidResponseError} no usable upload URL, or no `content_type` and a file name of
   *   another extension
   */
  async function getUploadUrl(datasetId, filename, options) {
    const settings = resolveOptions(options, READ_OPTIONS, environmentDefaults);
    checkDatasetId(datasetId);
    checkString(filename, 'filename');
    return runOperation({ kind: 'uploadUrl', datasetId, filename }, settings, {
      toResult: (result) => ({ datasetId, filename, ...parseJson(result) }),
    });
  }

  /**
   * PUTs a file to the presigned URL of getUploadUrl, with its content type and never an
   * Authorization header (the URL carries its own signature). Only a 429, or a 503 with
   * Retry-After, is tried again.
   * @param {{ uploadUrl: string, contentType?: string, datasetId?: string }} uploadUrlResult
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView | Blob | string} data at most 256 MiB
   * @param {object} [options] timeoutMs (default 600000 ms), maxRetries, signal
   * @returns {Promise<{ datasetId?: string, bytes: number, httpStatus: number }>}
   * @throws {TypeError} bad arguments, an upload URL that is not https (or http to loopback)
   * @throws {ProlificApiError} the storage host refused the file (its status and body)
   */
  async function uploadDatasetFile(uploadUrlResult, data, options) {
    const settings = resolveOptions(options, UPLOAD_OPTIONS, () => ({ baseUrl: '' }), { timeoutMs: UPLOAD_TIMEOUT_MS });
    if (typeof uploadUrlResult !== 'object' || uploadUrlResult === null) {
      throw new TypeError(`uploadUrlResult must be the object getUploadUrl returned, not ${describe(uploadUrlResult)}`);
    }
    const { uploadUrl, contentType, datasetId } = uploadUrlResult;
    checkString(uploadUrl, 'uploadUrl');
    if (contentType !== undefined && typeof contentType !== 'string') {
      throw new TypeError(`contentType must be a string, not ${describe(contentType)}`);
    }
    const body = await uploadBytes(data);
    // Read once: the caller may detach the buffer (postMessage) while the upload runs.
    const bytes = body.length;
    const fields = { kind: 'upload', uploadUrl, contentType: contentType ?? '', body, datasetId: datasetId ?? '' };
    await acquireUploadBudget(bytes, settings.signal);
    try {
      return await runOperation(fields, { ...settings, token: undefined }, {
        toResult: (result) => ({ ...(datasetId === undefined ? {} : { datasetId }), bytes,
          httpStatus: parseJson(result).httpStatus }),
      });
    } finally {
      releaseUploadBudget(bytes);
    }
  }

  function runImport(datasetId, importId, settings, wait) {
    checkDatasetId(datasetId);
    checkString(importId, 'importId');
    const toResult = (result) => ({ datasetId, ...parseJson(result), importId });
    return runOperation({ kind: 'importStatus', datasetId, importId }, settings, {
      wait,
      reportArguments: (report) => [toResult(report), { attempt: report.attempt, elapsedMs: report.elapsedMs }],
      toResult,
    });
  }

  /**
   * Reads a V4 import job (Prolific API:
   * `GET /api/v1/data-collection/datasets/{dataset_id}/imports/{import_id}`), with retries.
   * @param {string} datasetId
   * @param {string} importId from getUploadUrl
   * @param {object} [options] token, baseUrl, timeoutMs, maxRetries, signal
   * @returns {Promise<{ datasetId: string, importId: string, type?: string, filename?: string,
   *   status: string, acceptedCount?: number, rejectedCount?: number, duplicateCount?: number,
   *   errors?: string[], recordErrors?: Array<{ recordIndex?: number, field?: string, reason: string }>,
   *   reason?: string, createdAt?: string, updatedAt?: string }>} status: uninitialised, queued,
   *   processing, complete, partial, failed, pending_schema (or a newer string). Each record error
   *   comes twice, in the same order: as a readable line in `errors` (`record 3, field "text":
   *   reason`, records counted from 1) and structured in `recordErrors` (`recordIndex` 0-based, as
   *   the API's `record_index`)
   */
  async function getImportStatus(datasetId, importId, options) {
    return runImport(datasetId, importId, resolveOptions(options, READ_OPTIONS, environmentDefaults), false);
  }

  /**
   * Polls a V4 import job until complete, partial, failed or pending_schema, and resolves with it:
   * check `status` (partial carries acceptedCount, rejectedCount and errors; failed carries reason).
   * @param {string} datasetId
   * @param {string} importId
   * @param {object} [options] as waitForDataset; onStatus(importJob, { attempt, elapsedMs })
   * @returns {Promise<object>} the import job, as getImportStatus
   * @throws {TimeoutError} past deadlineMs
   */
  async function waitForImport(datasetId, importId, options) {
    return runImport(datasetId, importId, resolveOptions(options, WAIT_OPTIONS, environmentDefaults), true);
  }

  /**
   * The whole upload: asks for an upload URL, PUTs the file, then waits: for a V4 dataset on its
   * import job (resolving with the terminal import job), for a V3 dataset on its status (resolving
   * with READY; ERROR rejects with DatasetProcessingError).
   * @param {{ datasetId: string, filename: string, data: Uint8Array | ArrayBuffer | Blob | string }} upload
   * @param {object} [options] the options of waitForDataset, uploadTimeoutMs (ms, default 600000)
   *   and onProgress({ stage: 'upload-url' | 'uploading' | 'processing', datasetId, importId? })
   * @returns {Promise<object>} the import job (V4) or { datasetId, status: 'READY' } (V3)
   */
  async function uploadAndWait(upload, options) {
    const settings = { ...resolveOptions(options, UPLOAD_AND_WAIT_OPTIONS, environmentDefaults),
      ...resolveUploadOptions(options) };
    if (typeof upload !== 'object' || upload === null) throw new TypeError(`upload must be an object, not ${describe(upload)}`);
    const { datasetId, filename, data } = upload;
    checkDatasetId(datasetId);
    checkString(filename, 'filename');
    const body = await uploadBytes(data);
    const progress = (stage, extra) => settings.onProgress?.({ stage, datasetId, ...extra });
    progress('upload-url');
    const pick = (names) => Object.fromEntries(names.filter((name) => settings[name] !== undefined)
      .map((name) => [name, settings[name]]));
    const readOptions = pick(READ_OPTIONS);
    const target = await getUploadUrl(datasetId, filename, readOptions);
    progress('uploading', target.importId === undefined ? {} : { importId: target.importId });
    await uploadDatasetFile(target, body, { timeoutMs: settings.uploadTimeoutMs, signal: settings.signal });
    progress('processing', target.importId === undefined ? {} : { importId: target.importId });
    const waitOptions = pick(WAIT_OPTIONS);
    if (target.importId !== undefined) return waitForImport(datasetId, target.importId, waitOptions);
    return waitForDataset(datasetId, waitOptions);
  }

  return {
    functions: { createDataset, getDataset, getUploadUrl, uploadDatasetFile, getImportStatus, waitForImport, uploadAndWait },
    clientOptions: UPLOAD_AND_WAIT_OPTIONS,
    checkClientOptions: resolveUploadOptions,
    clientMethods: (merged) => ({
      createDataset: (dataset, perCall) => createDataset(dataset, merged(READ_OPTIONS, perCall)),
      getDataset: (datasetId, perCall) => getDataset(datasetId, merged(READ_OPTIONS, perCall)),
      getUploadUrl: (datasetId, filename, perCall) => getUploadUrl(datasetId, filename, merged(READ_OPTIONS, perCall)),
      uploadDatasetFile: (target, data, perCall) => uploadDatasetFile(target, data, merged(UPLOAD_OPTIONS, perCall)),
      getImportStatus: (datasetId, importId, perCall) => getImportStatus(datasetId, importId, merged(READ_OPTIONS, perCall)),
      waitForImport: (datasetId, importId, perCall) => waitForImport(datasetId, importId, merged(WAIT_OPTIONS, perCall)),
      uploadAndWait: (upload, perCall) => uploadAndWait(upload, merged(UPLOAD_AND_WAIT_OPTIONS, perCall)),
    }),
  };
}
