/**
 * prolific-dataset-status: the processing status of Prolific AI Task Builder datasets, read by a
 * C++ client of the Prolific API compiled to WebAssembly.
 *
 * These declarations cover both entry points of the package: `src/js/node.js` (the `node` export
 * condition, Node 20+) and `src/js/index.js` (the `browser` and `default` conditions). They differ
 * only in defaults: in Node, `token` defaults to `PROLIFIC_TOKEN` and `baseUrl` to `PROLIFIC_URL`
 * or `https://api.prolific.com`; in a browser there is no default token and `baseUrl` defaults to
 * `https://api.prolific.com`.
 *
 * The status endpoint is `GET {baseUrl}/api/v1/data-collection/datasets/{dataset_id}/status` of
 * the Prolific API reference; the lifecycle functions ({@link createDataset}, {@link getDataset},
 * {@link getUploadUrl}, {@link uploadDatasetFile}, {@link getImportStatus}, {@link waitForImport},
 * {@link uploadAndWait}) use the other data-collection endpoints. All durations are in
 * milliseconds, all sizes in bytes.
 *
 * `AbortSignal` comes from the DOM library or from `@types/node`: a TypeScript project needs one
 * of them.
 *
 * @packageDocumentation
 */

/**
 * A dataset's processing status, as the Prolific API sent it.
 *
 * The four documented values (Prolific API reference), in lifecycle order:
 * - `UNINITIALISED`: the dataset was created and holds no data yet;
 * - `PROCESSING`: uploaded data is being turned into datapoints;
 * - `READY`: usable in a batch (terminal);
 * - `ERROR`: processing failed (terminal).
 *
 * Any other non-empty string the API sends is passed through unchanged (the API may add states),
 * hence the open `string & {}` member, which keeps editor completion for the four known values.
 */
export type DatasetStatus = 'UNINITIALISED' | 'PROCESSING' | 'READY' | 'ERROR' | (string & {});

/** The statuses that never change again: `READY` and `ERROR`. */
export type TerminalStatus = 'READY' | 'ERROR';

/**
 * The four statuses of the Prolific API reference, in lifecycle order. The array is frozen.
 *
 * @example
 * ```ts
 * DATASET_STATUSES.includes(status); // false for a status the API added later
 * ```
 */
export declare const DATASET_STATUSES: readonly ['UNINITIALISED', 'PROCESSING', 'READY', 'ERROR'];

/**
 * Whether a dataset status is final (Prolific API reference: READY and ERROR never change).
 *
 * @param status - a status string, e.g. {@link DatasetStatusResult.status}; `null` (no status) is
 *   not terminal
 * @returns `true` for `'READY'` and `'ERROR'`, `false` for anything else (never throws)
 */
export declare function isTerminalStatus(status: string | null): status is TerminalStatus;

/**
 * Options of {@link getDatasetStatus}; every other function takes them too.
 *
 * An option set to `undefined` takes its default. A name not listed here is a `TypeError`
 * (and, for an object literal, a TypeScript excess-property error).
 */
export interface StatusOptions {
  /**
   * API token, sent only as `Authorization: Token <token>`, and only to the configured origin
   * over `https:` or plain `http:` to a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
   * Default: in Node `process.env.PROLIFIC_TOKEN`, in a browser none.
   * Required when `baseUrl` is Prolific's own API; with any other base URL (a proxy that adds the
   * token) a missing token means no `Authorization` header. Prolific tokens never expire and carry
   * full permission: keep them on a server.
   */
  token?: string | undefined;
  /**
   * Origin, and optional path prefix, of the Prolific API or of a proxy: plain
   * `http(s)://host[:port][/prefix]`, no query, fragment or user information.
   * Default: in Node `process.env.PROLIFIC_URL` or `https://api.prolific.com`; in a browser
   * `https://api.prolific.com`.
   */
  baseUrl?: string | undefined;
  /** Limit for each HTTP attempt, in ms; `0` means no limit. Default `30000`. */
  timeoutMs?: number | undefined;
  /**
   * Extra attempts after a retryable failure (network error, attempt timeout, HTTP 408, 429, 500,
   * 502, 503, 504), a whole number from 0 to 1000. Default `2`.
   */
  maxRetries?: number | undefined;
  /**
   * Cancels the call: it rejects with `signal.reason` (an `AbortError` `DOMException` by default)
   * at once, whether it is loading the module, waiting for an answer or sleeping between retries
   * or polls, and nothing of it runs afterwards.
   */
  signal?: AbortSignal | undefined;
}

/** What {@link WaitOptions.onStatus} learns about the read besides its result. */
export interface WaitProgress {
  /** Which read this was, counting from 1. */
  attempt: number;
  /** Time since the wait started, in ms. */
  elapsedMs: number;
}

/**
 * Options of {@link waitForDataset} and {@link waitForImport}: those of {@link StatusOptions} and
 * the polling settings.
 *
 * @typeParam Result - what `onStatus` receives: a {@link DatasetStatusResult} for
 *   `waitForDataset`, an {@link ImportJob} for `waitForImport`
 */
export interface WaitOptions<Result = DatasetStatusResult> extends StatusOptions {
  /** Delay before the second read, in ms, above 0. Default `2000`. */
  intervalMs?: number | undefined;
  /**
   * Longest delay between reads, in ms, 0 or more. Delays grow ×1.5 per read, less up to 20 %
   * jitter, and never exceed it. Default `30000`.
   */
  maxIntervalMs?: number | undefined;
  /**
   * Limit for the whole wait, in ms, 0 or more; passing it rejects with a {@link TimeoutError}
   * whose `timeoutMs` is this value. Default `900000` (15 minutes).
   */
  deadlineMs?: number | undefined;
  /**
   * Called after every successful read, `READY` and `ERROR` included, shortly after it (never
   * inside the library's own work). Its return value is ignored, except that an async function
   * (a returned thenable) that rejects fails the wait; it is not awaited. If it throws, the wait
   * rejects with that error.
   *
   * @param result - what the read returned
   * @param progress - the read's number and the time since the wait started
   */
  onStatus?: ((result: Result, progress: WaitProgress) => void) | undefined;
}

