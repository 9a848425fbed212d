/**
 * Memory, in a process of its own (spawned by memory.mjs, with --expose-gc): the wasm heap
 * (heapStats(): malloc'd bytes, memory size, running operations; count_emval_handles()) and the
 * process (rss, V8 heapUsed) after a warm-up, then after `requests` more reads, 64 in flight.
 *   node --expose-gc memory-child.mjs '<json: { origin, requests, warmup, concurrency }>'
 */
import { getDatasetStatus, loadModuleForDiagnostics } from '../../src/js/node.js';
import { pool, TOKEN, sleep } from './util.mjs';

const { origin, requests, warmup, concurrency } = JSON.parse(process.argv[2]);
const options = { baseUrl: origin, token: TOKEN };

async function snapshot(module) {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    await sleep(20);
  }
  const memory = process.memoryUsage();
  return {
    ...module.heapStats(),
    emvalHandles: module.count_emval_handles(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
  };
}

async function reads(count) {
  let failures = 0;
  await pool(count, concurrency, async (index) => {
    try {
      await getDatasetStatus(`bench-${index}`, options);
    } catch {
      failures += 1;
    }
  });
  return failures;
}

const module = await loadModuleForDiagnostics();
const atLoad = await snapshot(module);
const warmupFailures = await reads(warmup);
const before = await snapshot(module);
const failures = await reads(requests);
const after = await snapshot(module);
process.stdout.write(`${JSON.stringify({ requests, warmup, atLoad, before, after, failures: failures + warmupFailures })}\n`);
