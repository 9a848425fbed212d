/**
 * The public API, shared by the Node and browser entry points. It adapts JavaScript to the
 * WebAssembly module: option checking and defaults, AbortSignal hookup, onStatus delivery, and
 * mapping of the module's error values to the error classes. Retries, waiting and every decision
 * about answers are taken by the module (src/core).
 * @module
 */
import { ProlificError, errorFromValue } from './errors.js';

/** The four statuses of the Prolific API reference, in lifecycle order. */
export const DATASET_STATUSES = Object.freeze(['UNINITIALISED', 'PROCESSING', 'READY', 'ERROR']);

/**
 * Whether a dataset status is final (Prolific API reference: READY and ERROR never change).
 * @param {string} status a status string
 * @returns {boolean} true for 'READY' and 'ERROR', false for anything else
 */
export function isTerminalStatus(status) {
  return status === 'READY' || status === 'ERROR';
}

const READ_OPTIONS = ['token', 'baseUrl', 'timeoutMs', 'maxRetries', 'signal'];
const WAIT_OPTIONS = [...READ_OPTIONS, 'intervalMs', 'maxIntervalMs', 'deadlineMs', 'onStatus'];
const MANY_OPTIONS = [...READ_OPTIONS, 'concurrency'];
const CLIENT_OPTIONS = [...new Set([...WAIT_OPTIONS, ...MANY_OPTIONS])];

const DEFAULTS = Object.freeze({
  timeoutMs: 30000,
  maxRetries: 2,
  intervalMs: 2000,
  maxIntervalMs: 30000,
  deadlineMs: 15 * 60 * 1000,
  concurrency: 6,
});

const LARGEST_OPERATION_ID = 2147483647;

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function checkNumber(options, name, { min, integer = false, above = false }) {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  const ok = typeof value === 'number' && Number.isFinite(value) && (above ? value > min : value >= min) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const what = integer ? 'a whole number' : 'a finite number';
    throw new TypeError(`${name} must be ${what} ${above ? 'above' : 'of at least'} ${min}, not ${
      typeof value === 'number' ? value : describe(value)}`);
  }
  return value;
}

function isAbortSignal(value) {
  return typeof value === 'object' && value !== null && typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' && typeof value.removeEventListener === 'function';
}

/**
 * Checks the JS types of `options` and fills in defaults. Value rules that belong to the Prolific
 * contract (token characters, base URL, loopback) are checked by the module.
 * @throws {TypeError} for a non-object, an unknown option name or a value of the wrong type
 */