/** Options of {@link getDatasetStatuses}: those of {@link StatusOptions} and `concurrency`. */
export interface StatusesOptions extends StatusOptions {
  /** Most reads in flight at once, a whole number, 1 or more. Default `6`. */
  concurrency?: number | undefined;
}

/**
 * Options of {@link createClient}: every option of every function. A bound `onStatus` reaches
 * both `waitForDataset` and `waitForImport`, so it takes either result.
 */
export interface ClientOptions extends UploadAndWaitOptions, WatchOptions {}

/** One successful status read. */
export interface DatasetStatusResult {
  /** The dataset id, as given. */
  datasetId: string;
  /**
   * The status the API sent: one of {@link DATASET_STATUSES}, or a newer non-empty string; `null`
   * when the API sent `"status": null` or no `status` field: a dataset without a status of its
   * own (V4), whose progress lives in its import jobs (docs/openapi/prolific-datasets.yaml).
   */
  status: DatasetStatus | null;
}

/** How {@link waitForDataset} resolves: the dataset is ready. */
export interface ReadyResult {
  /** The dataset id, as given. */
  datasetId: string;
  /** Always `'READY'`. */
  status: 'READY';
}

/** An entry of {@link getDatasetStatuses} for a dataset whose read failed. */
export interface DatasetStatusFailure {
  /** The dataset id, as given (even when it was not a valid id). */
  datasetId: string;
  /**
   * Why the read failed: a `TypeError` for an invalid id, else a {@link ProlificError} subclass
   * ({@link ProlificApiError}, {@link NetworkError}, {@link TimeoutError},
   * {@link InvalidResponseError}).
   */
  error: Error;
}

/**
 * An entry of {@link getDatasetStatuses}: the read's result or its error. Narrow with
 * `'error' in entry` (or `'status' in entry`) before reading `status` or `error`.
 */
export type DatasetStatusesEntry = DatasetStatusResult | DatasetStatusFailure;

/**
 * Reads the processing status of one dataset:
 * `GET {baseUrl}/api/v1/data-collection/datasets/{datasetId}/status` (Prolific API reference).
 *
 * Network errors, attempt timeouts and HTTP 408, 429, 500, 502, 503 and 504 are retried up to
 * `maxRetries` times, after an exponential backoff from 500 ms, doubling, capped at 8 s, less up to
 * 25 % jitter, or after the server's `Retry-After` when it sent a valid one asking for longer
 * (delay-seconds or an HTTP-date, RFC 9110 §10.2.3 and §5.6.7, clamped to 0…60 s). The backoff is
 * a floor: `Retry-After: 0` never makes a retry come sooner.
 *
 * @param datasetId - the dataset's id; sent percent-encoded as one path segment. Not empty, not
 *   `.` or `..`, at most 1024 bytes.
 * @param options - see {@link StatusOptions}
 * @returns the dataset id and the status the API sent (`null` for `"status": null` or no `status`)
 * @throws (rejects with) `TypeError` for invalid arguments, before anything is sent: a bad dataset
 *   id, an unknown option name, a value of the wrong type, a token with characters that cannot go
 *   in an HTTP header, a base URL that is not plain `http(s)`, plain `http:` to a non-loopback host
 *   when a token would be sent, or no token with Prolific's own API
 * @throws (rejects with) {@link ProlificApiError} when the API answered non-2xx (after retries)
 * @throws (rejects with) {@link NetworkError} when there was no HTTP answer (after retries)
 * @throws (rejects with) {@link TimeoutError} when the last attempt ran past `timeoutMs`
 * @throws (rejects with) {@link InvalidResponseError} for a 2xx whose body is not a JSON object
 *   whose `status`, if present, is null or a non-empty string
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * const { status } = await getDatasetStatus('65f1c0a4e1b2c3d4e5f60718');
 * ```
 */
export declare function getDatasetStatus(datasetId: string, options?: StatusOptions): Promise<DatasetStatusResult>;

/**
 * Polls a dataset's status until it is terminal: reads, sleeps `intervalMs`, then ×1.5 per read
 * (less up to 20 % jitter) up to `maxIntervalMs`, for at most `deadlineMs` in all.
 *
 * Transient failures (network, attempt timeout, HTTP 408, 429, 5xx) are retried until the
 * deadline, whatever `maxRetries` says; any other 4XX ends the wait at once.
 *
 * @param datasetId - as for {@link getDatasetStatus}
 * @param options - see {@link WaitOptions}
 * @returns resolves when the status is `READY`
 * @throws (rejects with) {@link DatasetProcessingError} when the status is `ERROR`
 * @throws (rejects with) {@link ProlificError} (the base class; `datasetId` set, `status` null) at
 *   the first read of no status (`null` or absent): the dataset has no status of its own (V4) and
 *   never becomes READY on `/status`; wait for its import jobs with {@link watchDatasets} or
 *   {@link waitForImport} instead
 * @throws (rejects with) {@link TimeoutError} when `deadlineMs` passes (its `timeoutMs` is
 *   `deadlineMs`)
 * @throws (rejects with) {@link ProlificApiError} for a 4XX other than 408 and 429
 * @throws (rejects with) {@link InvalidResponseError} for a 2xx that is not a status body
 * @throws (rejects with) `TypeError` for invalid arguments, as {@link getDatasetStatus}, and for
 *   a bad `intervalMs`, `maxIntervalMs`, `deadlineMs` or `onStatus`
 * @throws (rejects with) whatever `onStatus` threw
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * await waitForDataset(id, { deadlineMs: 10 * 60_000, onStatus: ({ status }) => console.log(status) });
 * ```
 */
