/**
 * The error classes of prolific-dataset-status (DESIGN.md, "Errors"). Every error the library
 * raises, other than a TypeError for bad arguments and the AbortSignal's own reason, is a
 * ProlificError. No field or message ever holds the API token.
 * @module
 */

/**
 * Base class of every error raised by this library. `name` is the class name. Its constructor is
 * Error's: `new ProlificError(message, { cause })`, the message readable and on one line.
 */
export class ProlificError extends Error {}

/**
 * The Prolific API answered with a status outside 2xx. Fields come from Prolific's error body
 * (`{"error": {"status", "error_code", "title", "detail", "additional_information"}}`, or the
 * `{"message", "detail"}` shape); other bodies (gateway HTML, empty) leave them as the reason phrase
 * and empty text.
 */
export class ProlificApiError extends ProlificError {
  /**
   * @param {string} message
   * @param {object} fields
   * @param {number} fields.httpStatus HTTP status code, 300–599
   * @param {number} [fields.errorCode] Prolific's numeric `error_code`, when sent
   * @param {string} fields.title error title, or the standard reason phrase
   * @param {string} fields.detail the detail as readable text (arrays and field maps flattened)
   * @param {string} [fields.additionalInformation] `additional_information`, when sent
   * @param {number} [fields.retryAfterMs] what the server's Retry-After asked for, in ms
   */
  constructor(message, { httpStatus, errorCode, title, detail, additionalInformation, retryAfterMs }) {
    super(message);
    /** @type {number} */ this.httpStatus = httpStatus;
    /** @type {number | undefined} */ this.errorCode = errorCode;
    /** @type {string} */ this.title = title;
    /** @type {string} */ this.detail = detail;
    /** @type {string | undefined} */ this.additionalInformation = additionalInformation;
    /** @type {number | undefined} */ this.retryAfterMs = retryAfterMs;
  }
}

/**
 * No HTTP answer: connection refused or reset, DNS failure, CORS refusal, too many or refused
 * redirects. Constructed as Error is: `new NetworkError(message, { cause })`, `cause` being what
 * the runtime reported, where known.
 */
export class NetworkError extends ProlificError {}

/** An HTTP attempt (`timeoutMs`) or a whole wait (`deadlineMs`) ran past its limit. */
export class TimeoutError extends ProlificError {
  /**
   * @param {string} message
   * @param {{ timeoutMs: number }} fields the limit that was passed, in ms
   */
  constructor(message, { timeoutMs }) {
    super(message);
    /** @type {number} */ this.timeoutMs = timeoutMs;
  }
}

/** A 2xx answer whose body is not the documented shape: not JSON, wrong types, too large, too deep. */
export class InvalidResponseError extends ProlificError {
  /**
   * @param {string} message
   * @param {{ httpStatus: number, bodySnippet: string }} fields `bodySnippet`: the body's first
   *   200 characters at most, invalid UTF-8 replaced, token redacted
   */
  constructor(message, { httpStatus, bodySnippet }) {
    super(message);
    /** @type {number} */ this.httpStatus = httpStatus;
    /** @type {string} */ this.bodySnippet = bodySnippet;
  }
}

/** waitForDataset read the status ERROR: Prolific could not process the dataset. */
export class DatasetProcessingError extends ProlificError {
  /**
   * @param {string} message
   * @param {{ datasetId: string, status: string }} fields
   */
  constructor(message, { datasetId, status }) {
    super(message);
    /** @type {string} */ this.datasetId = datasetId;
    /** @type {string} */ this.status = status;
  }
}

// `name` is written as a string for each class, never read from the class (ErrorClass.name): a
// minifier renames classes, and `error.name` must stay the public class name in every bundle. The
// class's own `name` (ProlificApiError.name) is set to it too, for code that prints a class.
for (const [ErrorClass, name] of [
  [ProlificError, 'ProlificError'],
  [ProlificApiError, 'ProlificApiError'],
  [NetworkError, 'NetworkError'],
  [TimeoutError, 'TimeoutError'],
  [InvalidResponseError, 'InvalidResponseError'],
  [DatasetProcessingError, 'DatasetProcessingError'],
]) {
  Object.defineProperty(ErrorClass.prototype, 'name', {
    value: name, writable: true, enumerable: false, configurable: true,
  });
  Object.defineProperty(ErrorClass, 'name', { value: name, configurable: true });
}

/**
 * Turns the module's error value into the public error class.
 * @param {{ kind: string, message: string, [field: string]: unknown }} error from the module
 * @returns {Error} a ProlificError subclass, or a TypeError for kind "invalid_argument"
 */
export function errorFromValue(error) {
  switch (error.kind) {
    case 'invalid_argument':
      return new TypeError(error.message);
    case 'api':
      return new ProlificApiError(error.message, error);
    case 'network':
      return new NetworkError(error.message, error.cause === undefined ? undefined : { cause: new Error(error.cause) });
    case 'timeout':
      return new TimeoutError(error.message, error);
    case 'invalid_response':
      return new InvalidResponseError(error.message, error);
    case 'dataset_processing':
      return new DatasetProcessingError(error.message, error);
    case 'no_status': {
      // waitForDataset read no status (null or absent): a V4 dataset, waited for through its
      // import jobs (watchDatasets, waitForImport), never READY on /status.
      const noStatus = new ProlificError(error.message);
      noStatus.datasetId = error.datasetId;
      noStatus.status = null;
      return noStatus;
    }
    default:
      return new ProlificError(error.message);
  }
}