function resolveOptions(options, allowedNames, environmentDefaults) {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`options must be an object, not ${describe(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!allowedNames.includes(name)) {
      throw new TypeError(`unknown option "${String(name).slice(0, 64)}"; this function takes: ${allowedNames.join(', ')}`);
    }
  }
  const defaults = environmentDefaults();
  const token = options.token === undefined ? defaults.token : options.token;
  if (token !== undefined && typeof token !== 'string') {
    throw new TypeError(`token must be a string, not ${describe(token)}`);
  }
  const baseUrl = options.baseUrl === undefined ? defaults.baseUrl : options.baseUrl;
  if (typeof baseUrl !== 'string') throw new TypeError(`baseUrl must be a string, not ${describe(baseUrl)}`);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new TypeError(`signal must be an AbortSignal, not ${describe(options.signal)}`);
  }
  if (options.onStatus !== undefined && typeof options.onStatus !== 'function') {
    throw new TypeError(`onStatus must be a function, not ${describe(options.onStatus)}`);
  }
  return {
    token,
    baseUrl,
    timeoutMs: checkNumber(options, 'timeoutMs', { min: 0 }),
    maxRetries: checkNumber(options, 'maxRetries', { min: 0, integer: true }),
    signal: options.signal,
    intervalMs: checkNumber(options, 'intervalMs', { min: 0, above: true }),
    maxIntervalMs: checkNumber(options, 'maxIntervalMs', { min: 0 }),
    deadlineMs: checkNumber(options, 'deadlineMs', { min: 0 }),
    onStatus: options.onStatus,
    concurrency: checkNumber(options, 'concurrency', { min: 1, integer: true }),
  };
}

function checkDatasetId(datasetId) {
  if (typeof datasetId !== 'string' || datasetId === '') {
    throw new TypeError(`datasetId must be a non-empty string, not ${
      datasetId === '' ? 'an empty string' : describe(datasetId)}`);
  }
}

function pick(object, names) {
  const out = {};
  for (const name of names) if (object[name] !== undefined) out[name] = object[name];
  return out;
}

/**
 * Builds the public functions around a module loader.
 * @param {object} runtime
 * @param {(hooks: { onAbort: (what: unknown) => void }) => Promise<object>} runtime.loadModule
 *   instantiates the WebAssembly module; `onAbort` must be passed on as Module.onAbort
 * @param {() => { token?: string, baseUrl: string }} runtime.environmentDefaults defaults read at
 *   each call (Node: PROLIFIC_TOKEN and PROLIFIC_URL)
 * @returns the public API: getDatasetStatus, waitForDataset, getDatasetStatuses, createClient
 */
export function createApi({ loadModule, environmentDefaults }) {
  let modulePromise = null;
  let nextOperationId = 1;
  /** Reject functions of the calls in flight, by operation id, for a module that dies. */
  const inFlight = new Map();

  function getModule() {
    if (!modulePromise) {
      const loading = loadModule({
        onAbort(what) {
          // The runtime is dead (out of memory, an internal fault): fail what runs, load afresh next time.
          if (modulePromise === loading) modulePromise = null;
          const error = new ProlificError(`The WebAssembly module stopped: ${String(what).slice(0, 200)}`);
          for (const reject of [...inFlight.values()]) reject(error);
        },
      });
      modulePromise = loading;
      loading.catch(() => { if (modulePromise === loading) modulePromise = null; });
    }
    return modulePromise;
  }

  function takeOperationId() {
    do {
      nextOperationId = nextOperationId >= LARGEST_OPERATION_ID ? 1 : nextOperationId + 1;
    } while (inFlight.has(nextOperationId));
    return nextOperationId;
  }

  async function run(datasetId, settings, waitFor) {
    checkDatasetId(datasetId);
    const { signal } = settings;
    signal?.throwIfAborted();
    const module = await getModule();
    signal?.throwIfAborted();
    const operationId = takeOperationId();
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (settle, value) => {
        if (settled) return;
        settled = true;
        inFlight.delete(operationId);
        signal?.removeEventListener('abort', onAbort);
        settle(value);
      };
      const stop = (error) => {
        finish(reject, error);
        module.abortOperation(operationId);
      };
      const onAbort = () => stop(signal.reason);
      signal?.addEventListener('abort', onAbort);
      inFlight.set(operationId, (error) => finish(reject, error));
      const request = {
        operationId,
        datasetId,
        token: settings.token,
        baseUrl: settings.baseUrl,
        timeoutMs: settings.timeoutMs,
        maxRetries: settings.maxRetries,
      };
      if (waitFor) {
        request.wait = {
          intervalMs: settings.intervalMs,
          maxIntervalMs: settings.maxIntervalMs,
          deadlineMs: settings.deadlineMs,
        };
        const { onStatus } = settings;
        if (onStatus) {
          // Called by the module in the middle of its work: the caller's function runs a moment
          // later, so it may abort or throw without re-entering the module.
          request.onStatus = (report) => queueMicrotask(() => {
            if (settled) return;
            try {
              const returned = onStatus({ datasetId, status: report.status },
                { attempt: report.attempt, elapsedMs: report.elapsedMs });
              if (returned && typeof returned.then === 'function') returned.then(undefined, stop);
            } catch (error) {
              stop(error);
            }
          });
        }
      }
      let answer;
      try {
        answer = module.getDatasetStatus(request);
      } catch (error) {
        stop(new ProlificError('The WebAssembly module failed to start the request', { cause: error }));
        return;
      }
      answer.then((result) => {
        if (result.ok) {
          finish(resolve, { datasetId, status: result.status });
        } else if (result.error.kind !== 'aborted') {
          const error = errorFromValue(result.error);
          if ('datasetId' in error) error.datasetId = datasetId;
          finish(reject, error);
        }
      });
    });
  }

  /**
   * Reads the processing status of one dataset (Prolific API:
   * `GET /api/v1/data-collection/datasets/{dataset_id}/status`), retrying network errors,
   * timeouts and HTTP 408/429/500/502/503/504 up to `maxRetries` times with Retry-After or
   * exponential backoff.
   * @param {string} datasetId the dataset's id (sent percent-encoded, as one path segment)
   * @param {object} [options] token, baseUrl, timeoutMs (ms per attempt, 0 = none), maxRetries, signal
   * @returns {Promise<{ datasetId: string, status: string }>}
   * @throws {TypeError} bad arguments (nothing is sent)
   * @throws {ProlificApiError|NetworkError|TimeoutError|InvalidResponseError} see errors.js
   */
  async function getDatasetStatus(datasetId, options) {
    return run(datasetId, resolveOptions(options, READ_OPTIONS, environmentDefaults), false);
  }

  /**
   * Polls a dataset until it is READY (resolves) or ERROR (DatasetProcessingError).
   * @param {string} datasetId
   * @param {object} [options] the options of getDatasetStatus, and intervalMs, maxIntervalMs,
   *   deadlineMs (all ms) and onStatus(result, { attempt, elapsedMs })
   * @returns {Promise<{ datasetId: string, status: 'READY' }>}
   */
  async function waitForDataset(datasetId, options) {
    return run(datasetId, resolveOptions(options, WAIT_OPTIONS, environmentDefaults), true);
  }

  /**
   * Reads many statuses, at most `concurrency` at once, in input order; a failure is kept in its
   * entry as `{ datasetId, error }`.
   * @param {string[]} datasetIds
   * @param {object} [options] the options of getDatasetStatus, and concurrency (default 6)
   * @returns {Promise<Array<{ datasetId: string, status: string } | { datasetId: unknown, error: Error }>>}
   */
  async function getDatasetStatuses(datasetIds, options) {
    if (!Array.isArray(datasetIds)) throw new TypeError(`datasetIds must be an array, not ${describe(datasetIds)}`);
    const settings = resolveOptions(options, MANY_OPTIONS, environmentDefaults);
    const { signal } = settings;
    signal?.throwIfAborted();
    const results = new Array(datasetIds.length);
    let next = 0;
    let aborted = false;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        aborted = true;
        reject(signal.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const worker = async () => {
        while (!aborted && next < datasetIds.length) {
          const index = next++;
          const datasetId = datasetIds[index];
          try {
            results[index] = await run(datasetId, settings, false);
          } catch (error) {
            results[index] = { datasetId, error };
          }
        }
      };
      const workers = Array.from({ length: Math.min(settings.concurrency, datasetIds.length) }, worker);
      Promise.all(workers).then(() => {
        signal?.removeEventListener('abort', onAbort);
        if (!aborted) resolve(results);
      });
    });
  }

  /**
   * Binds options once. Per-call options override the bound ones.
   * @param {object} [options] any option of the three functions
   * @returns {{ getDatasetStatus: Function, waitForDataset: Function, getDatasetStatuses: Function }}
   * @throws {TypeError} for an unknown option or a value of the wrong type
   */
  function createClient(options) {
    resolveOptions(options, CLIENT_OPTIONS, environmentDefaults);
    const bound = { ...options };
    const merged = (names, perCall) => {
      if (perCall !== undefined && (typeof perCall !== 'object' || perCall === null)) return perCall;
      return { ...pick(bound, names), ...perCall };
    };
    return Object.freeze({
      getDatasetStatus: (datasetId, perCall) => getDatasetStatus(datasetId, merged(READ_OPTIONS, perCall)),
      waitForDataset: (datasetId, perCall) => waitForDataset(datasetId, merged(WAIT_OPTIONS, perCall)),
      getDatasetStatuses: (datasetIds, perCall) => getDatasetStatuses(datasetIds, merged(MANY_OPTIONS, perCall)),
    });
  }

  return { getDatasetStatus, waitForDataset, getDatasetStatuses, createClient, moduleForTests: getModule };
}