export declare function waitForDataset(datasetId: string, options?: WaitOptions): Promise<ReadyResult>;

/**
 * Checks connection options exactly as every request checks them, and sends nothing: for servers
 * and tools that take a token and a base URL from their settings and must refuse bad ones at start.
 * The checks are the module's own (the same code as every request), not a copy.
 *
 * @param options - see {@link StatusOptions}; `token` and `baseUrl` default as in
 *   {@link getDatasetStatus}
 * @returns the base URL that would be used, and whether a token would be sent
 * @throws (rejects with) `TypeError` for what {@link getDatasetStatus} refuses before sending: an
 *   unknown option name, a value of the wrong type, a token with characters that cannot go in an
 *   HTTP header, a base URL that is not plain `http(s)`, plain `http:` to a host other than
 *   `localhost`, `127.0.0.0/8` or `[::1]` when a token would be sent (`*.localhost` and `0.0.0.0`
 *   included), or no token with Prolific's own API
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * const { baseUrl, hasToken } = await checkClientOptions({ baseUrl: 'https://api.prolific.com', token: 'abc' });
 * ```
 */
export declare function checkClientOptions(options?: StatusOptions): Promise<{ baseUrl: string; hasToken: boolean }>;

/**
 * Reads the statuses of many datasets, at most `concurrency` at once. One failure does not fail
 * the others: its entry holds the error instead.
 *
 * @param datasetIds - the ids; an invalid one gives an entry whose `error` is a `TypeError`
 * @param options - see {@link StatusesOptions}
 * @returns one entry per id, in input order
 * @throws (rejects with) `TypeError` when `datasetIds` is not an array or an option is invalid,
 *   the token or base URL included (wrong for every id: nothing is sent)
 * @throws (rejects with) `signal.reason` when `signal` aborts (the whole call)
 *
 * @example
 * ```ts
 * for (const entry of await getDatasetStatuses(['a', 'b'], { concurrency: 4 })) {
 *   console.log(entry.datasetId, 'error' in entry ? entry.error.message : entry.status);
 * }
 * ```
 */
export declare function getDatasetStatuses(
  datasetIds: readonly string[],
  options?: StatusesOptions,
): Promise<DatasetStatusesEntry[]>;

/**
 * Options of {@link watchDatasets}: those of {@link StatusesOptions} (`concurrency` is the budget
 * of the whole call) and the polling settings of {@link WaitOptions}, with `onUpdate`.
 */
export interface WatchOptions extends StatusesOptions {
  /** Delay before a dataset's second poll, in ms, above 0. Default `2000`. */
  intervalMs?: number | undefined;
  /** Longest delay between two polls of one dataset, in ms (×1.5 per poll, jittered). Default `30000`. */
  maxIntervalMs?: number | undefined;
  /**
   * Limit for the whole call, in ms. Datasets unfinished then get an entry whose `error` is a
   * {@link TimeoutError} (its `timeoutMs` is this value). Default `900000` (15 minutes).
   */
  deadlineMs?: number | undefined;
  /**
   * Called after every read, as soon as that read ends (never held back by another dataset).
   * If it throws, or the promise it returns rejects, the call rejects with that error.
   */
  onUpdate?: ((update: WatchUpdate) => void) | undefined;
}

/** What {@link WatchOptions.onUpdate} receives after each read. */
export interface WatchUpdate {
  /** The dataset id, as given. */
  datasetId: string;
  /** The last status read; `null` for a dataset with no status of its own (V4) or none read yet. */
  status: DatasetStatus | null;
  /** The status, or an import job's status, differs from the previous read's. */
  changed: boolean;
  /** The dataset is finished: no further read of it. */
  terminal: boolean;
  /** Reads of this dataset so far, this one included, from 1. */
  attempt: number;
  /** Time since the call started, in ms. */
  elapsedMs: number;
  /** This read's error: transient (tried again, `terminal` false) or final (`terminal` true). */
  error?: Error;
  /** A V4 dataset's import jobs, as its last dataset read listed them (at most 1000). */
  imports?: DatasetImport[];
  /** How many import jobs that read left out of `imports` (only when it left some out). */
  omittedImportCount?: number;
}

/** A finished dataset in the result of {@link watchDatasets}. */
export interface WatchResult {
  /** The dataset id, as given. */
  datasetId: string;
  /** `READY` or `ERROR`; `null` for a V4 dataset (see `imports`). */
  status: DatasetStatus | null;
  /** A V4 dataset's import jobs, every one terminal (at most 1000, failed ones kept first). */
  imports?: DatasetImport[];
  /** How many import jobs the last read left out of `imports` (only when it left some out). */
  omittedImportCount?: number;
}

/** An entry of {@link watchDatasets}: a finished dataset or its error. Narrow with `'error' in entry`. */
export type WatchEntry = WatchResult | DatasetStatusFailure;

