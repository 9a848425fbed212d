/**
 * The public API, shared by the Node and browser entry points. It adapts JavaScript to the
 * WebAssembly module: option checking and defaults, AbortSignal hookup, onStatus delivery, and
 * mapping of the module's error values to the error classes. Retries, waiting and every decision
 * about answers are taken by the module (src/core).
 * @module
 */
import { ProlificError, errorFromValue } from './errors.js';
import { runWatch, checkCallOptions } from './watch.js';

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

export const READ_OPTIONS = ['token', 'baseUrl', 'timeoutMs', 'maxRetries', 'signal'];
export const WAIT_OPTIONS = [...READ_OPTIONS, 'intervalMs', 'maxIntervalMs', 'deadlineMs', 'onStatus'];
const MANY_OPTIONS = [...READ_OPTIONS, 'concurrency'];
const WATCH_OPTIONS = [...READ_OPTIONS, 'intervalMs', 'maxIntervalMs', 'deadlineMs', 'concurrency', 'onUpdate'];
const STATUS_CLIENT_OPTIONS = [...new Set([...WAIT_OPTIONS, ...MANY_OPTIONS, ...WATCH_OPTIONS])];

/** Import job statuses after which a V4 import never changes (Prolific API reference). */
export const TERMINAL_IMPORT_STATUSES = Object.freeze(['complete', 'partial', 'failed', 'pending_schema']);

export const DEFAULTS = Object.freeze({
  timeoutMs: 30000,
  maxRetries: 2,
  intervalMs: 2000,
  maxIntervalMs: 30000,
  deadlineMs: 15 * 60 * 1000,
  concurrency: 6,
});

const LARGEST_OPERATION_ID = 2147483647;

export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * One numeric option, or its fallback when it is undefined.
 * @param {object} options the caller's options (own properties)
 * @param {string} name the option's name
 * @param {{ min: number, integer?: boolean, above?: boolean, fallback?: number }} rule the lowest
 *   value (allowed unless `above`), whether it must be whole, and the value when it is undefined
 *   (default: DEFAULTS[name])
 * @returns {number | undefined}
 * @throws {TypeError} for a non-number, NaN, an infinity, a value below the range or a fraction
 *   where a whole number is wanted
 */
export function checkNumber(options, name, { min, integer = false, above = false, fallback = DEFAULTS[name] }) {
  const value = options[name];
  if (value === undefined) return fallback;
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
export function resolveOptions(options, allowedNames, environmentDefaults, { timeoutMs = DEFAULTS.timeoutMs } = {}) {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`options must be an object, not ${describe(options)}`);
  }
  // Own properties only, read once: nothing is taken from Object.prototype (a polluted
  // prototype must not choose the base URL or the token), and a getter cannot answer differently
  // between the check and the use.
  options = ownProperties(options);
  for (const name of Object.keys(options)) {
    if (!allowedNames.includes(name)) {
      throw new TypeError(`unknown option "${String(name).slice(0, 64)}"; this function takes: ${allowedNames.join(', ')}`);
    }
  }
  const defaults = environmentDefaults();
  const token = options.token === undefined ? defaults.token : options.token;
  const baseUrl = options.baseUrl === undefined ? defaults.baseUrl : options.baseUrl;
  checkConnection(token, baseUrl);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new TypeError(`signal must be an AbortSignal, not ${describe(options.signal)}`);
  }
  checkFunction(options, 'onStatus');
  checkFunction(options, 'onUpdate');
  return {
    token,
    baseUrl,
    timeoutMs: checkNumber(options, 'timeoutMs', { min: 0, fallback: timeoutMs }),
    maxRetries: checkNumber(options, 'maxRetries', { min: 0, integer: true }),
    signal: options.signal,
    intervalMs: checkNumber(options, 'intervalMs', { min: 0, above: true }),
    maxIntervalMs: checkNumber(options, 'maxIntervalMs', { min: 0 }),
    deadlineMs: checkNumber(options, 'deadlineMs', { min: 0 }),
    onStatus: options.onStatus,
    onUpdate: options.onUpdate,
    concurrency: checkNumber(options, 'concurrency', { min: 1, integer: true }),
  };
}

