// Deliberate misuse of prolific-dataset-status. Every line marked `// expect-error TSnnnn` must
// produce exactly that TypeScript error, and no other line may produce one: tests/package.test.mjs
// compiles this file with tsconfig.json and compares the diagnostics with the marks, line by line.
// (Not `// @ts-expect-error`, which would hide which error occurred, or that a line failed for an
// unrelated reason.) Keep each misuse on one line.
import {
  getDatasetStatus, waitForDataset, getDatasetStatuses, createClient,
  DATASET_STATUSES, isTerminalStatus,
  ProlificApiError, TimeoutError, DatasetProcessingError, NetworkError,
  createDataset, getDataset, getUploadUrl, uploadDatasetFile, getImportStatus, waitForImport, uploadAndWait,
  TERMINAL_IMPORT_STATUSES, MAX_UPLOAD_BYTES,
} from 'prolific-dataset-status';
import type { DatasetStatus, StatusOptions, ReadyResult, DatasetStatusResult } from 'prolific-dataset-status';

export async function misuse(signal: AbortSignal): Promise<void> {
  // Dataset ids are strings.
  await getDatasetStatus(12345); // expect-error TS2345
  await getDatasetStatus(); // expect-error TS2554
  await waitForDataset(null); // expect-error TS2345
  await getDatasetStatuses('id-1'); // expect-error TS2345
  await getDatasetStatuses([1]); // expect-error TS2322

  // Unknown option names (typos, options of another function, snake_case) are excess properties.
  await getDatasetStatus('id', { tokn: 'tok' }); // expect-error TS2561
  await getDatasetStatus('id', { base_url: 'http://127.0.0.1' }); // expect-error TS2561
  await getDatasetStatus('id', { timeout: 1000 }); // expect-error TS2561
  await getDatasetStatus('id', { deadlineMs: 1000 }); // expect-error TS2353
  await getDatasetStatus('id', { concurrency: 2 }); // expect-error TS2353
  await waitForDataset('id', { interval: 1000 }); // expect-error TS2561
  await waitForDataset('id', { concurrency: 2 }); // expect-error TS2353
  await getDatasetStatuses(['id'], { intervalMs: 1000 }); // expect-error TS2353
  await getDatasetStatuses(['id'], { onStatus: () => {} }); // expect-error TS2353
  createClient({ retries: 3 }); // expect-error TS2353
  createClient({}).getDatasetStatus('id', { concurrency: 1 }); // expect-error TS2353
  const typo: StatusOptions = { maxRetry: 1 }; // expect-error TS2353

  // Option values of the wrong type.
  await getDatasetStatus('id', { timeoutMs: '30000' }); // expect-error TS2322
  await getDatasetStatus('id', { token: 42 }); // expect-error TS2322
  await getDatasetStatus('id', { signal: new AbortController() }); // expect-error TS2740
  await waitForDataset('id', { onStatus: 'log' }); // expect-error TS2322
  await waitForDataset('id', { onStatus: (result: string) => void result }); // expect-error TS2322
  await getDatasetStatus('id', null); // expect-error TS2345

  // Results: waitForDataset is READY only; an entry must be narrowed before reading status/error.
  const ready: ReadyResult = await waitForDataset('id');
  const notReady: 'ERROR' = ready.status; // expect-error TS2322
  const read: DatasetStatusResult = await getDatasetStatus('id');
  const known: 'READY' = read.status; // expect-error TS2322
  const entries = await getDatasetStatuses(['a', 'b']);
  const entry = entries[0]!;
  const unnarrowed: DatasetStatus = entry.status; // expect-error TS2339
  const unnarrowedError: Error = entry.error; // expect-error TS2339
  if ('error' in entry) {
    const wrong: DatasetStatus = entry.status; // expect-error TS2339
    void wrong;
  }
  ready.datasetId = 'other'; // (allowed: results are plain objects)

  // Constants and helpers.
  DATASET_STATUSES.push('NEW'); // expect-error TS2339
  DATASET_STATUSES[0] = 'READY'; // expect-error TS2540
  isTerminalStatus(5); // expect-error TS2345
  const isDone: string = isTerminalStatus('READY'); // expect-error TS2322

  // Error classes: fields are typed, readonly, and only on their class.
  try {
    await waitForDataset('id', { signal });
  } catch (error: unknown) {
    void error.message; // expect-error TS18046
    if (error instanceof ProlificApiError) {
      const code: number = error.errorCode; // expect-error TS2322
      error.httpStatus = 500; // expect-error TS2540
      void error.timeoutMs; // expect-error TS2339
    }
    if (error instanceof TimeoutError) {
      void error.httpStatus; // expect-error TS2339
    }
    if (error instanceof DatasetProcessingError) {
      const other: number = error.datasetId; // expect-error TS2322
      void other;
    }
    if (error instanceof NetworkError) {
      const name: 'TimeoutError' = error.name; // expect-error TS2322
      void name;
    }
  }
  new ProlificApiError('x', { httpStatus: 404 }); // expect-error TS2345
  new TimeoutError('x'); // expect-error TS2554

  // The dataset lifecycle.
  await createDataset({ name: 'n' }); // expect-error TS2345
  await createDataset({ name: 'n', workspace_id: 'w' }); // expect-error TS2561
  await createDataset({ name: 'n', workspaceId: 'w', schema: 'v4' }); // expect-error TS2322
  await createDataset({ name: 'n', workspaceId: 'w' }, { concurrency: 1 }); // expect-error TS2353
  const created = await createDataset({ name: 'n', workspaceId: 'w' });
  const version: number = created.schemaVersion; // expect-error TS2322
  const imports = (await getDataset('id')).imports;
  void imports.length; // expect-error TS18048
  await getUploadUrl('id'); // expect-error TS2554
  const target = await getUploadUrl('id', 'data.csv');
  const importId: string = target.importId; // expect-error TS2322
  await uploadDatasetFile(target, 'data', { token: 'tok' }); // expect-error TS2353
  await uploadDatasetFile(target, 'data', { baseUrl: 'http://127.0.0.1' }); // expect-error TS2353
  await uploadDatasetFile(target, 12345); // expect-error TS2345
  await uploadDatasetFile('https://storage.example.com/x', 'data'); // expect-error TS2345
  await getImportStatus('id', 7); // expect-error TS2345
  await waitForImport('id', 'import', { onStatus: (job: { importId: number }) => void job }); // expect-error TS2322
  await waitForImport('id', 'import', { concurrency: 2 }); // expect-error TS2353
  await uploadAndWait({ datasetId: 'id', filename: 'f.csv' }); // expect-error TS2345
  await uploadAndWait({ datasetId: 'id', filename: 'f.csv', data: 'x' }, { onProgress: 'log' }); // expect-error TS2322
  await uploadAndWait({ datasetId: 'id', filename: 'f.csv', data: 'x' }, { uploadTimeout: 1 }); // expect-error TS2561
  const outcome = await uploadAndWait({ datasetId: 'id', filename: 'f.csv', data: 'x' });
  void outcome.importId; // expect-error TS2339
  TERMINAL_IMPORT_STATUSES.push('done'); // expect-error TS2339
  MAX_UPLOAD_BYTES = 1; // expect-error TS2632

  // The client has exactly the documented functions.
  const client = createClient({ baseUrl: 'http://127.0.0.1:8080' });
  client.getStatus('id'); // expect-error TS2339
  client.getDatasetStatus = getDatasetStatus; // expect-error TS2540

  void [typo, notReady, known, unnarrowed, unnarrowedError, isDone, version, importId];
}