/**
 * Watches many datasets until each is finished, with ONE request budget: at most `concurrency`
 * requests in flight for the whole call, whatever the number of ids. Each dataset is polled on
 * its own growing, jittered schedule (as {@link waitForDataset}).
 *
 * A dataset is finished at `READY` or `ERROR` (a result, not an error); at a permanent error (an
 * invalid id, 404, any 4XX but 408 and 429), which its entry holds; and, for a V4 dataset (no
 * status of its own), when every import job listed by its dataset read is terminal (the dataset
 * read, which lists every job with its status, is then repeated on the dataset's schedule: one
 * request per round however many jobs). Transient failures are tried again after the retry delay
 * (`Retry-After` honoured) until the deadline. `maxRetries` is accepted and unused.
 *
 * @param datasetIds - the ids; an invalid one gives an entry whose `error` is a `TypeError`
 * @param options - see {@link WatchOptions}
 * @returns one entry per id, in input order
 * @throws (rejects with) `TypeError`, before anything is sent, when `datasetIds` is not an array,
 *   an option is unknown or of the wrong type, or the token or base URL is wrong for every dataset
 * @throws (rejects with) {@link ProlificApiError} at once on HTTP 401 (no request follows)
 * @throws (rejects with) whatever `onUpdate` threw
 * @throws (rejects with) `signal.reason` when `signal` aborts (no request follows)
 *
 * @example
 * ```ts
 * const entries = await watchDatasets(['a', 'b'], {
 *   deadlineMs: 10 * 60_000,
 *   onUpdate: ({ datasetId, status, terminal }) => { if (terminal) console.log(datasetId, status); },
 * });
 * for (const entry of entries) console.log(entry.datasetId, 'error' in entry ? entry.error.message : entry.status);
 * ```
 */
export declare function watchDatasets(datasetIds: readonly string[], options?: WatchOptions): Promise<WatchEntry[]>;

/**
 * A V4 import job's status (Prolific API reference): `uninitialised`, `queued` and `processing`
 * while it runs; then `complete`, `partial` (some records rejected), `failed`, or `pending_schema`
 * (the dataset has no usable schema). Any other non-empty string the API sends is passed through.
 */
export type ImportStatus =
  | 'uninitialised' | 'queued' | 'processing' | 'complete' | 'partial' | 'failed' | 'pending_schema'
  | (string & {});

/** The import job statuses that never change again. */
export type TerminalImportStatus = 'complete' | 'partial' | 'failed' | 'pending_schema';

/** The terminal import job statuses, in a frozen array: what {@link waitForImport} waits for. */
export declare const TERMINAL_IMPORT_STATUSES: readonly ['complete', 'partial', 'failed', 'pending_schema'];

/**
 * The largest file {@link uploadDatasetFile} and {@link uploadAndWait} send, in bytes: 256 MiB
 * (268435456). The bytes pass through the WebAssembly heap.
 */
export declare const MAX_UPLOAD_BYTES: number;

/** What {@link createDataset} creates. */
export interface NewDataset {
  /** The dataset's name. Not empty. */
  name: string;
  /** The id of the Prolific workspace that will own it. Not empty. */
  workspaceId: string;
  /**
   * A schema object, sent as the API's `schema` field: with one the dataset is V4 (each upload
   * becomes an import job, and `/status` never reports READY); without, V3.
   */
  schema?: Record<string, unknown> | undefined;
}

/** A dataset as {@link createDataset} returns it. Fields the API did not send are absent. */
export interface CreatedDataset {
  /** The dataset's id. */
  id: string;
  /** The dataset's name. */
  name: string;
  /** The owning workspace's id. */
  workspaceId?: string;
  /** The dataset's status, as {@link DatasetStatusResult.status}; absent when the API sent none (V4). */
  status?: DatasetStatus;
  /** `3` or `4` (V4: created with a schema). */
  schemaVersion?: number;
  /** When it was created, as the API sent it (an ISO 8601 date-time). */
  createdAt?: string;
  /** Who created it (a user id), as the API sent it. */
  createdBy?: string;
  /** How many datapoints it holds. */
  totalDatapointCount?: number;
}

/** A dataset as {@link getDataset} returns it. */
export interface Dataset extends CreatedDataset {
  /**
   * A V4 dataset's import jobs, in the API's order (at most 1000; past that, the unfinished ones
   * are kept first, then failed or pending_schema, then partial, then complete).
   */
  imports?: DatasetImport[];
  /** How many listed import jobs were left out of `imports` (present only when some were). */
  omittedImportCount?: number;
}

/**
 * One rejected record of an import job: an entry of the API's `errors`,
 * `{record_index, field?, reason}` (docs/openapi/prolific-datasets.yaml `ImportRecordError`).
 */
export interface ImportRecordError {
  /** The record's position in the file, from 0 (the API's `record_index`); absent for an entry the API sent in another shape. */
  recordIndex?: number;
  /** The field of the record that was refused, when the API named one. */
  field?: string;
  /** Why the record was refused; at most 1,000 bytes. */
  reason: string;
}

/**
 * The state of a V4 import job (docs/openapi/prolific-datasets.yaml `ImportJob`), shared by
 * {@link ImportJob} and {@link DatasetImport}. Fields the API did not send are absent.
 */
export interface ImportJobState {
  /** The import job's id (the API's `import_id`). */
  importId?: string;
  /** The job's status. */
  status: ImportStatus;
  /** The import's type, as the API sent it (e.g. the file format). */
  type?: string;
  /** The uploaded file's name. */
  filename?: string;
  /** Records imported (`partial`, `complete`). */
  acceptedCount?: number;
  /** Records rejected (`partial`). */
  rejectedCount?: number;
  /** Records skipped as duplicates of records already in the dataset. */
  duplicateCount?: number;
  /**
   * One readable line per rejected record, in the API's order (at most 1000), e.g.
   * `record 3, field "text": must be a string`: the record counted from 1 (`recordIndex + 1`),
   * the field when named, then the reason.
   */
  errors?: string[];
  /** The same rejected records, structured, in the same order as {@link errors}. */
  recordErrors?: ImportRecordError[];
  /** Why the job `failed`; at most 2,000 bytes. */
  reason?: string;
  /** When the job was created (ISO 8601 date-time, as the API sent it). */
  createdAt?: string;
  /** When the job last changed (ISO 8601 date-time, as the API sent it). */
  updatedAt?: string;
}

