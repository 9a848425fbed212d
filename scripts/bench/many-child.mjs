/**
 * Waiting for many datasets, in a process of its own (spawned by many.mjs), through the package:
 *   loop     getDatasetStatuses(pending) (concurrency 6, the default), then sleep 2 s (the default
 *            intervalMs), until every dataset is terminal
 *   limited  waitForDataset for every id, at most 6 waits at a time (a user-side limit)
 *   all      waitForDataset for every id at once (no limit: what the server then sees)
 *   watch    watchDatasets(ids): one schedule, one budget of 6 requests in flight (the default)
 *   node many-child.mjs '<json: { strategy, origin, ids }>'  → one JSON line { ms, failures, statuses }
 */
import { performance } from 'node:perf_hooks';
import { getDatasetStatuses, waitForDataset, watchDatasets, isTerminalStatus } from '../../src/js/node.js';
import { pool, sleep, TOKEN } from './util.mjs';

const { strategy, origin, ids } = JSON.parse(process.argv[2]);
const options = { baseUrl: origin, token: TOKEN };
const final = new Map();
let failures = 0;

const t0 = performance.now();
if (strategy === 'loop') {
  let pending = ids;
  let rounds = 0;
  while (pending.length > 0) {
    rounds += 1;
    const results = await getDatasetStatuses(pending, options);
    const next = [];
    for (const result of results) {
      if (result.error) {
        failures += 1;
        next.push(result.datasetId);
      } else if (isTerminalStatus(result.status)) {
        final.set(result.datasetId, result.status);
      } else {
        next.push(result.datasetId);
      }
    }
    pending = next;
    if (pending.length > 0) await sleep(2000);
  }
} else if (strategy === 'watch') {
  for (const result of await watchDatasets(ids, options)) {
    if (result.error) failures += 1;
    final.set(result.datasetId, result.error ? result.error.name : result.status);
  }
} else {
  const wait = async (id) => {
    try {
      final.set(id, (await waitForDataset(id, options)).status);
    } catch (error) {
      failures += 1;
      final.set(id, error.name);
    }
  };
  if (strategy === 'limited') await pool(ids.length, 6, (index) => wait(ids[index]));
  else await Promise.all(ids.map(wait));
}
const ms = performance.now() - t0;
const statuses = {};
for (const status of final.values()) statuses[status] = (statuses[status] ?? 0) + 1;
process.stdout.write(`${JSON.stringify({ ms, failures, statuses })}\n`);
