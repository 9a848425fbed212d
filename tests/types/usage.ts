// Correct use of every public name of prolific-dataset-status. It must compile without a single
// error under tests/types/tsconfig.json (strict, exactOptionalPropertyTypes); tests/package.test.mjs
// checks that. The package is imported by name, so the declarations come through package.json.
import {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient,
  DATASET_STATUSES, isTerminalStatus,
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
  loadModuleForDiagnostics,
  createDataset, getDataset, getUploadUrl, uploadDatasetFile, getImportStatus, waitForImport, uploadAndWait,
  TERMINAL_IMPORT_STATUSES, MAX_UPLOAD_BYTES, checkClientOptions,
} from 'prolific-dataset-status';
import type {
  DatasetStatus, TerminalStatus, StatusOptions, WaitOptions, StatusesOptions, ClientOptions,
  WaitProgress, DatasetStatusResult, ReadyResult, DatasetStatusFailure, DatasetStatusesEntry, Client,
  ProlificApiErrorFields,
  ImportStatus, TerminalImportStatus, NewDataset, CreatedDataset, Dataset, ImportJobState, ImportJob, DatasetImport,
  UploadTarget, UploadUrl, UploadData, UploadOptions, UploadResult, UploadAndWaitInput, UploadProgress,
  UploadAndWaitOptions, WatchOptions, WatchUpdate, WatchResult, WatchEntry,
} from 'prolific-dataset-status';

// Compile-time assertions: Equal<A, B> is true only for identical types, and IsAny catches an
// import that silently became `any` (which would make every check below pass).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assertType<T extends true>(): T | void {}

assertType<Equal<IsAny<typeof getDatasetStatus>, false>>();
assertType<Equal<IsAny<typeof ProlificApiError>, false>>();
assertType<Equal<Awaited<ReturnType<typeof getDatasetStatus>>, DatasetStatusResult>>();
assertType<Equal<Awaited<ReturnType<typeof waitForDataset>>, ReadyResult>>();
assertType<Equal<Awaited<ReturnType<typeof getDatasetStatuses>>, DatasetStatusesEntry[]>>();
assertType<Equal<DatasetStatusesEntry, DatasetStatusResult | DatasetStatusFailure>>();
assertType<Equal<ReturnType<typeof createClient>, Client>>();
assertType<Equal<TerminalStatus, 'READY' | 'ERROR'>>();
assertType<Equal<(typeof DATASET_STATUSES)[number], 'UNINITIALISED' | 'PROCESSING' | 'READY' | 'ERROR'>>();
assertType<Equal<Awaited<ReturnType<typeof loadModuleForDiagnostics>>, unknown>>();
assertType<Equal<Awaited<ReturnType<typeof createDataset>>, CreatedDataset>>();
assertType<Equal<Awaited<ReturnType<typeof getDataset>>, Dataset>>();
assertType<Equal<Awaited<ReturnType<typeof checkClientOptions>>, { baseUrl: string; hasToken: boolean }>>();
assertType<Equal<Awaited<ReturnType<typeof getUploadUrl>>, UploadUrl>>();
assertType<Equal<Awaited<ReturnType<typeof uploadDatasetFile>>, UploadResult>>();
assertType<Equal<Awaited<ReturnType<typeof getImportStatus>>, ImportJob>>();
assertType<Equal<Awaited<ReturnType<typeof waitForImport>>, ImportJob>>();
assertType<Equal<Awaited<ReturnType<typeof uploadAndWait>>, ImportJob | ReadyResult>>();
assertType<Equal<(typeof TERMINAL_IMPORT_STATUSES)[number], TerminalImportStatus>>();
assertType<Equal<typeof MAX_UPLOAD_BYTES, number>>();

