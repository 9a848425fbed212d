// Retries, waiting, many datasets, cancellation and hostile answers, against the real module and
// a real mock Prolific API on 127.0.0.1. Delays are checked only from below (a retry may not come
// early); nothing here measures speed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getDatasetStatus, waitForDataset, getDatasetStatuses, createClient, loadModuleForDiagnostics,
  ProlificApiError, NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './support/entry.mjs';
import { TOKEN, assertNoSecret, sleep, startMock } from './support/mock.mjs';

let mock;
let options;

before(async () => ({ mock, options } = await startMock()));
after(() => mock.close());

const requestsFor = (datasetId) => mock.requests.filter((request) => request.path.includes(`/${datasetId}/`));

describe('retries', () => {
  test('transient failures are retried up to maxRetries', async () => {
    mock.reset();
    assert.deepEqual(await getDatasetStatus('flaky-2', options), { datasetId: 'flaky-2', status: 'READY' });
    assert.equal(requestsFor('flaky-2').length, 3);
    mock.reset();
    const error = await getDatasetStatus('flaky-3', { ...options, maxRetries: 1 }).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 503);
    assert.equal(requestsFor('flaky-3').length, 2);
    mock.reset();
    await assert.rejects(getDatasetStatus('flaky-1', { ...options, maxRetries: 0 }), ProlificApiError);
    assert.equal(requestsFor('flaky-1').length, 1);
  });

  test('every retryable status is retried, other 4XX are not', async () => {
    for (const code of [408, 429, 500, 502, 503, 504]) {
      mock.reset();
      await assert.rejects(getDatasetStatus(`http-${code}`, { ...options, maxRetries: 1 }), ProlificApiError);
      assert.equal(requestsFor(`http-${code}`).length, 2, `HTTP ${code}`);
    }
    for (const code of [400, 401, 403, 404, 405, 422, 501]) {
      mock.reset();
      await assert.rejects(getDatasetStatus(`http-${code}`, options), ProlificApiError);
      assert.equal(requestsFor(`http-${code}`).length, 1, `HTTP ${code}`);
    }
  });

  test('network errors and resets mid-body are retried; a bad 2xx body is not', async () => {
    mock.reset();
    await assert.rejects(getDatasetStatus('reset', { ...options, maxRetries: 1 }), NetworkError);
    assert.equal(requestsFor('reset').length, 2);
    mock.reset();
    await assert.rejects(getDatasetStatus('close', { ...options, maxRetries: 1 }), NetworkError);
    assert.equal(requestsFor('close').length, 2);
    mock.reset();
    await assert.rejects(getDatasetStatus('not-json', options), InvalidResponseError);
    assert.equal(requestsFor('not-json').length, 1);
  });

  test('Retry-After sets the delay and is reported as retryAfterMs', async () => {
    mock.reset();
    const error = await getDatasetStatus('rate-limited-1', { ...options, maxRetries: 1 }).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 429);
    assert.equal(error.retryAfterMs, 1000);
    const [first, second] = requestsFor('rate-limited-1');
    assert.ok(second.time - first.time >= 950, `retried after ${second.time - first.time} ms`);
    mock.reset();
    assert.equal((await getDatasetStatus('flaky429-2', options)).status, 'READY');
    const garbage = await getDatasetStatus('retry-after-garbage', { ...options, maxRetries: 0 }).catch((caught) => caught);
    assert.equal(garbage.retryAfterMs, undefined);
    const date = await getDatasetStatus('retry-after-date', { ...options, maxRetries: 0 }).catch((caught) => caught);
    assert.ok(date.retryAfterMs > 0 && date.retryAfterMs <= 3000, `retryAfterMs ${date.retryAfterMs}`);
  });

  test('per-attempt timeouts are retried and end in TimeoutError', async () => {
    mock.reset();
    const error = await getDatasetStatus('slow-headers', { ...options, timeoutMs: 100, maxRetries: 1 })
      .catch((caught) => caught);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeoutMs, 100);
    assert.equal(requestsFor('slow-headers').length, 2);
    await assert.rejects(getDatasetStatus('slow-body', { ...options, timeoutMs: 300, maxRetries: 0 }), TimeoutError);
  });
});

