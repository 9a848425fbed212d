/** Memory before and after many reads, in a fresh Node process (see memory-child.mjs). */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './util.mjs';

export function runMemory({ server, requests = 100_000, warmup = 2_000, concurrency = 64 }) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath,
      ['--expose-gc', path.join(ROOT, 'scripts/bench/memory-child.mjs'), JSON.stringify({ origin: server.origin, requests, warmup, concurrency })],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`memory child failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout));
      });
  });
}
