/**
 * The dataset lifecycle of the mock Prolific API (used by scripts/mock-prolific.mjs):
 *
 *   POST /api/v1/data-collection/datasets                        {name, workspace_id, schema?} → 201
 *   GET  /api/v1/data-collection/datasets/{id}                    the dataset (V4: with its imports)
 *   GET  /api/v1/data-collection/datasets/{id}/upload-url/{file}  → 201 {upload_url, http_method, …}
 *   GET  /api/v1/data-collection/datasets/{id}/imports/{import}   a V4 import job
 *   GET  /api/v1/data-collection/datasets/{id}/status             a created dataset's status
 *
 * Every answer has the shape docs/openapi/prolific-datasets.yaml gives (tests/contract.test.mjs
 * validates them): UUID ids, every documented field, record errors `{record_index, field?, reason}`.
 *
 * Uploads go to a separate presigned-upload server on its own port (another origin), which
 * checks each URL's signature and refuses, and counts in `tokenLeaks`, any request that carries
 * an Authorization header. What an upload becomes depends on the dataset and the file:
 *   V3 (no schema): the status goes PROCESSING, then READY 2 s × time scale after the upload, or
 *     ERROR when the file holds the text "FAIL".
 *   V4 (schema given): the import job goes queued → processing → terminal over 2 s × time scale:
 *     every line a JSON object with no null value (.jsonl) or every row with as many cells as the
 *     header (.csv): complete; some bad: partial, with one error per bad record (`record_index`
 *     from 0, `field` for a null value); none good: failed, with a reason. A record identical to
 *     one the dataset already holds (this file's earlier records included) counts in
 *     `duplicate_count`, not in `accepted_count`. A dataset created with an empty
 *     schema object `{}` ends its imports in pending_schema. V4 datasets have no status of their
 *     own: `"status": null` on /status and in the dataset.
 * @module
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';

const DATASETS_PATH = '/api/v1/data-collection/datasets';
const PROCESSING_SECONDS = 2;
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;
const CONTENT_TYPES = { csv: 'text/csv', jsonl: 'application/x-ndjson', zip: 'application/zip' };
/** Who created the datasets, as a Prolific user id (24 hex digits). */
const CREATED_BY = '65786062db3b35bcbeb07bcc';
const V3_EXTENSIONS = ['csv', 'zip'];
const V4_EXTENSIONS = ['csv', 'jsonl'];

/**
 * Reads a request body up to `limit` bytes.
 * @returns {Promise<Buffer|null>} null when the body is larger than `limit`
 */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * What a V4 file holds: its records, good or with the reason they are refused.
 * @param {string} extension 'jsonl' or 'csv'
 * @param {string} text
 * @returns {{ records: string[], errors: Array<{ record_index: number, field?: string, reason: string }> }}
 *   `records` the accepted records' text; `record_index` counts records from 0 (a CSV's header
 *   is not a record)
 */
function checkRecords(extension, text) {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const errors = [];
  const records = [];
  if (extension === 'jsonl') {
    lines.forEach((line, index) => {
      let value;
      try {
        value = JSON.parse(line);
      } catch {
        errors.push({ record_index: index, reason: 'The line is not valid JSON.' });
        return;
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        errors.push({ record_index: index, reason: 'The record is not a JSON object.' });
        return;
      }
      const nullField = Object.keys(value).find((key) => value[key] === null);
      if (nullField !== undefined) {
        errors.push({ record_index: index, field: nullField, reason: 'The value must not be null.' });
        return;
      }
      records.push(line);
    });
  } else {
    const width = (lines[0] ?? '').split(',').length;
    lines.slice(1).forEach((line, index) => {
      if (line.split(',').length === width) records.push(line);
      else errors.push({ record_index: index, reason: `Expected ${width} cells.` });
    });
  }
  return { records, errors };
}

/**
 * Creates the lifecycle part of one mock server.
 * @param {object} settings
 * @param {number} settings.timeScale multiplies every processing time
 * @param {(ms: number, fn: () => void) => unknown} settings.later a timer the mock cancels on close
 * @param {(res: http.ServerResponse, status: number, body: unknown) => void} settings.sendJson
 * @param {(res: http.ServerResponse, status: number, fields: object) => void} settings.sendError
 * @returns {Promise<{ handle: Function, addFixedV4Dataset: Function, uploadServerUrl: string,
 *   uploads: object[], tokenLeaks: object[], reset: Function, close: () => Promise<void> }>}
 */