describe('hostile and broken answers', () => {
  const invalid = ['empty-200', 'not-json', 'truncated', 'wrong-type', 'empty-status',
    'array-body', 'bad-utf8', 'deep', 'huge', 'huge-chunked', 'html-200', 'no-content-204'];
  // {"status": null} and {} are documented answers (docs/openapi/prolific-datasets.yaml): a
  // dataset without a status of its own.
  for (const datasetId of ['null-status', 'no-status']) {
    test(`${datasetId} is a read of no status (null), not an error`, async () => {
      assert.deepEqual(await getDatasetStatus(datasetId, options), { datasetId, status: null });
    });
  }
  for (const datasetId of invalid) {
    test(`${datasetId} is an InvalidResponseError and the next call works`, async () => {
      const error = await getDatasetStatus(datasetId, options).catch((caught) => caught);
      assert.ok(error instanceof InvalidResponseError, `${datasetId}: ${error}`);
      assert.ok(error.httpStatus >= 200 && error.httpStatus < 300);
      assert.ok(error.bodySnippet.length <= 200);
      assert.equal((await getDatasetStatus('status-READY', options)).status, 'READY');
    });
  }

  test('a UTF-8 BOM is skipped and the last duplicate key wins', async () => {
    assert.equal((await getDatasetStatus('bom', options)).status, 'READY');
    assert.equal((await getDatasetStatus('duplicate-keys', options)).status, 'READY');
  });

  test('any 2xx with a status body is a read', async () => {
    assert.equal((await getDatasetStatus('accepted-202', options)).status, 'READY');
  });

  test('error bodies that are HTML, empty or carry a traceback become readable errors', async () => {
    for (const datasetId of ['html-502', 'empty-500', 'error-traceback']) {
      const error = await getDatasetStatus(datasetId, { ...options, maxRetries: 0 }).catch((caught) => caught);
      assert.ok(error instanceof ProlificApiError, datasetId);
      assert.ok(error.title.length > 0);
      assert.ok(!/Traceback|File "/.test(error.message + error.detail), 'the traceback is not copied');
    }
  });
});

describe('cancellation', () => {
  test('an abort between retries stops the retries', async () => {
    mock.reset();
    const controller = new AbortController();
    const pending = getDatasetStatus('rate-limited-2', { ...options, maxRetries: 3, signal: controller.signal });
    await sleep(300);
    controller.abort();
    await assert.rejects(pending, (error) => error.name === 'AbortError');
    await sleep(2500);
    assert.equal(requestsFor('rate-limited-2').length, 1, 'no retry after the abort');
  });

  test('an abort during a wait stops the polling and onStatus', async () => {
    mock.reset();
    const controller = new AbortController();
    let reads = 0;
    const pending = waitForDataset('demo-new', {
      ...options, intervalMs: 30, signal: controller.signal, onStatus: () => { reads += 1; },
    });
    // Abort once the wait is polling (bounded: a loaded machine may take a while to load the module).
    for (const started = Date.now(); reads < 2 && Date.now() - started < 10000;) await sleep(10);
    controller.abort();
    await assert.rejects(pending, (error) => error.name === 'AbortError');
    const seen = { reads, requests: requestsFor('demo-new').length };
    await sleep(300);
    assert.deepEqual({ reads, requests: requestsFor('demo-new').length }, seen);
    assert.ok(seen.reads >= 2);
  });

  test('an abort from inside onStatus is safe', async () => {
    const controller = new AbortController();
    const pending = waitForDataset('demo-new', {
      ...options, intervalMs: 10, signal: controller.signal, onStatus: () => controller.abort(),
    });
    await assert.rejects(pending, (error) => error.name === 'AbortError');
    assert.equal((await getDatasetStatus('status-READY', options)).status, 'READY');
  });
});

describe('waitForDataset', () => {
  test('polls to READY, reporting every read in order', async () => {
    const reads = [];
    const result = await waitForDataset('demo-ready', {
      ...options, intervalMs: 20, maxIntervalMs: 60, onStatus: (read, meta) => reads.push({ ...read, ...meta }),
    });
    assert.deepEqual(result, { datasetId: 'demo-ready', status: 'READY' });
    assert.ok(reads.length >= 3);
    assert.deepEqual(reads.map((read) => read.attempt), reads.map((_, index) => index + 1));
    assert.equal(reads[0].status, 'UNINITIALISED');
    assert.ok(reads.some((read) => read.status === 'PROCESSING'));
    assert.equal(reads.at(-1).status, 'READY');
    assert.ok(reads.every((read) => read.datasetId === 'demo-ready' && read.elapsedMs >= 0));
    for (let i = 1; i < reads.length; i += 1) assert.ok(reads[i].elapsedMs >= reads[i - 1].elapsedMs);
  });

  test('ERROR rejects with DatasetProcessingError', async () => {
    const error = await waitForDataset('demo-error', { ...options, intervalMs: 20 }).catch((caught) => caught);
    assert.ok(error instanceof DatasetProcessingError);
    assert.equal(error.datasetId, 'demo-error');
    assert.equal(error.status, 'ERROR');
  });

  test('the deadline rejects with TimeoutError', async () => {
    const error = await waitForDataset('demo-new', { ...options, intervalMs: 20, deadlineMs: 200 })
      .catch((caught) => caught);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeoutMs, 200);
  });

  test('transient failures are retried past maxRetries until the deadline; other 4XX end it', async () => {
    mock.reset();
    const result = await waitForDataset('flaky429-4', { ...options, maxRetries: 0, intervalMs: 10 });
    assert.equal(result.status, 'READY');
    assert.equal(requestsFor('flaky429-4').length, 5);
    mock.reset();
    await assert.rejects(waitForDataset('http-404', { ...options, intervalMs: 10 }), ProlificApiError);
    assert.equal(requestsFor('http-404').length, 1);
  });

  test('an onStatus that throws ends the wait with its error', async () => {
    const thrown = new Error('from onStatus');
    await assert.rejects(waitForDataset('demo-new', {
      ...options, intervalMs: 10, onStatus: () => { throw thrown; },
    }), (error) => error === thrown);
  });

  test('wait options of the wrong type are TypeErrors', async () => {
    for (const bad of [{ intervalMs: 0 }, { intervalMs: -1 }, { deadlineMs: 'soon' }, { onStatus: 'x' },
      { maxIntervalMs: Number.NaN }]) {
      await assert.rejects(waitForDataset('status-READY', { ...options, ...bad }), TypeError);
    }
  });
});

