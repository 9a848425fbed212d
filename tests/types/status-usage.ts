// Correct use of prolific-dataset-status/status (src/js/status.d.ts): it must compile without an
// error under tests/types/tsconfig.json; tests/package.test.mjs checks that.
import {
  getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
  DATASET_STATUSES, isTerminalStatus, TERMINAL_IMPORT_STATUSES, setWasmSource,
  ProlificError, ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from 'prolific-dataset-status/status';
import type {
  DatasetStatusResult, ReadyResult, StatusClient, StatusClientOptions, WatchEntry, DatasetStatusesEntry,
} from 'prolific-dataset-status/status';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assertType<T extends true>(): T | void {}

assertType<Equal<IsAny<typeof getDatasetStatus>, false>>();
assertType<Equal<Awaited<ReturnType<typeof getDatasetStatus>>, DatasetStatusResult>>();
assertType<Equal<Awaited<ReturnType<typeof waitForDataset>>, ReadyResult>>();
assertType<Equal<Awaited<ReturnType<typeof getDatasetStatuses>>, DatasetStatusesEntry[]>>();
assertType<Equal<Awaited<ReturnType<typeof watchDatasets>>, WatchEntry[]>>();
assertType<Equal<ReturnType<typeof createClient>, StatusClient>>();

export async function statusOnly(): Promise<void> {
  setWasmSource(new URL('https://example.test/prolific-dataset-status.wasm'));
  const clientOptions: StatusClientOptions = { baseUrl: 'http://127.0.0.1:8080', concurrency: 2, intervalMs: 500 };
  const client = createClient(clientOptions);
  const { status } = await client.getDatasetStatus('demo-ready');
  if (status !== null && isTerminalStatus(status) && DATASET_STATUSES.includes(status)) console.log(status);
  const watched = await client.watchDatasets(['a', 'b'], { onUpdate: (update) => console.log(update.changed) });
  for (const entry of watched) if ('error' in entry) console.log(entry.error.message);
  const { hasToken } = await checkClientOptions({ baseUrl: 'http://127.0.0.1:8080' });
  console.log(hasToken, TERMINAL_IMPORT_STATUSES.length);
  try {
    await waitForDataset('x', { deadlineMs: 1000 });
  } catch (error) {
    if (error instanceof ProlificApiError) console.log(error.httpStatus, error.retryAfterMs);
    else if (error instanceof DatasetProcessingError) console.log(error.datasetId);
    else if (error instanceof TimeoutError) console.log(error.timeoutMs);
    else if (error instanceof InvalidResponseError || error instanceof NetworkError) console.log(error.name);
    else if (error instanceof ProlificError) console.log(error.message);
  }
}