/** An import job, as {@link getImportStatus} and {@link waitForImport} return it. */
export interface ImportJob extends ImportJobState {
  /** The dataset id, as given. */
  datasetId: string;
  /** The import job's id, as given. */
  importId: string;
}

/** An import job listed by {@link getDataset} (in the dataset's `imports`). */
export interface DatasetImport extends ImportJobState {}

/** Where {@link uploadDatasetFile} sends a file: the fields it reads from an {@link UploadUrl}. */
export interface UploadTarget {
  /** The presigned URL: `https:`, or `http:` to a loopback host. */
  uploadUrl: string;
  /** The `Content-Type` to send (sent as is; none when absent). */
  contentType?: string | undefined;
  /** The dataset id, copied into the {@link UploadResult}. */
  datasetId?: string | undefined;
}

/** What {@link getUploadUrl} returns: a presigned URL to PUT one file to. */
export interface UploadUrl extends UploadTarget {
  /** The dataset id, as given. */
  datasetId: string;
  /** The file name, as given. */
  filename: string;
  /** Always `'PUT'`. */
  httpMethod: 'PUT';
  /** When the URL stops working, as the API sent it. */
  expiresAt?: string;
  /**
   * The `Content-Type` the upload must carry: the API's `content_type`, or, when the answer has
   * none, the type Prolific gives the file name's extension (`.csv` `text/csv`, `.jsonl`
   * `application/x-ndjson`, `.zip` `application/zip`). An answer without `content_type` for a
   * file of another extension is an {@link InvalidResponseError}.
   */
  contentType: string;
  /** Where {@link contentType} comes from: the API's answer, or the file name's extension. */
  contentTypeSource: 'api' | 'filename';
  /** The storage key of the file, when the API sent it. */
  fileKey?: string;
  /** V4 only: the import job this upload starts; wait for it with {@link waitForImport}. */
  importId?: string;
}

/**
 * A file's bytes: a `Uint8Array` (a Node `Buffer` is one), an `ArrayBuffer`, another
 * `ArrayBufferView`, a `Blob` (a `File` is one), or a string (sent as UTF-8). At most
 * {@link MAX_UPLOAD_BYTES}.
 */
export type UploadData = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | string;

/** Options of {@link uploadDatasetFile}. No `token` or `baseUrl`: an upload never carries the token. */
export interface UploadOptions {
  /** Limit for each upload attempt, in ms; `0` means no limit. Default `600000` (10 minutes). */
  timeoutMs?: number | undefined;
  /** Extra attempts, taken only when the storage host asks (429, or 503 with Retry-After). Default `2`. */
  maxRetries?: number | undefined;
  /** As {@link StatusOptions.signal}. */
  signal?: AbortSignal | undefined;
}

/** What {@link uploadDatasetFile} resolves with. */
export interface UploadResult {
  /** The target's `datasetId`, when it had one. */
  datasetId?: string;
  /** How many bytes were sent. */
  bytes: number;
  /** The storage host's 2xx status code. */
  httpStatus: number;
}

/** What {@link uploadAndWait} uploads. */
export interface UploadAndWaitInput {
  /** The dataset to upload to (as for {@link getUploadUrl}). */
  datasetId: string;
  /** The file name: `.csv` or `.zip` for V3, `.csv` or `.jsonl` for V4. */
  filename: string;
  /** The file's bytes. */
  data: UploadData;
}

/** What {@link UploadAndWaitOptions.onProgress} receives when {@link uploadAndWait} starts a stage. */
export interface UploadProgress {
  /** `'upload-url'`, then `'uploading'`, then `'processing'` (waiting). */
  stage: 'upload-url' | 'uploading' | 'processing';
  /** The dataset id, as given. */
  datasetId: string;
  /** V4: the import job's id, from `'uploading'` on. */
  importId?: string;
}

/**
 * Options of {@link uploadAndWait}: those of {@link WaitOptions}, `uploadTimeoutMs` and
 * `onProgress`. `onStatus` receives an {@link ImportJob} for a V4 dataset, a
 * {@link DatasetStatusResult} for a V3 one.
 */
export interface UploadAndWaitOptions extends WaitOptions<DatasetStatusResult | ImportJob> {
  /** Limit for each upload attempt, in ms; `0` means no limit. Default `600000` (10 minutes). */
  uploadTimeoutMs?: number | undefined;
  /**
   * Called at the start of each stage. Its return value is ignored; if it throws, the call
   * rejects with that error.
   */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
}

/**
 * Creates an AI Task Builder dataset: `POST {baseUrl}/api/v1/data-collection/datasets` (Prolific
 * API reference). With a `schema` it is V4, else V3. Creation is not idempotent, so it is retried
 * only when the server asks: a 429, or a 503 with `Retry-After`.
 *
 * @param dataset - `name`, `workspaceId` and an optional `schema`; no other field
 * @param options - see {@link StatusOptions}
 * @returns the created dataset
 * @throws (rejects with) `TypeError` for invalid arguments (an empty `name` or `workspaceId`, an
 *   unknown field, a `schema` that is not an object, bad options), before anything is sent
 * @throws (rejects with) {@link ProlificApiError} when the API refused it (e.g. 400 or 422 with
 *   field details in `detail`)
 * @throws (rejects with) {@link NetworkError}, {@link TimeoutError} as {@link getDatasetStatus}
 * @throws (rejects with) {@link InvalidResponseError} for a 2xx that is not a dataset (no `id`)
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * const dataset = await createDataset({ name: 'Reviews', workspaceId: '6512…', schema: { fields: [] } });
 * ```
 */