describe('getDatasetStatuses', () => {
  test('keeps input order, isolates failures, includes invalid ids', async () => {
    const results = await getDatasetStatuses(['status-READY', 'no-such', '', 'status-ERROR', 'not-json'], options);
    assert.equal(results.length, 5);
    assert.deepEqual(results[0], { datasetId: 'status-READY', status: 'READY' });
    assert.equal(results[1].datasetId, 'no-such');
    assert.ok(results[1].error instanceof ProlificApiError);
    assert.ok(results[2].error instanceof TypeError);
    assert.deepEqual(results[3], { datasetId: 'status-ERROR', status: 'ERROR' });
    assert.ok(results[4].error instanceof InvalidResponseError);
    assert.deepEqual(await getDatasetStatuses([], options), []);
    await assert.rejects(getDatasetStatuses('status-READY', options), TypeError);
    await assert.rejects(getDatasetStatuses(['x'], { ...options, concurrency: 0 }), TypeError);
  });

  test('never has more than `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const ids = Array.from({ length: 20 }, (_, index) => `gate-${index}`);
    for (const id of ids) {
      mock.setHandler(id, (request, response) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ status: 'READY' }));
        }, 15);
      });
    }
    try {
      const results = await getDatasetStatuses(ids, { ...options, concurrency: 3 });
      assert.ok(results.every((result, index) => result.datasetId === ids[index] && result.status === 'READY'));
      assert.equal(peak, 3);
      peak = 0;
      await getDatasetStatuses(ids, options);
      assert.equal(peak, 6, 'default concurrency');
    } finally {
      for (const id of ids) mock.setHandler(id, null);
    }
  });

  test('an abort rejects the whole call with the reason and stops what is left', async () => {
    mock.reset();
    const controller = new AbortController();
    const ids = Array.from({ length: 30 }, (_, index) => `slow-headers-${index}`);
    for (const id of ids) mock.setHandler(id, () => {});
    try {
      const pending = getDatasetStatuses(ids, { ...options, signal: controller.signal, concurrency: 2 });
      await sleep(100);
      const reason = new Error('stop');
      controller.abort(reason);
      await assert.rejects(pending, (error) => error === reason);
      await sleep(100);
      assert.equal(mock.requests.length, 2);
    } finally {
      for (const id of ids) mock.setHandler(id, null);
    }
  });

  test('a client created with createClient reads many datasets', async () => {
    const client = createClient({ ...options, concurrency: 2 });
    const results = await client.getDatasetStatuses(['status-READY', 'status-PROCESSING']);
    assert.deepEqual(results.map((result) => result.status), ['READY', 'PROCESSING']);
  });
});

describe('scale and leaks', () => {
  test('1,000 parallel calls each resolve with their own dataset\'s status', async () => {
    const ids = Array.from({ length: 1000 }, (_, index) => `status-S${index}`);
    const results = await Promise.all(ids.map((id) => getDatasetStatus(id, options)));
    results.forEach((result, index) => assert.deepEqual(result, { datasetId: ids[index], status: `S${index}` }));
  });

  test('thousands of mixed outcomes leave the heap and embind handles at their baseline', async () => {
    const module = await loadModuleForDiagnostics();
    const mixed = ['status-READY', 'http-404', 'http-500', 'not-json', 'huge', 'reset', 'slow-headers', 'deep',
      'echo-token', 'bad-utf8', 'abort'];
    const round = async (count) => {
      const calls = [];
      for (let i = 0; i < count; i += 1) {
        const kind = mixed[i % mixed.length];
        if (kind === 'abort') {
          const controller = new AbortController();
          const call = getDatasetStatus('slow-headers', { ...options, signal: controller.signal });
          setTimeout(() => controller.abort(), 5 + (i % 7));
          calls.push(call);
        } else {
          calls.push(getDatasetStatus(kind, { ...options, maxRetries: 0, timeoutMs: kind === 'slow-headers' ? 20 : 5000 }));
        }
      }
      await Promise.allSettled(calls);
    };
    await round(220); // warm-up: the allocator reaches its working size
    const baseline = { ...module.heapStats(), handles: module.count_emval_handles() };
    for (let i = 0; i < 10; i += 1) await round(220);
    const now = { ...module.heapStats(), handles: module.count_emval_handles() };
    assert.equal(now.operations, 0);
    assert.equal(now.handles, baseline.handles);
    assert.equal(now.usedBytes, baseline.usedBytes);
    assert.equal(now.heapBytes, baseline.heapBytes);
    assertNoSecret(assert, now, TOKEN);
    assert.equal((await getDatasetStatus('status-READY', options)).status, 'READY');
  });
});