export async function everything(signal: AbortSignal): Promise<void> {
  // getDatasetStatus with no options, and with every option.
  const first: DatasetStatusResult = await getDatasetStatus('65f1c0a4e1b2c3d4e5f60718');
  const id: string = first.datasetId;
  const status: DatasetStatus = first.status;
  const statusOptions: StatusOptions = {
    token: 'tok', baseUrl: 'http://127.0.0.1:8081', timeoutMs: 5000, maxRetries: 0, signal,
  };
  await getDatasetStatus(id, statusOptions);
  await getDatasetStatus(id, { token: undefined, signal: AbortSignal.timeout(1000) });

  // The open status type: the four values complete, any other string is accepted.
  const known: DatasetStatus = 'PROCESSING';
  const newer: DatasetStatus = 'SOMETHING_NEW';
  switch (status) {
    case 'UNINITIALISED': case 'PROCESSING': case 'READY': case 'ERROR': break;
    default: { const other: string = status; void other; }
  }
  const statuses: readonly DatasetStatus[] = DATASET_STATUSES;
  const firstStatus: 'UNINITIALISED' = DATASET_STATUSES[0];
  if (isTerminalStatus(status)) {
    const terminal: TerminalStatus = status;
    void terminal;
  }
  const terminalFlag: boolean = isTerminalStatus(newer);

  // waitForDataset: the result is READY by type; onStatus gets the result and progress.
  const waitOptions: WaitOptions = {
    ...statusOptions,
    intervalMs: 2000,
    maxIntervalMs: 30000,
    deadlineMs: 15 * 60_000,
    onStatus: (result: DatasetStatusResult, progress: WaitProgress) => {
      const attempt: number = progress.attempt;
      const elapsedMs: number = progress.elapsedMs;
      void [result.datasetId, result.status, attempt, elapsedMs];
    },
  };
  const ready: ReadyResult = await waitForDataset(id, waitOptions);
  const readyStatus: 'READY' = ready.status;
  await waitForDataset(id, { onStatus: async ({ status: seen }, { attempt }) => { void [seen, attempt]; } });
  const seenResults: DatasetStatusResult[] = [];
  await waitForDataset(id, { onStatus: (result) => seenResults.push(result) }); // any return type

  // getDatasetStatuses: entries are narrowed before use.
  const entries = await getDatasetStatuses(['a', 'b'], { concurrency: 4, maxRetries: 1 });
  const ids: readonly string[] = ['a', 'b'] as const;
  await getDatasetStatuses(ids);
  for (const entry of entries) {
    if ('error' in entry) {
      const failure: DatasetStatusFailure = entry;
      const message: string = failure.error.message;
      void message;
    } else {
      const okStatus: DatasetStatus = entry.status;
      void okStatus;
    }
    const either: string = 'status' in entry ? entry.status : entry.error.message;
    void either;
  }
  const statusesOptions: StatusesOptions = { concurrency: 1, timeoutMs: 0 };

  // watchDatasets: one budget, updates as each read ends, entries narrowed before use.
  const watchOptions: WatchOptions = {
    concurrency: 4, intervalMs: 1000, maxIntervalMs: 10_000, deadlineMs: 600_000,
    onUpdate: (update: WatchUpdate) => {
      const fields: [string, DatasetStatus | null, boolean, boolean, number, number] = [
        update.datasetId, update.status, update.changed, update.terminal, update.attempt, update.elapsedMs];
      void [fields, update.error?.message, update.imports?.map((job) => job.status)];
    },
  };
  const watched: WatchEntry[] = await watchDatasets(['a', 'b'], watchOptions);
  for (const entry of watched) {
    if ('error' in entry) {
      void entry.error.message;
    } else {
      const finished: WatchResult = entry;
      void [finished.status, finished.imports?.length];
    }
  }

  // createClient: every option of the three functions; per-call options override.
  const clientOptions: ClientOptions = { ...waitOptions, ...statusesOptions };
  const client: Client = createClient(clientOptions);
  createClient();
  await client.getDatasetStatus(id, { timeoutMs: 1000 });
  const clientReady: ReadyResult = await client.waitForDataset(id, { deadlineMs: 1000 });
  const clientEntries: DatasetStatusesEntry[] = await client.getDatasetStatuses([id], { concurrency: 2 });
  const clientWatched: WatchEntry[] = await client.watchDatasets([id], { deadlineMs: 1000 });
  createClient({ onUpdate: ({ datasetId }) => console.log(datasetId) });

  // Errors: classes, instanceof narrowing and fields.
  try {
    await waitForDataset(id);
  } catch (error: unknown) {
    if (error instanceof ProlificApiError) {
      const fields: [number, number | undefined, string, string, string | undefined, number | undefined] = [
        error.httpStatus, error.errorCode, error.title, error.detail, error.additionalInformation, error.retryAfterMs,
      ];
      const name: 'ProlificApiError' = error.name;
      void [fields, name];
    } else if (error instanceof NetworkError) {
      const cause: unknown = error.cause;
      void cause;
    } else if (error instanceof TimeoutError) {
      const limit: number = error.timeoutMs;
      void limit;
    } else if (error instanceof InvalidResponseError) {
      const details: [number, string] = [error.httpStatus, error.bodySnippet];
      void details;
    } else if (error instanceof DatasetProcessingError) {
      const details: [string, DatasetStatus] = [error.datasetId, error.status];
      void details;
    } else if (error instanceof ProlificError) {
      const base: Error = error;
      const name: string = error.name;
      void [base, name];
    } else if (error instanceof TypeError) {
      // invalid arguments
    } else {
      throw error;
    }
  }
  const apiFields: ProlificApiErrorFields = { httpStatus: 404, title: 'Not Found', detail: 'No such dataset.' };
  const errors: ProlificError[] = [
    new ProlificError('x'),
    new ProlificError('x', { cause: new Error('y') }),
    new ProlificApiError('x', apiFields),
    new ProlificApiError('x', { ...apiFields, errorCode: 140100, additionalInformation: 'more', retryAfterMs: 1000 }),
    new NetworkError('x'),
    new NetworkError('x', { cause: new Error('ECONNRESET') }),
    new TimeoutError('x', { timeoutMs: 30000 }),
    new InvalidResponseError('x', { httpStatus: 200, bodySnippet: '{}' }),
    new DatasetProcessingError('x', { datasetId: id, status: 'ERROR' }),
  ];

  // The dataset lifecycle: create, upload, wait.
  const newDataset: NewDataset = { name: 'Reviews', workspaceId: 'ws-1', schema: { fields: [{ name: 'text' }] } };
  const created: CreatedDataset = await createDataset(newDataset, { maxRetries: 0 });
  await createDataset({ name: 'Legacy', workspaceId: 'ws-1' });
  const createdFields: [string, string, string | undefined, DatasetStatus | undefined, number | undefined,
    string | undefined, number | undefined] = [created.id, created.name, created.workspaceId, created.status,
    created.schemaVersion, created.createdAt, created.totalDatapointCount];
  const dataset: Dataset = await getDataset(created.id, statusOptions);
  for (const listed of dataset.imports ?? []) {
    const item: DatasetImport = listed;
    const itemFields: [string | undefined, string | undefined, ImportStatus] = [item.id, item.filename, item.status];
    void itemFields;
  }
  const target: UploadUrl = await getUploadUrl(created.id, 'reviews.jsonl', { timeoutMs: 5000 });
  const targetFields: [string, string, string, 'PUT', string | undefined, string | undefined, string | undefined,
    string | undefined] = [target.datasetId, target.filename, target.uploadUrl, target.httpMethod, target.expiresAt,
    target.contentType, target.fileKey, target.importId];
  const uploadOptions: UploadOptions = { timeoutMs: 600_000, maxRetries: 1, signal };
  const datas: UploadData[] = [new Uint8Array(1), new ArrayBuffer(1), new DataView(new ArrayBuffer(1)),
    new Blob(['x']), 'text'];
  const uploaded: UploadResult = await uploadDatasetFile(target, datas[0]!, uploadOptions);
  const uploadTarget: UploadTarget = { uploadUrl: 'https://storage.example.com/x', contentType: 'text/csv' };
  await uploadDatasetFile(uploadTarget, 'a,b\n1,2\n');
  const uploadedFields: [string | undefined, number, number] = [uploaded.datasetId, uploaded.bytes, uploaded.httpStatus];
  if (target.importId !== undefined) {
    const job: ImportJob = await getImportStatus(created.id, target.importId, statusOptions);
    const state: ImportJobState = job;
    const jobFields: [string, string, ImportStatus, number | undefined, number | undefined, string[] | undefined,
      string | undefined] = [job.datasetId, job.importId, state.status, job.acceptedCount, job.rejectedCount,
      job.errors, job.reason];
    const importWait: WaitOptions<ImportJob> = {
      deadlineMs: 60_000,
      onStatus: (seen: ImportJob, { attempt }) => { void [seen.importId, attempt]; },
    };
    const finished = await waitForImport(created.id, target.importId, importWait);
    if (TERMINAL_IMPORT_STATUSES.includes(finished.status as TerminalImportStatus)) {
      const done: ImportStatus = finished.status;
      void done;
    }
    void jobFields;
  }
  const input: UploadAndWaitInput = { datasetId: created.id, filename: 'reviews.jsonl', data: 'x' };
  const uploadAndWaitOptions: UploadAndWaitOptions = {
    ...statusOptions,
    uploadTimeoutMs: 0,
    deadlineMs: 60_000,
    onProgress: (progress: UploadProgress) => {
      const stage: 'upload-url' | 'uploading' | 'processing' = progress.stage;
      void [stage, progress.datasetId, progress.importId];
    },
    onStatus: (seen) => { void [seen.datasetId, seen.status, 'importId' in seen ? seen.importId : undefined]; },
  };
  const outcome = await uploadAndWait(input, uploadAndWaitOptions);
  if ('importId' in outcome) {
    const job: ImportJob = outcome;
    void job;
  } else {
    const v3: ReadyResult = outcome;
    void v3;
  }
  const tooBig: boolean = datas.length > MAX_UPLOAD_BYTES;
  await client.createDataset(newDataset);
  await client.getDataset(created.id);
  const clientTarget = await client.getUploadUrl(created.id, 'data.csv');
  await client.uploadDatasetFile(clientTarget, new Uint8Array(0), { timeoutMs: 1000 });
  await client.getImportStatus(created.id, 'import-1');
  await client.waitForImport(created.id, 'import-1', { intervalMs: 500 });
  await client.uploadAndWait(input, { onProgress: ({ stage }) => console.log(stage) });
  void [createdFields, targetFields, uploadedFields, tooBig];

  // Not stable, but declared.
  const diagnostics: unknown = await loadModuleForDiagnostics();

  void [known, statuses, firstStatus, terminalFlag, readyStatus, clientReady, clientEntries, errors, diagnostics];
}
