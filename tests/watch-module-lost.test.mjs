// watchDatasets when the WebAssembly runtime dies mid-call (an out-of-memory abort): the whole
// call rejects with the same ProlificError as every other call in flight, nothing more is asked of
// the dead module, and the next call loads a fresh module. Real module, real server on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ProlificError, getDatasetStatus, loadModuleForDiagnostics, watchDatasets } from './support/entry.mjs';

const TOKEN = 'module-lost-token-0123456789';

test('a runtime that dies rejects the whole watch, and the next call works', async () => {
  let requests = 0;
  let answered = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    // Answered after 1 s, unless the client has given the request up by then (the runtime dies
    // once all four reads have arrived, well within that on a busy machine).
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"PROCESSING"}', () => { answered += 1; });
    }, 1000);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  try {
    const module = await loadModuleForDiagnostics();
    const updates = [];
    const watching = watchDatasets(['w1', 'w2', 'w3'], {
      baseUrl, token: TOKEN, intervalMs: 50, deadlineMs: 20000, onUpdate: (update) => updates.push(update),
    });
    const read = getDatasetStatus('r1', { baseUrl, token: TOKEN });
    // The four reads in flight at the server (it answers each after 1 s): a fixed wait let a
    // busy machine abort before they arrived, and count them as sent afterwards.
    for (let waited = 0; requests < 4 && waited < 10000; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(requests, 4, 'the three watched datasets and the read reached the server');
    // Out of memory: ABORTING_MALLOC aborts the runtime.
    assert.throws(() => { module._malloc(0x7fff0000); module._malloc(0x7fff0000); });
    const [watchOutcome, readOutcome] = await Promise.allSettled([watching, read]);
    assert.equal(readOutcome.status, 'rejected');
    assert.equal(watchOutcome.status, 'rejected', 'the watch rejects instead of resolving an error per dataset');
    assert.ok(watchOutcome.reason instanceof ProlificError);
    assert.match(watchOutcome.reason.message, /module stopped/);
    assert.equal(watchOutcome.reason, readOutcome.reason, 'the same error as the other calls in flight');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    // The requests the dead module had made (the watch's three first reads and the read) are
    // stopped with it: none is answered into the dead module, and no request is made after the
    // calls failed.
    assert.equal(answered, 0, `${answered} of the ${requests} requests of the dead module were answered`);
    assert.equal(requests, 4, 'no request reached the server after the runtime died');
    assert.equal(updates.filter((update) => update.error).length, 0, 'no update reports the dead module per dataset');

    const fresh = await getDatasetStatus('after', { baseUrl, token: TOKEN });
    assert.equal(fresh.status, 'PROCESSING');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
