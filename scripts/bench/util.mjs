/** Shared helpers of the benchmark scripts: the server child process, statistics, machine facts. */
import { fork, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const TOKEN = 'bench-token';

/** Starts scripts/bench/server.mjs in a child process. */
export async function startServer() {
  const child = fork(path.join(ROOT, 'scripts/bench/server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    child.once('message', (message) => resolve(message.port));
  });
  const ask = (cmd, key) => new Promise((resolve) => {
    const listener = (message) => {
      if (message && key in message) {
        child.off('message', listener);
        resolve(message[key]);
      }
    };
    child.on('message', listener);
    child.send({ cmd });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stats: () => ask('stats', 'stats'),
    reset: () => ask('reset', 'reset'),
    close: () => new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', resolve);
      child.kill();
    }),
  };
}

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const kb = (bytes) => (bytes / 1024).toFixed(1);
export const ms = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const int = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
export const ratio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
export const sleep = (delay) => new Promise((resolve) => setTimeout(resolve, delay));

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpu = match[1].trim();
  } catch { /* not Linux */ }
  let chromium = 'not found';
  try {
    chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { /* absent */ }
  let emscripten = 'unknown';
  try {
    emscripten = execFileSync('emcc', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch { /* absent */ }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAverage: os.loadavg().map((v) => +v.toFixed(2)),
    node: process.version,
    chromium,
    emscripten,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Runs `count` tasks with at most `limit` in flight; `task(index)` returns a promise. */
export async function pool(count, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}