/**
 * The JS types of a token and a base URL, as resolved from the options and the environment.
 * @throws {TypeError} for a token that is neither a string nor undefined, or a non-string base URL
 */
function checkConnection(token, baseUrl) {
  if (token !== undefined && typeof token !== 'string') throw new TypeError(`token must be a string, not ${describe(token)}`);
  if (typeof baseUrl !== 'string') throw new TypeError(`baseUrl must be a string, not ${describe(baseUrl)}`);
}

/**
 * One option that must be a function when given.
 * @returns {Function | undefined} its value
 * @throws {TypeError} for a value that is not a function
 */
export function checkFunction(options, name) {
  const value = options[name];
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, not ${describe(value)}`);
  }
  return value;
}

export function parseJson(result) {
  return JSON.parse(result.json);
}

/**
 * Waits for `promise`, or rejects with `signal.reason` as soon as `signal` aborts (the promise
 * goes on, unobserved: the module load it stands for is shared by every call).
 */
function untilAborted(promise, signal) {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

/**
 * An argument that must be a non-empty string (a dataset id, an import id, a file name).
 * @throws {TypeError} naming the argument, for anything else
 */
export function checkString(value, name) {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string, not ${value === '' ? 'an empty string' : describe(value)}`);
  }
}

export function checkDatasetId(datasetId) {
  checkString(datasetId, 'datasetId');
}

/**
 * The ids of a call over many datasets.
 * @throws {TypeError} for a non-array
 */
function checkDatasetIds(datasetIds) {
  if (!Array.isArray(datasetIds)) throw new TypeError(`datasetIds must be an array, not ${describe(datasetIds)}`);
}

function pick(object, names) {
  const out = {};
  for (const name of names) if (Object.hasOwn(object, name) && object[name] !== undefined) out[name] = object[name];
  return out;
}

/** A copy of the own enumerable properties of `object`, with no prototype. */
function ownProperties(object) {
  return Object.assign(Object.create(null), object);
}

/**
 * Builds the public functions around a module loader.
 * @param {object} runtime
 * @param {(hooks: { onAbort: (what: unknown) => void }) => Promise<object>} runtime.loadModule
 *   instantiates the WebAssembly module; `onAbort` must be passed on as Module.onAbort
 * @param {() => { token?: string, baseUrl: string }} runtime.environmentDefaults defaults read at
 *   each call (Node: PROLIFIC_TOKEN and PROLIFIC_URL)
 * @param {Function} [runtime.createLifecycle] the dataset lifecycle calls (createLifecycle of
 *   lifecycle.js); the status-only entry leaves it out
 * @returns the public API: getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets,
 *   createClient, checkClientOptions, and the lifecycle calls when given
 */