export declare function createDataset(dataset: NewDataset, options?: StatusOptions): Promise<CreatedDataset>;

/**
 * Reads a dataset: `GET {baseUrl}/api/v1/data-collection/datasets/{datasetId}`, retried as
 * {@link getDatasetStatus}. A V4 dataset lists its import jobs.
 *
 * @param datasetId - as for {@link getDatasetStatus}
 * @param options - see {@link StatusOptions}
 * @returns the dataset
 * @throws (rejects with) the errors of {@link getDatasetStatus}; {@link InvalidResponseError} for
 *   a 2xx that is not a dataset
 *
 * @example
 * ```ts
 * const { imports = [] } = await getDataset(id);
 * ```
 */
export declare function getDataset(datasetId: string, options?: StatusOptions): Promise<Dataset>;

/**
 * Asks for a presigned URL to upload one file:
 * `GET {baseUrl}/api/v1/data-collection/datasets/{datasetId}/upload-url/{filename}`. For a V4
 * dataset each call creates an import job, so it is retried only when the server asks (429, or
 * 503 with `Retry-After`).
 *
 * @param datasetId - as for {@link getDatasetStatus}
 * @param filename - a plain file name, sent percent-encoded as one path segment: `.csv` or `.zip`
 *   for V3, `.csv` or `.jsonl` for V4. Not empty.
 * @param options - see {@link StatusOptions}
 * @returns the URL and how to use it, with the `contentType` the upload must carry (the API's
 *   `content_type`, else the type of the file name's extension); pass it to {@link uploadDatasetFile}
 * @throws (rejects with) `TypeError` for invalid arguments, as {@link getDatasetStatus}, and an
 *   empty `filename`
 * @throws (rejects with) {@link ProlificApiError} (e.g. a file type the dataset does not take),
 *   {@link NetworkError}, {@link TimeoutError}
 * @throws (rejects with) {@link InvalidResponseError} for a 2xx without a usable `upload_url`
 *   (not `https:`, or a method other than PUT), or without `content_type` for a file name whose
 *   extension is not `.csv`, `.jsonl` or `.zip`
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * const target = await getUploadUrl(dataset.id, 'reviews.jsonl');
 * ```
 */
export declare function getUploadUrl(datasetId: string, filename: string, options?: StatusOptions): Promise<UploadUrl>;

/**
 * PUTs a file to a presigned URL from {@link getUploadUrl}, with its `contentType` and never an
 * `Authorization` header (the URL carries its own signature). Retried only when the storage host
 * asks (429, or 503 with `Retry-After`).
 *
 * @param target - the {@link UploadUrl} (or any object with `uploadUrl`)
 * @param data - the file's bytes, at most {@link MAX_UPLOAD_BYTES}
 * @param options - see {@link UploadOptions}
 * @returns how many bytes went, and the storage host's status
 * @throws (rejects with) `TypeError` before anything is sent: a `target` without `uploadUrl`, an
 *   upload URL that is not `https:` (or `http:` to a loopback host), `data` of another type or
 *   larger than {@link MAX_UPLOAD_BYTES}, an unknown option (`token` and `baseUrl` included)
 * @throws (rejects with) {@link ProlificApiError} when the storage host refused the file (its
 *   status and body, e.g. 403 for a bad or expired signature)
 * @throws (rejects with) {@link NetworkError}, {@link TimeoutError} (`timeoutMs`)
 * @throws (rejects with) `signal.reason` when `signal` aborts
 *
 * @example
 * ```ts
 * await uploadDatasetFile(target, await readFile('reviews.jsonl'));
 * ```
 */
export declare function uploadDatasetFile(
  target: UploadTarget,
  data: UploadData,
  options?: UploadOptions,
): Promise<UploadResult>;

/**
 * Reads a V4 import job: `GET {baseUrl}/api/v1/data-collection/datasets/{datasetId}/imports/{importId}`,
 * retried as {@link getDatasetStatus}.
 *
 * @param datasetId - as for {@link getDatasetStatus}
 * @param importId - from {@link UploadUrl.importId}; not empty
 * @param options - see {@link StatusOptions}
 * @returns the import job
 * @throws (rejects with) the errors of {@link getDatasetStatus}; {@link InvalidResponseError} for a
 *   2xx without a `status` string
 *
 * @example
 * ```ts
 * const { status } = await getImportStatus(dataset.id, target.importId!);
 * ```
 */
export declare function getImportStatus(datasetId: string, importId: string, options?: StatusOptions): Promise<ImportJob>;

/**
 * Polls a V4 import job until it is terminal ({@link TERMINAL_IMPORT_STATUSES}) and resolves with
 * it, whichever it is: check `status` (`partial` carries the counts and `errors`, `failed` a
 * `reason`). Polls and retries as {@link waitForDataset}.
 *
 * @param datasetId - as for {@link getDatasetStatus}
 * @param importId - from {@link UploadUrl.importId}; not empty
 * @param options - see {@link WaitOptions}; `onStatus` receives each {@link ImportJob} read
 * @returns the terminal import job
 * @throws (rejects with) {@link TimeoutError} when `deadlineMs` passes
 * @throws (rejects with) {@link ProlificApiError} for a 4XX other than 408 and 429,
 *   {@link InvalidResponseError}, `TypeError` for invalid arguments, what `onStatus` threw,
 *   `signal.reason`
 *
 * @example
 * ```ts
 * const job = await waitForImport(dataset.id, importId, { deadlineMs: 30 * 60_000 });
 * if (job.status !== 'complete') console.warn(job.status, job.errors ?? job.reason);
 * ```
 */
