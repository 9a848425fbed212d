/**
 * Start-up: fresh Node processes (spawned) that import the package and read one status from the
 * local server, against the same with plain fetch + JSON.parse. Variants alternate; medians.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, median } from './util.mjs';

function runChild(mode, origin) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/bench/startup-child.mjs'), mode, origin],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => { text += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0) return reject(new Error(`startup child (${mode}) exited with ${code}`));
      try {
        resolve({ ...JSON.parse(text), processWallMs: wall });
      } catch (error) {
        reject(error);
      }
    });
  });
}

export async function runStartup({ server, runs = 7 }) {
  const samples = { module: [], plain: [] };
  await runChild('plain', server.origin); // warm the OS file cache, not counted
  await runChild('module', server.origin);
  for (let i = 0; i < runs; i += 1) {
    for (const mode of i % 2 ? ['module', 'plain'] : ['plain', 'module']) {
      samples[mode].push(await runChild(mode, server.origin));
    }
  }
  const m = (list, f) => median(list.map(f));
  return {
    runs,
    module: {
      importMs: m(samples.module, (s) => s.imported - s.scriptStart),
      instantiateMs: m(samples.module, (s) => s.instantiated - s.imported),
      secondInstanceMs: m(samples.module, (s) => s.secondInstanceMs),
      firstStatusMs: m(samples.module, (s) => s.firstStatus - s.scriptStart),
      firstStatusSinceProcessMs: m(samples.module, (s) => s.firstStatus),
      processWallMs: m(samples.module, (s) => s.processWallMs),
    },
    plain: {
      firstStatusMs: m(samples.plain, (s) => s.firstStatus - s.scriptStart),
      firstStatusSinceProcessMs: m(samples.plain, (s) => s.firstStatus),
      processWallMs: m(samples.plain, (s) => s.processWallMs),
    },
    samples,
  };
}
