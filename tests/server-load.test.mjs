// Load on the dashboard server (a real `serve` process, loopback only, bounded): 200 simulated
// viewers polling the same 100 datasets every 2 s for 30 s. Coalescing must hold upstream to at
// most one read per dataset per 2 s window, whatever the load. The counts are printed; the answer
// times are only reported (npm run bench shows them), never asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runServerLoad } from '../scripts/bench/dashboard-server.mjs';

test('200 viewers × 100 datasets every 2 s for 30 s: at most one upstream read per dataset per window', async (t) => {
  const result = await runServerLoad({ viewers: 200, datasets: 100, pollMs: 2000, durationMs: 30_000, coalesceSeconds: 2 });
  t.diagnostic(`viewer reads sent ${result.sent} (all 200: ${result.statuses[200] === result.sent}), ` +
    `${result.droppedAtEnd} not sent when the pages closed, ` +
    `upstream reads ${result.upstreamReads} for ${result.datasets} datasets, ` +
    `per dataset ${result.upstreamReadsPerDatasetMin}…${result.upstreamReadsPerDatasetMax} ` +
    `(bound ${result.upstreamReadsPerDatasetBound} in ${(result.elapsedMs / 1000).toFixed(1)} s), ` +
    `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms`);
  assert.ok(result.sent >= 1000, `${result.sent} reads`);
  assert.deepEqual(Object.keys(result.statuses), ['200'], JSON.stringify(result.statuses));
  assert.ok(result.upstreamReadsPerDatasetMin >= 1);
  assert.ok(result.upstreamReadsPerDatasetMax <= result.upstreamReadsPerDatasetBound,
    `${result.upstreamReadsPerDatasetMax} reads of one dataset > ${result.upstreamReadsPerDatasetBound}`);
  assert.ok(result.upstreamReads < result.sent / 5, 'viewers share upstream reads');
});

test('a budget of 5 upstream reads per second holds for all viewers together', async (t) => {
  const result = await runServerLoad({ viewers: 20, datasets: 50, pollMs: 1000, durationMs: 6000, coalesceSeconds: 1, upstreamRate: 5 });
  t.diagnostic(`viewer reads ${result.sent}, upstream reads ${result.upstreamReads} in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  assert.deepEqual(Object.keys(result.statuses), ['200'], JSON.stringify(result.statuses));
  // A bucket of 5 reads (the burst) plus 5 per second of the run.
  assert.ok(result.upstreamReads <= 5 + Math.ceil((result.elapsedMs / 1000) * 5),
    `${result.upstreamReads} upstream reads in ${result.elapsedMs} ms`);
  assert.ok(result.upstreamReads >= 5, 'the burst was used');
});
