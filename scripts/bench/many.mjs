/**
 * Waiting many datasets: `count` datasets on the mock Prolific API (scripts/mock-prolific.mjs),
 * each registered with setHandler. They all start processing when the phase's first read arrives
 * (a batch uploaded together): UNINITIALISED for the first second, then PROCESSING, then READY at
 * 1.5 s + (i / count) × 4.5 s. Every answer is delayed by `latencyMs` (an API's latency), so that
 * requests in flight at the server show the client's concurrency. The client runs in a child
 * process (many-child.mjs); the server counts requests and the peak in flight.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startMockProlific } from '../mock-prolific.mjs';
import { ROOT, TOKEN } from './util.mjs';

export const STRATEGIES = {
  loop: 'getDatasetStatuses loop (6 in flight, 2 s between rounds)',
  limited: 'waitForDataset for all, at most 6 at a time',
  all: 'waitForDataset for all at once (no limit)',
  watch: '1,000 datasets with watchDatasets (one schedule, concurrency 6)',
};

function runChild(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'scripts/bench/many-child.mjs'), JSON.stringify(args)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
  });
}

export async function runMany({ count = 1000, latencyMs = 20, strategies = Object.keys(STRATEGIES) } = {}) {
  const mock = await startMockProlific({ token: TOKEN, timeScale: 1 });
  const ids = Array.from({ length: count }, (_, i) => `bench-wait-${i}`);
  let phaseStart = null;
  let inFlight = 0;
  let peakInFlight = 0;
  let requests = 0;
  try {
    ids.forEach((id, i) => {
      const readyAt = 1500 + (i / count) * 4500;
      mock.setHandler(id, (req, res) => {
        const now = Date.now();
        phaseStart ??= now;
        requests += 1;
        inFlight += 1;
        peakInFlight = Math.max(peakInFlight, inFlight);
        res.on('close', () => { inFlight -= 1; });
        setTimeout(() => {
          const elapsed = Date.now() - phaseStart;
          const status = elapsed < 1000 ? 'UNINITIALISED' : elapsed < readyAt ? 'PROCESSING' : 'READY';
          const body = JSON.stringify({ status });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        }, latencyMs);
      });
    });
    const results = [];
    for (const strategy of strategies) {
      mock.reset();
      phaseStart = null;
      requests = 0;
      peakInFlight = 0;
      const outcome = await runChild({ strategy, origin: mock.url, ids });
      results.push({ strategy, label: STRATEGIES[strategy], ...outcome, requests, peakInFlight });
    }
    return { count, latencyMs, results };
  } finally {
    await mock.close();
  }
}