export async function createLifecycle({ timeScale, later, sendJson, sendError }) {
  const datasets = new Map();
  const imports = new Map();
  const pendingUploads = new Map();
  const uploads = [];
  const tokenLeaks = [];
  const processingMs = PROCESSING_SECONDS * 1000 * timeScale;

  const uploadServer = http.createServer((req, res) => {
    receiveUpload(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const uploadSockets = new Set();
  uploadServer.on('connection', (socket) => {
    uploadSockets.add(socket);
    socket.on('close', () => uploadSockets.delete(socket));
  });
  await new Promise((resolve) => uploadServer.listen(0, '127.0.0.1', resolve));
  const uploadServerUrl = `http://127.0.0.1:${uploadServer.address().port}`;

  const storageError = (res, status, code, message) => {
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Access-Control-Allow-Origin': '*' });
    res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  };

  async function receiveUpload(req, res) {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'PUT',
        'Access-Control-Allow-Headers': 'Content-Type',
      });
      res.end();
      return;
    }
    const url = new URL(req.url, uploadServerUrl);
    if (req.headers.authorization !== undefined) {
      tokenLeaks.push({ path: url.pathname, authorization: req.headers.authorization });
      req.resume();
      storageError(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed');
      return;
    }
    const pending = pendingUploads.get(url.pathname);
    if (req.method !== 'PUT' || !pending || url.searchParams.get('X-Signature') !== pending.signature) {
      req.resume();
      storageError(res, 403, 'SignatureDoesNotMatch', 'The request signature does not match.');
      return;
    }
    const body = await readBody(req, MAX_UPLOAD_BYTES);
    if (body === null) {
      storageError(res, 413, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
      return;
    }
    pendingUploads.delete(url.pathname);
    uploads.push({ path: url.pathname, bytes: body.length, contentType: req.headers['content-type'] });
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', ETag: `"${randomBytes(8).toString('hex')}"` });
    res.end();
    startProcessing(pending, body);
  }

  function startProcessing({ dataset, job, extension }, body) {
    const text = body.toString('utf8');
    if (!job) {
      dataset.status = 'PROCESSING';
      later(processingMs, () => { dataset.status = text.includes('FAIL') ? 'ERROR' : 'READY'; });
      return;
    }
    const update = (fields) => Object.assign(job, fields, { updated_at: new Date().toISOString() });
    update({ status: 'queued' });
    later(processingMs / 2, () => update({ status: 'processing' }));
    later(processingMs, () => {
      if (dataset.schemaIsEmpty) {
        update({ status: 'pending_schema' });
        return;
      }
      const { records, errors } = checkRecords(extension, text);
      let duplicates = 0;
      const fresh = [];
      for (const record of records) {
        if (dataset.records.has(record)) {
          duplicates += 1;
        } else {
          dataset.records.add(record);
          fresh.push(record);
        }
      }
      dataset.total_datapoint_count = dataset.records.size;
      // The reference: complete populates accepted_count, partial the counts and errors, failed
      // the reason; duplicate_count is sent when there were duplicates.
      const duplicateCount = duplicates > 0 ? { duplicate_count: duplicates } : {};
      if (records.length === 0) {
        update({ status: 'failed', reason: 'The file could not be parsed: no valid record.' });
      } else if (errors.length > 0) {
        update({
          status: 'partial', accepted_count: fresh.length, rejected_count: errors.length, ...duplicateCount, errors,
        });
      } else {
        update({ status: 'complete', accepted_count: fresh.length, ...duplicateCount });
      }
    });
  }

  async function createDataset(req, res) {
    const body = await readBody(req, 1024 * 1024);
    let input;
    try {
      input = JSON.parse(body?.toString('utf8') ?? '');
    } catch {
      sendError(res, 400, { title: 'Bad Request', detail: 'JSON parse error.' });
      return;
    }
    const problems = {};
    if (typeof input?.name !== 'string' || input.name === '') problems.name = ['This field is required.'];
    if (typeof input?.workspace_id !== 'string' || input.workspace_id === '') {
      problems.workspace_id = ['This field is required.'];
    }
    if (input?.schema !== undefined && (typeof input.schema !== 'object' || input.schema === null)) {
      problems.schema = ['Must be an object.'];
    }
    if (Object.keys(problems).length > 0) {
      sendError(res, 400, { title: 'Invalid request', detail: problems });
      return;
    }
    const dataset = addDataset({ name: input.name, workspaceId: input.workspace_id, schema: input.schema });
    sendJson(res, 201, publicDataset(dataset));
  }

  /**
   * Creates a dataset (V4 when `schema` is given) as POST …/datasets does.
   * @param {{ id?: string, name: string, workspaceId: string, schema?: object, fixed?: boolean }} fields
   *   `id` defaults to a random UUID; `fixed` marks a ready-made dataset of the mock (its /status
   *   is answered by its scenario, and it takes no upload)
   * @returns {object} the stored dataset
   */
  function addDataset({ id = randomUUID(), name, workspaceId, schema, fixed = false }) {
    const v4 = schema !== undefined;
    const dataset = {
      id,
      name,
      workspace_id: workspaceId,
      created_at: new Date().toISOString(),
      created_by: CREATED_BY,
      total_datapoint_count: 0,
      schema_version: v4 ? 4 : 3,
      // V4 datasets have no status of their own: their progress lives in their import jobs.
      status: v4 ? null : 'UNINITIALISED',
      ...(v4 ? { schema } : {}),
      schemaIsEmpty: v4 && Object.keys(schema).length === 0,
      importIds: [],
      records: new Set(),
      fixed,
    };
    datasets.set(dataset.id, dataset);
    return dataset;
  }

  /**
   * Adds an import job (status uninitialised) to a V4 dataset, as its upload URL does.
   * @returns {object} the stored import job
   */
  function addImportJob(dataset, filename, extension) {
    const now = new Date().toISOString();
    const job = {
      import_id: randomUUID(), dataset_id: dataset.id, type: extension, filename, status: 'uninitialised',
      created_at: now, updated_at: now, extension,
    };
    imports.set(job.import_id, job);
    dataset.importIds.push(job.import_id);
    return job;
  }

  /**
   * A ready-made V4 dataset with one complete import job of `records` records (for the mock's
   * fixed ids whose /status answers no status).
   * @param {{ id: string, name: string, workspaceId: string, records: number }} fields
   * @returns {object} the stored dataset
   */
  function addFixedV4Dataset({ id, name, workspaceId, records }) {
    const dataset = addDataset({ id, name, workspaceId, schema: { fields: [{ name: 'text' }] }, fixed: true });
    const job = addImportJob(dataset, 'records.jsonl', 'jsonl');
    for (let index = 0; index < records; index++) dataset.records.add(JSON.stringify({ text: `record ${index}` }));
    dataset.total_datapoint_count = records;
    Object.assign(job, { status: 'complete', accepted_count: records });
    return dataset;
  }

  function publicDataset(dataset) {
    const { schemaIsEmpty, importIds, records, fixed, ...fields } = dataset;
    if (dataset.schema_version === 4) {
      fields.imports = importIds.map((id) => publicImport(imports.get(id)));
    }
    return fields;
  }

  function publicImport(job) {
    const { extension, ...fields } = job;
    return fields;
  }

  function uploadUrl(res, dataset, filename) {
    const extension = filename.includes('.') ? filename.split('.').pop().toLowerCase() : '';
    const allowed = dataset.schema_version === 4 ? V4_EXTENSIONS : V3_EXTENSIONS;
    if (!allowed.includes(extension)) {
      sendError(res, 400, {
        title: 'Invalid file type',
        detail: `Supported file types: ${allowed.map((name) => `.${name}`).join(', ')}.`,
      });
      return;
    }
    const key = `/raw-datasets/${dataset.id}/${randomBytes(6).toString('hex')}/${encodeURIComponent(filename)}`;
    const signature = randomBytes(12).toString('hex');
    const answer = {
      dataset_id: dataset.id,
      upload_url: `${uploadServerUrl}${key}?X-Signature=${signature}`,
      http_method: 'PUT',
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      content_type: CONTENT_TYPES[extension],
      file_key: key.slice(1),
    };
    let job;
    if (dataset.schema_version === 4) {
      job = addImportJob(dataset, filename, extension);
      answer.import_id = job.import_id;
    }
    pendingUploads.set(key, { dataset, job, extension, signature });
    sendJson(res, 201, answer);
  }

  /**
   * Answers a lifecycle request. `path` is below the mock's path prefix.
   * @returns {boolean} false when the request is not a lifecycle endpoint
   */
  function handle(req, res, path) {
    if (path === DATASETS_PATH) {
      if (req.method !== 'POST') return false;
      createDataset(req, res).catch(() => sendError(res, 500, { detail: 'Mock failure.' }));
      return true;
    }
    if (!path.startsWith(`${DATASETS_PATH}/`)) return false;
    const parts = path.slice(DATASETS_PATH.length + 1).split('/');
    let decoded;
    try {
      decoded = parts.map((part) => decodeURIComponent(part));
    } catch {
      return false;
    }
    const dataset = datasets.get(decoded[0]);
    if (!dataset || req.method !== 'GET') return false;
    if (parts.length === 1) {
      sendJson(res, 200, publicDataset(dataset));
    } else if (parts.length === 3 && parts[1] === 'upload-url' && !dataset.fixed) {
      uploadUrl(res, dataset, decoded[2]);
    } else if (parts.length === 3 && parts[1] === 'imports') {
      const job = imports.get(decoded[2]);
      if (!job || job.dataset_id !== dataset.id) {
        sendError(res, 404, { title: 'Not found', detail: 'Import job not found.' });
      } else {
        sendJson(res, 200, publicImport(job));
      }
    } else if (parts.length === 2 && parts[1] === 'status' && !dataset.fixed) {
      // V4 datasets have no status of their own: their readiness lives in their import jobs.
      sendJson(res, 200, { status: dataset.status });
    } else {
      return false;
    }
    return true;
  }

  return {
    handle,
    addFixedV4Dataset,
    uploadServerUrl,
    uploads,
    tokenLeaks,
    reset() {
      uploads.length = 0;
      tokenLeaks.length = 0;
    },
    close() {
      for (const socket of uploadSockets) socket.destroy();
      return new Promise((resolve) => uploadServer.close(() => resolve()));
    },
  };
}
