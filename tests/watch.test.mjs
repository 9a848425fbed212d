// watchDatasets against the real module and a real server on 127.0.0.1: one request budget,
// updates as each read ends, 401, deadline, abort, V4 datasets through their dataset read (one
// request per round however many import jobs), and whole-call option errors. Nothing here measures speed; times are only bounds from below or
// orderings of events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  watchDatasets, getDatasetStatuses, getDatasetStatus, waitForDataset, createClient,
  ProlificApiError, TimeoutError, ProlificError,
} from './support/entry.mjs';
import { WATCH_TOKEN, importJob, startWatchServer, v4Dataset } from './support/watch-server.mjs';

let server;
let options;
const fast = { intervalMs: 20, maxIntervalMs: 60 };

before(async () => {
  server = await startWatchServer(() => ({ body: { status: 'READY' } }));
  options = { token: WATCH_TOKEN, baseUrl: server.url };
});
after(() => server.close());

describe('watchDatasets', () => {
  test('60 datasets with concurrency 4 never exceed 4 in flight and resolve in input order', async () => {
    server.reset();
    server.setPlan((id, read) => ({ delayMs: 5,
      body: { status: read.count >= Number(id.slice(3)) % 3 ? (id.endsWith('7') ? 'ERROR' : 'READY') : 'PROCESSING' } }));
    const ids = Array.from({ length: 60 }, (_, i) => `ds-${i}`);
    const updates = [];
    const results = await watchDatasets(ids, { ...options, ...fast, concurrency: 4, onUpdate: (u) => updates.push(u) });
    assert.ok(server.maxInFlight <= 4, `peak ${server.maxInFlight}`);
    assert.ok(server.maxInFlight >= 2);
    assert.deepEqual(results.map((r) => r.datasetId), ids);
    for (const result of results) {
      assert.equal(result.status, result.datasetId.endsWith('7') ? 'ERROR' : 'READY');
    }
    assert.equal(updates.length, server.requests.length);
    const last = updates.filter((u) => u.datasetId === 'ds-2');
    assert.deepEqual(last.map((u) => u.attempt), [1, 2, 3]);
    assert.deepEqual(last.map((u) => u.status), ['PROCESSING', 'PROCESSING', 'READY']);
    assert.deepEqual(last.map((u) => u.changed), [true, false, true]);
    assert.deepEqual(last.map((u) => u.terminal), [false, false, true]);
    assert.ok(last.every((u) => typeof u.elapsedMs === 'number' && u.elapsedMs >= 0));
  });

  test("a fast dataset's update arrives while a slow one is still pending", async () => {
    server.reset();
    server.setPlan((id) => ({ delayMs: id === 'slow' ? 1500 : 0, body: { status: 'READY' } }));
    let slowDone = false;
    let fastSeenWhileSlowPending = false;
    const results = await watchDatasets(['slow', 'fast'], { ...options, onUpdate(update) {
      if (update.datasetId === 'fast') fastSeenWhileSlowPending = !slowDone && server.inFlight === 1;
      if (update.datasetId === 'slow') slowDone = true;
    } });
    assert.ok(fastSeenWhileSlowPending);
    assert.deepEqual(results, [{ datasetId: 'slow', status: 'READY' }, { datasetId: 'fast', status: 'READY' }]);
  });

  test('401 rejects at once and no request follows', async () => {
    server.reset();
    server.setPlan(() => ({ delayMs: 30, body: { status: 'PROCESSING' } }));
    const ids = Array.from({ length: 20 }, (_, i) => `d${i}`);
    const error = await watchDatasets(ids, { ...options, ...fast, token: 'wrong-token', concurrency: 3 })
      .catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 401);
    const sent = server.requests.length;
    assert.ok(sent <= 3, `${sent} requests`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.requests.length, sent);
  });

  test('the deadline gives TimeoutError entries beside finished results', async () => {
    server.reset();
    server.setPlan((id) => (id === 'gone' ? { status: 404, body: { error: { status: 404, title: 'Not found' } } }
      : { body: { status: id === 'done' ? 'READY' : 'PROCESSING' } }));
    const results = await watchDatasets(['done', 'never', 'gone'], { ...options, ...fast, deadlineMs: 300 });
    assert.deepEqual(results[0], { datasetId: 'done', status: 'READY' });
    assert.equal(results[1].datasetId, 'never');
    assert.ok(results[1].error instanceof TimeoutError);
    assert.equal(results[1].error.timeoutMs, 300);
    assert.match(results[1].error.message, /never.*300 ms.*PROCESSING/);
    assert.equal(results[2].error.httpStatus, 404);
    const sent = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(server.requests.length, sent);
  });

  test('an abort rejects with signal.reason and no request follows', async () => {
    server.reset();
    server.setPlan(() => ({ delayMs: 20, body: { status: 'PROCESSING' } }));
    const controller = new AbortController();
    const reason = new Error('stop now');
    let updates = 0;
    const watching = watchDatasets(['a', 'b', 'c'], { ...options, ...fast, signal: controller.signal, onUpdate() {
      updates += 1;
      if (updates === 4) controller.abort(reason);
    } });
    await assert.rejects(watching, (error) => error === reason);
    const sent = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(server.requests.length, sent);
    const already = AbortSignal.abort(new Error('before'));
    await assert.rejects(watchDatasets(['a'], { ...options, signal: already }), /before/);
  });

  test('a V4 dataset finishes when its import jobs do, read through its dataset', async () => {
    server.reset();
    server.setPlan((id, read) => {
      if (read.kind === 'status') return { body: id === 'v3' ? { status: 'READY' } : (id === 'v4a' ? { status: null } : {}) };
      if (read.kind === 'dataset') {
        const first = read.count >= 2 ? (id === 'v4a' ? 'complete' : 'failed') : ['queued', 'processing'][read.count];
        return { body: v4Dataset(id, [importJob(id, `${id}-i1`, first), importJob(id, `${id}-i2`, 'complete')]) };
      }
      return { status: 500, body: { error: { status: 500, title: 'import jobs are not read one by one' } } };
    });
    const updates = [];
    const results = await watchDatasets(['v3', 'v4a', 'v4b'], { ...options, ...fast, deadlineMs: 10_000,
      onUpdate: (u) => updates.push(u) });
    assert.deepEqual(results[0], { datasetId: 'v3', status: 'READY' });
    for (const [index, final] of [[1, 'complete'], [2, 'failed']]) {
      const result = results[index];
      assert.equal(result.status, null);
      assert.deepEqual(result.imports.map((job) => [job.importId, job.status]),
        [[`${result.datasetId}-i1`, final], [`${result.datasetId}-i2`, 'complete']]);
    }
    assert.ok(!server.requests.some((r) => r.path.includes('/imports/')), 'no import job read');
    assert.equal(server.requests.filter((r) => r.path.endsWith('/datasets/v4a')).length, 3);
    const v4Updates = updates.filter((u) => u.datasetId === 'v4a');
    assert.deepEqual(v4Updates.map((u) => u.imports?.[0].status), [undefined, 'queued', 'processing', 'complete']);
    assert.deepEqual(v4Updates.map((u) => u.terminal), [false, false, false, true]);
    assert.deepEqual(v4Updates.map((u) => u.attempt), [1, 2, 3, 4]);
    assert.ok(v4Updates.every((u) => u.status === null));
  });

  test('300 unfinished import jobs cost one request per poll round, on the growing schedule', async () => {
    server.reset();
    const rounds = 5;
    server.setPlan((id, read) => {
      if (read.kind === 'status') return { body: { status: null } };
      if (read.kind === 'dataset') {
        const status = read.count >= rounds - 1 ? 'complete' : 'processing';
        return { body: v4Dataset(id, Array.from({ length: 300 }, (_, i) => importJob(id, `job-${i}`, status))) };
      }
      return { body: importJob(id, read.importId, 'processing') };
    });
    const updates = [];
    const [result] = await watchDatasets(['many-jobs'], { ...options, intervalMs: 50, maxIntervalMs: 100,
      deadlineMs: 10_000, onUpdate: (u) => updates.push(u) });
    assert.equal(result.imports.length, 300);
    assert.ok(result.imports.every((job) => job.status === 'complete'));
    const paths = server.requests.map((r) => r.path);
    assert.equal(paths.length, 1 + rounds, paths.join('\n'));
    assert.equal(paths.filter((path) => path.endsWith('/datasets/many-jobs')).length, rounds);
    // Each round after the first waits the poll interval (50 ms less 20 % jitter) after the last.
    const reads = server.requests.slice(1);
    for (let i = 1; i < reads.length; i += 1) assert.ok(reads[i].at - reads[i - 1].at >= 35, `round ${i}`);
    assert.deepEqual(updates.map((u) => u.imports?.length), [undefined, 300, 300, 300, 300, 300]);
    assert.deepEqual(updates.map((u) => u.changed), [true, true, false, false, false, true]);
  });

  test('a V4 dataset listing more import jobs than a read keeps is read again until none may be unfinished', async () => {
    server.reset();
    server.setPlan((id, read) => {
      if (read.kind === 'status') return { body: { status: null } };
      if (read.kind === 'dataset') {
        // 1,200 jobs: all processing, then the first 1,000 complete, then all done (the last failed).
        const status = (i) => (read.count === 0 ? 'processing' : i < 1000 ? 'complete'
          : read.count === 1 ? 'processing' : i === 1199 ? 'failed' : 'complete');
        return { body: v4Dataset(id, Array.from({ length: 1200 }, (_, i) => importJob(id, `j${i}`, status(i)))) };
      }
      return { body: importJob(id, read.importId, 'complete') };
    });
    const updates = [];
    const [result] = await watchDatasets(['big'], { ...options, ...fast, deadlineMs: 10_000,
      onUpdate: (u) => updates.push(u) });
    assert.equal(result.status, null, JSON.stringify(result.error?.message));
    assert.equal(result.omittedImportCount, 200);
    assert.equal(result.imports.length, 1000);
    assert.ok(result.imports.every((job) => ['complete', 'failed'].includes(job.status)));
    assert.equal(result.imports.find((job) => job.importId === 'j1199')?.status, 'failed', 'a failure is never cut');
    assert.ok(!server.requests.some((r) => r.path.includes('/imports/')));
    const dataset = updates.filter((u) => u.imports);
    assert.deepEqual(dataset.map((u) => u.terminal), [false, false, true]);
    assert.deepEqual(dataset.map((u) => u.omittedImportCount), [200, 200, 200]);
    assert.ok(dataset[1].imports.some((job) => job.importId === 'j1100' && job.status === 'processing'));
  });

  test('transient failures are retried until the deadline; permanent ones finish that dataset only', async () => {
    server.reset();
    server.setPlan((id, read) => {
      if (id === 'flaky') return read.count < 2 ? { status: 503, body: { error: { title: 'busy' } } } : { body: { status: 'READY' } };
      if (id === 'gone') return { status: 404, body: { error: { status: 404, title: 'Not found', detail: 'no' } } };
      return { body: { status: 'READY' } };
    });
    const updates = [];
    const results = await watchDatasets(['flaky', 'gone', 'x'.repeat(1025), 7], { ...options, onUpdate: (u) => updates.push(u) });
    assert.deepEqual(results[0], { datasetId: 'flaky', status: 'READY' });
    assert.equal(results[1].error.httpStatus, 404);
    assert.ok(results[2].error instanceof TypeError);
    assert.ok(results[3].error instanceof TypeError);
    assert.equal(server.requests.length, 4);
    const flaky = updates.filter((u) => u.datasetId === 'flaky');
    assert.equal(flaky.length, 3);
    assert.ok(flaky[0].error instanceof ProlificApiError);
    assert.equal(flaky[0].terminal, false);
  });

  test('options wrong for the whole call reject with TypeError before anything is sent', async () => {
    server.reset();
    for (const bad of [{ token: 'a\nb' }, { bogus: 1 }, { baseUrl: 'ftp://x' }, { concurrency: 0 }, { onUpdate: 5 },
      { token: 'x', baseUrl: 'http://example.com' }]) {
      await assert.rejects(watchDatasets(['a', 'b'], { ...options, ...bad }), TypeError, JSON.stringify(bad));
      if (!('onUpdate' in bad)) {
        await assert.rejects(getDatasetStatuses(['a', 'b'], { ...options, ...bad }), TypeError, JSON.stringify(bad));
      }
    }
    await assert.rejects(watchDatasets('a', options), TypeError);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await watchDatasets([], options), []);
  });

  test('createClient binds watchDatasets', async () => {
    server.reset();
    server.setPlan(() => ({ body: { status: 'READY' } }));
    const client = createClient({ ...options, concurrency: 2 });
    assert.deepEqual(await client.watchDatasets(['a']), [{ datasetId: 'a', status: 'READY' }]);
  });

  test('an onUpdate that throws rejects the call', async () => {
    server.reset();
    server.setPlan(() => ({ body: { status: 'PROCESSING' } }));
    const boom = new Error('boom');
    await assert.rejects(watchDatasets(['a'], { ...options, ...fast, onUpdate() { throw boom; } }), (e) => e === boom);
  });
});

describe('datasets without a status of their own (V4)', () => {
  test('getDatasetStatus resolves status null; waitForDataset rejects at once', async () => {
    server.reset();
    server.setPlan(() => ({ body: { status: null } }));
    assert.deepEqual(await getDatasetStatus('v4', options), { datasetId: 'v4', status: null });
    const error = await waitForDataset('v4', { ...options, ...fast }).catch((caught) => caught);
    assert.ok(error instanceof ProlificError, String(error));
    assert.equal(error.datasetId, 'v4');
    assert.equal(error.status, null);
    assert.match(error.message, /V4/);
    assert.equal(server.requests.length, 2);
  });
});