export function createApi({ loadModule, environmentDefaults, createLifecycle }) {
  let modulePromise = null;
  /** The module once loaded (null before, and after it died): calls then start with no await. */
  let loadedModule = null;
  let nextOperationId = 1;
  /** Reject functions of the calls in flight, by operation id, for a module that dies. */
  const inFlight = new Map();

  function getModule() {
    if (!modulePromise) {
      const loading = loadModule({
        onAbort(what) {
          // The runtime is dead (out of memory, an internal fault): fail what runs, load afresh next time.
          if (modulePromise === loading) {
            modulePromise = null;
            loadedModule = null;
          }
          const error = new ProlificError(`The WebAssembly module stopped: ${String(what).slice(0, 200)}`);
          for (const reject of [...inFlight.values()]) reject(error);
        },
      });
      modulePromise = loading;
      loading.then((module) => { if (modulePromise === loading) loadedModule = module; },
        () => { if (modulePromise === loading) modulePromise = null; });
    }
    return modulePromise;
  }

  function takeOperationId() {
    do {
      nextOperationId = nextOperationId >= LARGEST_OPERATION_ID ? 1 : nextOperationId + 1;
    } while (inFlight.has(nextOperationId));
    return nextOperationId;
  }

  /**
   * Runs one operation of the module and settles with its result, adapting the AbortSignal, the
   * onStatus callback and the module's error values.
   * @param {object} fields request fields for the module (kind, datasetId, importId, …)
   * @param {object} settings resolved options
   * @param {object} how
   * @param {boolean} [how.wait] poll until a terminal status
   * @param {(report: object) => unknown[]} [how.reportArguments] arguments for settings.onStatus
   * @param {(result: object) => unknown} how.toResult the public result of a successful answer
   */
  async function runOperation(fields, settings, { wait = false, reportArguments, toResult }) {
    const { signal } = settings;
    signal?.throwIfAborted();
    const module = loadedModule ?? await untilAborted(getModule(), signal);
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
      // One read of a dataset status takes the module's typed entry (no object for it to read
      // property by property); every other operation sends a request object.
      const fastRead = fields.kind === 'datasetStatus' && !wait && typeof fields.datasetId === 'string';
      const buildRequest = () => {
        const request = ownProperties({
          ...fields,
          operationId,
          token: settings.token,
          baseUrl: settings.baseUrl,
          timeoutMs: settings.timeoutMs,
          maxRetries: settings.maxRetries,
        });
        if (wait) {
          request.wait = ownProperties({
            intervalMs: settings.intervalMs,
            maxIntervalMs: settings.maxIntervalMs,
            deadlineMs: settings.deadlineMs,
          });
          const { onStatus } = settings;
          if (onStatus) {
            // Called by the module in the middle of its work: the caller's function runs a moment
            // later, so it may abort or throw without re-entering the module.
            request.onStatus = (report) => queueMicrotask(() => {
              if (settled) return;
              try {
                const returned = onStatus(...reportArguments(report));
                if (returned && typeof returned.then === 'function') returned.then(undefined, stop);
              } catch (error) {
                stop(error);
              }
            });
          }
        }
        return request;
      };
      let answer;
      try {
        answer = fastRead ? module.readDatasetStatus(operationId, fields.datasetId, settings.baseUrl,
          settings.token ?? '', settings.token !== undefined, settings.timeoutMs, settings.maxRetries)
          : module.startOperation(buildRequest());
      } catch (error) {
        stop(new ProlificError('The WebAssembly module failed to start the request', { cause: error }));
        return;
      }
      answer.then((result) => {
        if (result.ok) {
          finish(resolve, toResult(result));
        } else if (result.error.kind !== 'aborted') {
          const error = errorFromValue(result.error);
          if ('datasetId' in error && fields.datasetId !== undefined) error.datasetId = fields.datasetId;
          finish(reject, error);
        }
      });
    });
  }

  /**
   * Checks connection options the way every request checks them, and sends nothing: the module's
   * own rules (src/core: base URL parsing, the loopback rule for plain http, token characters, "no
   * token with Prolific's API", timeout and retry ranges) run on them.
   * @param {object} [options] token, baseUrl, timeoutMs, maxRetries, signal (defaults as getDatasetStatus)
   * @returns {Promise<{ baseUrl: string, hasToken: boolean }>} the base URL that would be used and
   *   whether a token would be sent
   * @throws {TypeError} for what getDatasetStatus refuses before sending (the module's message)
   */
  async function checkClientOptions(options) {
    const settings = resolveOptions(options, READ_OPTIONS, environmentDefaults);
    settings.signal?.throwIfAborted();
    const module = await untilAborted(getModule(), settings.signal);
    checkCallOptions(module, settings);
    return { baseUrl: settings.baseUrl, hasToken: settings.token !== undefined };
  }


  function run(datasetId, settings, wait) {
    checkDatasetId(datasetId);
    return runOperation({ kind: 'datasetStatus', datasetId }, settings, {
      wait,
      reportArguments: (report) => [{ datasetId, status: statusOf(report) },
        { attempt: report.attempt, elapsedMs: report.elapsedMs }],
      toResult: (result) => ({ datasetId, status: statusOf(result) }),
    });
  }

  /** The status of a dataset status result: null when the API sent none (a V4 dataset). */
  function statusOf(result) {
    return result.status === '' ? null : result.status;
  }

  /**
   * Reads the processing status of one dataset (Prolific API:
   * `GET /api/v1/data-collection/datasets/{dataset_id}/status`), retrying network errors,
   * timeouts and HTTP 408/429/500/502/503/504 up to `maxRetries` times with Retry-After or
   * exponential backoff.
   * @param {string} datasetId the dataset's id (sent percent-encoded, as one path segment)
   * @param {object} [options] token, baseUrl, timeoutMs (ms per attempt, 0 = none), maxRetries, signal
   * @returns {Promise<{ datasetId: string, status: string | null }>} `status` as the API sent it;
   *   null when it sent `"status": null` or no `status` (a dataset without a status of its own: V4)
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
   * @throws {DatasetProcessingError} the status became ERROR
   * @throws {ProlificError} at the first read of no status (null or absent): the dataset has no
   *   status of its own (V4) and never becomes READY here; `datasetId` is set and `status` is null.
   *   Wait for its import jobs instead (waitForImport, or watchDatasets).
   * @throws {TimeoutError} past deadlineMs
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
   * @throws {TypeError} a non-array, or options wrong for every id (unknown option, token, base URL);
   *   nothing is sent
   */
  async function getDatasetStatuses(datasetIds, options) {
    checkDatasetIds(datasetIds);
    const settings = resolveOptions(options, MANY_OPTIONS, environmentDefaults);
    const { signal } = settings;
    signal?.throwIfAborted();
    // A snapshot: the caller may change the array while the reads run; holes read as undefined.
    datasetIds = Array.from(datasetIds);
    // Options wrong for every id (token, base URL) reject the call, before anything is sent.
    checkCallOptions(await untilAborted(getModule(), signal), settings);
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
   * Watches many datasets until each is finished, with ONE request budget for the whole call:
   * at most `concurrency` requests in flight, whatever the number of ids. Each dataset is polled
   * on its own growing, jittered schedule (as waitForDataset: intervalMs, ×1.5, maxIntervalMs).
   * A dataset is finished at READY or ERROR (a result, not an error), at a permanent error (an
   * invalid id, 404, any 4XX but 408/429: its entry holds the error), or, for a V4 dataset (no
   * status of its own), when every import job its dataset read lists is terminal (complete,
   * partial, failed, pending_schema); its import jobs are then read one by one on the same
   * schedule. Transient failures (network, timeout, 408, 429, 5XX) are tried again after the
   * retry delay (Retry-After honoured) until the deadline. The schedule lives in src/core/watch.hpp.
   * @param {string[]} datasetIds
   * @param {object} [options] token, baseUrl, timeoutMs (ms per request), signal, intervalMs,
   *   maxIntervalMs, deadlineMs (ms, whole call; default 15 min), concurrency (default 6),
   *   onUpdate(update) called after every read, as soon as it ends: `{ datasetId, status,
   *   changed, terminal, attempt, elapsedMs, error?, imports? }`; if it throws (or its promise
   *   rejects), the call rejects with that. `maxRetries` is accepted and unused: retries run
   *   until the deadline.
   * @returns {Promise<Array<{ datasetId: string, status: string | null, imports?: object[] } |
   *   { datasetId: unknown, error: Error }>>} in input order; a TimeoutError entry for each dataset
   *   unfinished at deadlineMs
   * @throws {TypeError} a non-array, an unknown option, a wrong option type, options wrong for
   *   every dataset (token, base URL); nothing is sent
   * @throws {ProlificApiError} HTTP 401: the token is refused for every dataset; no request follows
   * @throws {unknown} signal.reason when the signal aborts; no request follows
   */
  async function watchDatasets(datasetIds, options) {
    checkDatasetIds(datasetIds);
    const settings = resolveOptions(options, WATCH_OPTIONS, environmentDefaults);
    settings.signal?.throwIfAborted();
    const ids = Array.from(datasetIds);
    const module = await untilAborted(getModule(), settings.signal);
    checkCallOptions(module, settings);
    const watchId = takeOperationId();
    return runWatch({
      module, read: readOnce, datasetIds: ids, settings,
      onModuleLost(fail) {
        inFlight.set(watchId, fail);
        return () => inFlight.delete(watchId);
      },
    });
  }

  /** One operation of the module for watchDatasets: its result as the public functions give it. */
  function readOnce(fields, settings) {
    return runOperation(fields, settings, {
      toResult: fields.kind === 'datasetStatus' ? (result) => ({ status: statusOf(result) }) : parseJson,
    });
  }

  const lifecycle = createLifecycle?.({ runOperation, environmentDefaults, waitForDataset });
  const clientOptions = lifecycle ? [...new Set([...STATUS_CLIENT_OPTIONS, ...lifecycle.clientOptions])]
    : STATUS_CLIENT_OPTIONS;

  /**
   * Binds options once. Per-call options override the bound ones.
   * @param {object} [options] any option of the functions it returns
   * @returns {{ getDatasetStatus: Function, waitForDataset: Function, getDatasetStatuses: Function,
   *   watchDatasets: Function }} and, in the full package, the lifecycle functions, each with the
   *   bound options
   * @throws {TypeError} for an unknown option or a value of the wrong type
   */
  function createClient(options) {
    resolveOptions(options, clientOptions, environmentDefaults);
    lifecycle?.checkClientOptions(options);
    const bound = { ...options };
    const merged = (names, perCall) => {
      if (perCall !== undefined && (typeof perCall !== 'object' || perCall === null)) return perCall;
      return { ...pick(bound, names), ...perCall };
    };
    // The bound options of each option set, checked and resolved once here: a call without options
    // of its own uses them as they are (only the environment's token and base URL are read at
    // each call, as every function does, when the client binds none).
    const boundSettings = (names) => {
      const own = pick(bound, names);  // own properties only: never a polluted prototype's
      const fixed = Object.freeze(resolveOptions(own, names, () => ({ token: undefined, baseUrl: '' })));
      const ownToken = Object.hasOwn(own, 'token');
      const ownBaseUrl = Object.hasOwn(own, 'baseUrl');
      if (ownToken && ownBaseUrl) return () => fixed;
      return () => {
        const defaults = environmentDefaults();
        const token = ownToken ? fixed.token : defaults.token;
        const baseUrl = ownBaseUrl ? fixed.baseUrl : defaults.baseUrl;
        checkConnection(token, baseUrl);
        return { ...fixed, token, baseUrl };
      };
    };
    const readSettings = boundSettings(READ_OPTIONS);
    return Object.freeze({
      getDatasetStatus: (datasetId, perCall) => (perCall === undefined
        ? (async () => run(datasetId, readSettings(), false))()
        : getDatasetStatus(datasetId, merged(READ_OPTIONS, perCall))),
      waitForDataset: (datasetId, perCall) => waitForDataset(datasetId, merged(WAIT_OPTIONS, perCall)),
      getDatasetStatuses: (datasetIds, perCall) => getDatasetStatuses(datasetIds, merged(MANY_OPTIONS, perCall)),
      watchDatasets: (datasetIds, perCall) => watchDatasets(datasetIds, merged(WATCH_OPTIONS, perCall)),
      ...lifecycle?.clientMethods(merged),
    });
  }

  return {
    getDatasetStatus, waitForDataset, getDatasetStatuses, watchDatasets, createClient, checkClientOptions,
    ...lifecycle?.functions,
    moduleForTests: getModule,
  };
}