export declare function waitForImport(
  datasetId: string,
  importId: string,
  options?: WaitOptions<ImportJob>,
): Promise<ImportJob>;

/**
 * The whole upload: {@link getUploadUrl}, {@link uploadDatasetFile}, then for a V4 dataset
 * {@link waitForImport} (resolving with the terminal import job), for a V3 dataset
 * {@link waitForDataset} (resolving with READY).
 *
 * @param upload - the dataset id, file name and bytes
 * @param options - see {@link UploadAndWaitOptions}
 * @returns the terminal {@link ImportJob} (V4; tell it apart with `'importId' in result`) or a
 *   {@link ReadyResult} (V3)
 * @throws (rejects with) whatever the three steps reject with, {@link DatasetProcessingError}
 *   when a V3 dataset ends in ERROR included, and what `onProgress` threw
 *
 * @example
 * ```ts
 * const result = await uploadAndWait({ datasetId: id, filename: 'reviews.jsonl', data },
 *   { onProgress: ({ stage }) => console.log(stage) });
 * ```
 */
export declare function uploadAndWait(
  upload: UploadAndWaitInput,
  options?: UploadAndWaitOptions,
): Promise<ImportJob | ReadyResult>;

/**
 * The four status functions with options bound by {@link createClient} (and by the status-only
 * entry's createClient, `prolific-dataset-status/status`). Options given to a call override the
 * bound ones, name by name. The object is frozen and holds no readable token.
 */
export interface StatusClient {
  /** {@link getDatasetStatus} with the bound options. */
  readonly getDatasetStatus: (datasetId: string, options?: StatusOptions) => Promise<DatasetStatusResult>;
  /** {@link waitForDataset} with the bound options. */
  readonly waitForDataset: (datasetId: string, options?: WaitOptions) => Promise<ReadyResult>;
  /** {@link getDatasetStatuses} with the bound options. */
  readonly getDatasetStatuses: (
    datasetIds: readonly string[],
    options?: StatusesOptions,
  ) => Promise<DatasetStatusesEntry[]>;
  /** {@link watchDatasets} with the bound options. */
  readonly watchDatasets: (datasetIds: readonly string[], options?: WatchOptions) => Promise<WatchEntry[]>;
}

/**
 * The functions with options bound by {@link createClient}. Options given to a call override
 * the bound ones, name by name. The object is frozen and holds no readable token.
 */
export interface Client extends StatusClient {
  /** {@link createDataset} with the bound options. */
  readonly createDataset: (dataset: NewDataset, options?: StatusOptions) => Promise<CreatedDataset>;
  /** {@link getDataset} with the bound options. */
  readonly getDataset: (datasetId: string, options?: StatusOptions) => Promise<Dataset>;
  /** {@link getUploadUrl} with the bound options. */
  readonly getUploadUrl: (datasetId: string, filename: string, options?: StatusOptions) => Promise<UploadUrl>;
  /** {@link uploadDatasetFile} with the bound `timeoutMs`, `maxRetries` and `signal`. */
  readonly uploadDatasetFile: (target: UploadTarget, data: UploadData, options?: UploadOptions) => Promise<UploadResult>;
  /** {@link getImportStatus} with the bound options. */
  readonly getImportStatus: (datasetId: string, importId: string, options?: StatusOptions) => Promise<ImportJob>;
  /** {@link waitForImport} with the bound options. */
  readonly waitForImport: (
    datasetId: string,
    importId: string,
    options?: WaitOptions<ImportJob>,
  ) => Promise<ImportJob>;
  /** {@link uploadAndWait} with the bound options. */
  readonly uploadAndWait: (upload: UploadAndWaitInput, options?: UploadAndWaitOptions) => Promise<ImportJob | ReadyResult>;
}

/**
 * Binds options once, for every function. Each function takes the bound options it knows
 * (e.g. `concurrency` only reaches `getDatasetStatuses`; `uploadDatasetFile` takes only
 * `timeoutMs`, `maxRetries` and `signal`).
 *
 * @param options - see {@link ClientOptions}
 * @returns a frozen {@link Client}
 * @throws `TypeError` (synchronously) for options that are not an object, an unknown option name
 *   or a value of the wrong type. Value rules of the Prolific contract (token characters, base URL,
 *   loopback) are checked at each call, which then rejects.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080', timeoutMs: 5000 });
 * const { status } = await client.getDatasetStatus('demo-ready');
 * ```
 */
export declare function createClient(options?: ClientOptions): Client;

/**
 * Base class of every error this library raises, other than a `TypeError` for invalid arguments
 * and an `AbortSignal`'s own reason. `name` is the class name. No message or field holds the
 * token: a token a server echoed back is replaced by `[REDACTED]`.
 */
export declare class ProlificError extends Error {
  /**
   * @param message - readable, one line
   * @param options - standard `Error` options
   */
  constructor(message: string, options?: { cause?: unknown });
  /** The class name. */
  name: string;
  /**
   * Set only when {@link waitForDataset} read no status (a V4 dataset; the error is then a plain
   * `ProlificError`, not a {@link DatasetProcessingError}): the dataset id, as given.
   */
  readonly datasetId?: string;
  /**
   * `null` when {@link waitForDataset} read no status (a V4 dataset: wait for its import jobs with
   * {@link watchDatasets} or {@link waitForImport}); the status read on a subclass that has one.
   */
  readonly status?: DatasetStatus | null;
}

