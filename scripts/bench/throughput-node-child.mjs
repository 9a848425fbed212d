/**
 * Throughput in Node, in a process of its own (spawned by throughput.mjs) so that only the
 * client's work is in process.cpuUsage(): N reads with `concurrency` in flight, the package
 * against plain fetch + JSON.parse, alternating for `rounds` rounds after a warm-up. A third
 * variant is the package over its stand-in on fetch() (src/js/fetch-xhr.js, what Deno, Bun and
 * workers use) instead of the Node entry's node:http stand-in: the figure behind the choice of
 * transport in Node.
 *   node throughput-node-child.mjs '<json: { origin, requests, concurrency, rounds, warmup }>'
 * Prints one JSON line: { rounds: [{ variant, ms, cpuUserMs, cpuSystemMs, requests, failures }] }.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { getDatasetStatus } from '../../src/js/node.js';
import { createApi } from '../../src/js/api.js';
import { instantiateModule } from '../../src/js/load.js';
import { FetchXMLHttpRequest } from '../../src/js/fetch-xhr.js';
import createProlificModule from '../../dist/prolific-dataset-status.mjs';
import { pool, TOKEN } from './util.mjs';

const { origin, requests, concurrency, rounds, warmup } = JSON.parse(process.argv[2]);
const options = { baseUrl: origin, token: TOKEN };
const headers = { Authorization: `Token ${TOKEN}` };

const overFetch = createApi({
  loadModule: ({ onAbort }) => instantiateModule(createProlificModule, {
    wasm: readFileSync(new URL('../../dist/prolific-dataset-status.wasm', import.meta.url)),
    onAbort, XMLHttpRequest: FetchXMLHttpRequest,
  }),
  environmentDefaults: () => ({ token: undefined, baseUrl: origin }),
});

const variants = {
  async module(id) {
    const { status } = await getDatasetStatus(id, options);
    return status;
  },
  async moduleOverFetch(id) {
    const { status } = await overFetch.getDatasetStatus(id, options);
    return status;
  },
  async plain(id) {
    const response = await fetch(`${origin}/api/v1/data-collection/datasets/${encodeURIComponent(id)}/status`, { headers });
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { status } = JSON.parse(text);
    if (typeof status !== 'string' || status === '') throw new Error('no status');
    return status;
  },
};

async function run(variant, count) {
  const read = variants[variant];
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(count, concurrency, async (index) => {
    try {
      if (await read(`bench-${index}`) !== 'READY') failures += 1;
    } catch {
      failures += 1;
    }
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { variant, requests: count, ms, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, failures };
}

await run('plain', warmup);
await run('module', warmup);
await run('moduleOverFetch', warmup);
const results = [];
for (let round = 0; round < rounds; round += 1) {
  const order = round % 2 ? ['module', 'moduleOverFetch', 'plain'] : ['plain', 'moduleOverFetch', 'module'];
  for (const variant of order) {
    globalThis.gc?.();
    results.push({ round, ...(await run(variant, requests)) });
  }
}
process.stdout.write(`${JSON.stringify({ rounds: results })}\n`);
