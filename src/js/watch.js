/**
 * watchDatasets: the JavaScript side of the watch schedule of src/core/watch.hpp. The module
 * decides which dataset is due, what to read for it (its status; for a V4 dataset the dataset
 * itself, whose import jobs carry the state: one request per round however many jobs), every delay
 * and when a dataset or the call is finished; this file sends the reads it hands out (one HTTP
 * attempt each, through the package's own operations), reports their outcomes back, calls
 * onUpdate and builds the results.
 * @module
 */
import {
  ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError, errorFromValue,
} from './errors.js';

/** setTimeout holds delays up to 2^31 - 1 ms; the schedule is asked again when a longer one ends. */
const MAX_TIMER_MS = 2147483647;

/**
 * The id of an import job as a dataset read lists it (its `importId`, or `id` in older shapes).
 * @param {object} job one entry of getDataset(...).imports
 * @returns {string | undefined}
 */
export function importIdOf(job) {
  const id = job?.importId ?? job?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** What the schedule needs to know of a failed read: the module's error kind and HTTP fields. */
function failureOf(error) {
  if (error instanceof ProlificApiError) {
    return { kind: 'api', httpStatus: error.httpStatus, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof NetworkError) return { kind: 'network' };
  if (error instanceof TimeoutError) return { kind: 'timeout' };
  if (error instanceof InvalidResponseError) return { kind: 'invalid_response', httpStatus: error.httpStatus };
  if (error instanceof DatasetProcessingError) return { kind: 'dataset_processing' };
  return { kind: 'invalid_argument' };
}

/**
 * Checks the options that hold for the whole call with the module's rules.
 * @throws {TypeError} when the base URL, token, timeout or retries are wrong for every dataset
 */
export function checkCallOptions(module, settings) {
  const problem = module.checkClientOptions({
    baseUrl: settings.baseUrl, token: settings.token, timeoutMs: settings.timeoutMs, maxRetries: settings.maxRetries,
  });
  if (problem !== undefined) throw errorFromValue(problem);
}

/**
 * Runs one watchDatasets call (see api.js for the public contract).
 * @param {object} parts
 * @param {object} parts.module the loaded WebAssembly module
 * @param {(fields: object, settings: object) => Promise<object>} parts.read runs one operation
 *   of the module (one HTTP attempt: maxRetries 0) and settles with its public result or error
 * @param {unknown[]} parts.datasetIds a snapshot of the caller's ids
 * @param {object} parts.settings resolved options (intervalMs, maxIntervalMs, deadlineMs,
 *   concurrency, timeoutMs, signal, onUpdate, token, baseUrl)
 * @param {(fail: (error: Error) => void) => () => void} [parts.onModuleLost] registers `fail`, to
 *   be called when the module's runtime dies (then the whole call rejects with that error and
 *   nothing more is asked of the dead module); returns the function that unregisters it
 * @returns {Promise<Array<{ datasetId, status, imports? } | { datasetId, error }>>}
 */
export function runWatch({ module, read, datasetIds, settings, onModuleLost }) {
  const { signal, onUpdate } = settings;
  signal?.throwIfAborted();
  const created = module.createWatch({
    count: datasetIds.length,
    concurrency: settings.concurrency,
    intervalMs: settings.intervalMs,
    maxIntervalMs: settings.maxIntervalMs,
    deadlineMs: settings.deadlineMs,
    seed: Math.floor(Math.random() * 2 ** 52) + 1,
    nowMs: performance.now(),
  });
  if (created.error) throw errorFromValue(created.error);
  const { handle } = created;
  const results = new Array(datasetIds.length);
  const statuses = new Array(datasetIds.length).fill(undefined);
  /** Import jobs by dataset position: Map(importId → the job as last read), in listed order. */
  const imports = datasetIds.map(() => null);
  /** Import jobs the last dataset read left out of its list (getDataset's omittedImportCount). */
  const omitted = new Array(datasetIds.length).fill(0);
  const controllers = new Map();
  const readOptions = { ...settings, maxRetries: 0, onStatus: undefined };

  return new Promise((resolve, reject) => {
    let ended = false;
    let moduleLost = false;
    let timer = null;

    const end = (settle, value) => {
      if (ended) return;
      ended = true;
      if (timer !== null) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unregisterModuleLost();
      for (const controller of controllers.values()) controller.abort();
      controllers.clear();
      if (!moduleLost) module.watchClose(handle);
      settle(value);
    };
    const onAbort = () => end(reject, signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    // A dead runtime ends the whole call, as it ends every other call in flight: its schedule lived
    // in the dead module, so no dataset's result could be trusted or continued.
    const unregisterModuleLost = onModuleLost?.((error) => {
      moduleLost = true;
      end(reject, error);
    }) ?? (() => {});

    const importList = (index) => (imports[index] ? [...imports[index].values()] : undefined);

    /** Adds a V4 dataset's import jobs (and how many its last read left out) to `out`. */
    const withImports = (index, out) => {
      const list = importList(index);
      if (list) out.imports = list;
      if (omitted[index] > 0) out.omittedImportCount = omitted[index];
      return out;
    };

    const resultOf = (index) => {
      const datasetId = datasetIds[index];
      return imports[index] ? withImports(index, { datasetId, status: statuses[index] ?? null })
        : { datasetId, status: statuses[index] };
    };

    const deadlineError = (index) => {
      const datasetId = datasetIds[index];
      const last = statuses[index] ? ` (last status ${statuses[index]})` : '';
      const what = imports[index] ? 'its import jobs were not all terminal' : 'it was not READY or ERROR';
      return new TimeoutError(`Dataset ${JSON.stringify(String(datasetId)).slice(0, 200)}: ${what} within ${
        settings.deadlineMs} ms${last}`, { timeoutMs: settings.deadlineMs });
    };

    const deliver = (index, update, error) => {
      const datasetId = datasetIds[index];
      const out = { datasetId, status: statuses[index] ?? null, changed: update.changed, terminal: update.terminal,
        attempt: update.attempt, elapsedMs: update.elapsedMs };
      if (error !== undefined) out.error = error;
      withImports(index, out);
      if (update.terminal) results[index] = error !== undefined ? { datasetId, error } : resultOf(index);
      if (update.failsCall) {
        end(reject, error);
        return;
      }
      if (!onUpdate) return;
      try {
        const returned = onUpdate(out);
        if (returned && typeof returned.then === 'function') returned.then(undefined, (thrown) => end(reject, thrown));
      } catch (thrown) {
        end(reject, thrown);
      }
    };

    const settleRead = (index, controller, outcome) => {
      if (ended || controller.signal.aborted) return;
      controllers.delete(index);
      const now = performance.now();
      let update;
      let error;
      if ('error' in outcome) {
        error = outcome.error;
        update = module.watchOnFailure(handle, index, failureOf(error), now);
      } else if (outcome.kind === 'status') {
        statuses[index] = outcome.status;
        update = module.watchOnStatus(handle, index, outcome.status, now);
      } else {
        const { dataset } = outcome;
        const known = imports[index] ?? new Map();
        const listed = new Map();
        for (const job of Array.isArray(dataset.imports) ? dataset.imports : []) {
          const importId = importIdOf(job);
          if (importId !== undefined) listed.set(importId, job);
        }
        update = module.watchOnDataset(handle, index,
          [...listed.entries()].map(([importId, job]) => ({ importId, status: String(job.status) })),
          dataset.omittedImportCount, now);
        if (update !== null) {
          // The jobs as the schedule holds them: this read's, or the earlier read of a job the
          // schedule keeps terminal when this listing says otherwise.
          const held = new Map();
          for (const { importId, status } of update.imports) {
            const job = listed.get(importId);
            held.set(importId, job && String(job.status) === status ? job : known.get(importId) ?? { ...job, status });
          }
          imports[index] = held;
          omitted[index] = Number.isInteger(dataset.omittedImportCount) ? dataset.omittedImportCount : 0;
        }
      }
      if (update === null) return;
      deliver(index, update, error);
      pump();
    };

    const startRead = (next) => {
      const { index, kind } = next;
      const datasetId = datasetIds[index];
      const controller = new AbortController();
      controllers.set(index, controller);
      const options = { ...readOptions, signal: controller.signal };
      const reading = kind === 'status'
        ? read({ kind: 'datasetStatus', datasetId }, options).then((result) => ({ kind, status: result.status }))
        : read({ kind: 'dataset', datasetId }, options).then((dataset) => ({ kind, dataset }));
      reading.then((outcome) => settleRead(index, controller, outcome),
        (error) => settleRead(index, controller, { error }));
    };

    const pump = () => {
      if (ended) return;
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      let now = performance.now();
      for (const index of module.watchExpire(handle, now)) {
        controllers.get(index)?.abort();
        controllers.delete(index);
        results[index] = { datasetId: datasetIds[index], error: deadlineError(index) };
      }
      for (let next = module.watchTakeDue(handle, now); next !== null; next = module.watchTakeDue(handle, now)) {
        startRead(next);
        if (ended) return;
        now = performance.now();
      }
      if (module.watchDone(handle)) {
        end(resolve, results);
        return;
      }
      const wake = module.watchNextWakeMs(handle, performance.now());
      if (wake >= 0) timer = setTimeout(pump, Math.min(Math.ceil(wake), MAX_TIMER_MS));
    };

    pump();
  });
}