/** Fields of a {@link ProlificApiError}, as its constructor takes them. */
export interface ProlificApiErrorFields {
  /** See {@link ProlificApiError.httpStatus}. */
  httpStatus: number;
  /** See {@link ProlificApiError.errorCode}. */
  errorCode?: number | undefined;
  /** See {@link ProlificApiError.title}. */
  title: string;
  /** See {@link ProlificApiError.detail}. */
  detail: string;
  /** See {@link ProlificApiError.additionalInformation}. */
  additionalInformation?: string | undefined;
  /** See {@link ProlificApiError.retryAfterMs}. */
  retryAfterMs?: number | undefined;
}

/**
 * The API answered with a status outside 2xx (documented: 400, 401, 404, 405, 422, 429; any
 * other happens too), or, for {@link uploadDatasetFile}, the storage host did. Fields come from Prolific's error body
 * `{"error": {"status", "error_code", "title", "detail", "additional_information"}}`, or from the
 * `{"message", "detail"}` shape; other bodies (gateway HTML, empty) leave the reason phrase as
 * `title` and an empty `detail`. Prolific's `traceback` is never copied.
 */
export declare class ProlificApiError extends ProlificError {
  /**
   * @param message - readable, one line
   * @param fields - the fields below
   */
  constructor(message: string, fields: ProlificApiErrorFields);
  /** Always `'ProlificApiError'`. */
  name: 'ProlificApiError';
  /** The HTTP status code, e.g. 404 ("not found or you do not have permissions"). */
  readonly httpStatus: number;
  /** Prolific's numeric `error_code`, when it sent one. */
  readonly errorCode: number | undefined;
  /** The error title, or the standard reason phrase; at most 500 bytes. */
  readonly title: string;
  /** The detail as readable text (arrays and field maps flattened); at most 2,000 bytes. */
  readonly detail: string;
  /** Prolific's `additional_information`, when it sent it. */
  readonly additionalInformation: string | undefined;
  /**
   * What the server's `Retry-After` asked for, in ms, unclamped (delay-seconds or an HTTP-date,
   * RFC 9110 §10.2.3), or `undefined` when it sent no valid one.
   */
  readonly retryAfterMs: number | undefined;
}

/**
 * No HTTP answer: connection refused or reset (also in the middle of a body), DNS failure, CORS
 * refusal, a redirect loop, more than 20 redirects, or a refused redirect (e.g. `https:` to `http:`).
 */
export declare class NetworkError extends ProlificError {
  /**
   * @param message - readable, one line
   * @param options - `cause`: what the runtime reported, where known
   */
  constructor(message: string, options?: { cause?: unknown });
  /** Always `'NetworkError'`. */
  name: 'NetworkError';
  /** What the runtime reported, where known (an `Error`). */
  cause?: unknown;
}

/** An HTTP attempt ran past `timeoutMs`, or a whole {@link waitForDataset} past `deadlineMs`. */
export declare class TimeoutError extends ProlificError {
  /**
   * @param message - readable, one line
   * @param fields - `timeoutMs`: the limit that was passed, in ms
   */
  constructor(message: string, fields: { timeoutMs: number });
  /** Always `'TimeoutError'`. */
  name: 'TimeoutError';
  /** The limit that was passed, in ms: `timeoutMs`, or `deadlineMs` for a wait. */
  readonly timeoutMs: number;
}

/**
 * A 2xx answer whose body is not the documented shape: for a status read, not
 * `{"status": "<non-empty string>"}`; for the lifecycle functions, a dataset without `id`, an
 * upload URL that is missing or unusable, an import job without `status`. Also: not JSON, wrong
 * types, larger than 1 MiB, nested deeper than 64 levels, invalid UTF-8, or no body (204).
 */
export declare class InvalidResponseError extends ProlificError {
  /**
   * @param message - readable, one line
   * @param fields - the fields below
   */
  constructor(message: string, fields: { httpStatus: number; bodySnippet: string });
  /** Always `'InvalidResponseError'`. */
  name: 'InvalidResponseError';
  /** The HTTP status code (2xx). */
  readonly httpStatus: number;
  /** The body's first 200 characters at most, invalid UTF-8 as U+FFFD, the token redacted. */
  readonly bodySnippet: string;
}

/**
 * {@link waitForDataset} (or {@link uploadAndWait} for a V3 dataset) read the status `ERROR`:
 * Prolific could not process the dataset.
 */
export declare class DatasetProcessingError extends ProlificError {
  /**
   * @param message - readable, one line
   * @param fields - the fields below
   */
  constructor(message: string, fields: { datasetId: string; status: DatasetStatus });
  /** Always `'DatasetProcessingError'`. */
  name: 'DatasetProcessingError';
  /** The dataset id, as given. */
  readonly datasetId: string;
  /** The status read: `'ERROR'`. */
  readonly status: DatasetStatus;
}

/**
 * Names where the module's WebAssembly comes from, for bundlers that do not emit
 * `prolific-dataset-status.wasm` next to the glue, for pages that serve it elsewhere, and for
 * bundles made for Node. Call it before the first call of the package.
 *
 * @param wasm The URL of `prolific-dataset-status.wasm` (in Node also a file path), its bytes, or
 *   the compiled `WebAssembly.Module` (what Cloudflare Workers hand over for a `.wasm` import).
 * @throws {TypeError} for another kind of value.
 */
export declare function setWasmSource(wasm: URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module): void;

/**
 * The instantiated WebAssembly module, for leak checks in the project's tests and benchmarks.
 * Not part of the stable API: it may change or go in any release.
 *
 * @internal
 */
export declare function loadModuleForDiagnostics(): Promise<unknown>;
