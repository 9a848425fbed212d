/**
 * Load on the dashboard server (`prolific-dataset-status serve`, a real process): simulated
 * viewers poll the same datasets through it, in front of an upstream on 127.0.0.1 that counts
 * its reads. Loopback only, bounded in time and in requests in flight. Used by `npm run bench`
 * (the server's answer times) and tests/server-load.test.mjs (the upstream read counts).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'load-test-token';

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function startCountingUpstream() {
  const reads = new Map();
  const server = http.createServer((req, res) => {
    reads.set(req.url, (reads.get(req.url) ?? 0) + 1);
    const body = Buffer.from('{"status":"PROCESSING"}');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    reads,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

function startServeProcess(args, env) {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/js/cli.js'), 'serve', ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`serve did not start:\n${output}`)); }, 60_000);
    child.stdout.on('data', () => {
      const match = /Dashboard: http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (!match || !output.includes('Press Ctrl-C')) return;
      clearTimeout(timer);
      resolve({ port: Number(match[1]), stop: () => { child.kill('SIGTERM'); return exited; } });
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}:\n${output}`)); });
  });
}

/**
 * Runs the load and reports what happened.
 * @param {object} [options]
 * @param {number} [options.viewers=200] simulated dashboard pages
 * @param {number} [options.datasets=100] datasets each viewer watches (the same ids for all)
 * @param {number} [options.pollMs=2000] each viewer reads all its datasets every pollMs; a round
 *   still running when the next is due is skipped (as a page that waits for its answers)
 * @param {number} [options.durationMs=30000] how long viewers read, in ms; then reads not yet sent
 *   are dropped (the pages close) and those in flight end
 * @param {number} [options.coalesceSeconds=2] the server's --coalesce
 * @param {number} [options.upstreamRate=1000] the server's --upstream-rate
 * @param {number} [options.inFlight=32] requests in flight at most, for all viewers together
 * @returns {Promise<object>} counts (planned, sent, dropped at the end, answers by status, skipped rounds), upstream
 *   reads (total, per dataset at most, the bound floor(elapsed / window) + 1), answer times in ms
 *   (p50, p99, max; from sending the request to the end of the answer), elapsed ms
 */
export async function runServerLoad({
  viewers = 200, datasets = 100, pollMs = 2000, durationMs = 30_000, coalesceSeconds = 2, upstreamRate = 1000, inFlight = 32,
} = {}) {
  const upstream = await startCountingUpstream();
  const env = { ...process.env, PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url };
  for (const name of ['PROLIFIC_TOKEN_FILE', 'DASHBOARD_BASIC_AUTH', 'DASHBOARD_BASIC_AUTH_FILE', 'PORT']) delete env[name];
  let server;
  try {
    server = await startServeProcess(['--port', '0', '--quiet', '--coalesce', String(coalesceSeconds),
      '--upstream-rate', String(upstreamRate)], env);
    const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
    const ids = Array.from({ length: datasets }, (_, i) => `load-dataset-${i}`);
    const latencies = [];
    const statuses = {};
    let planned = 0;
    let sent = 0;
    let skippedRounds = 0;
    let active = 0;
    const waiting = [];
    const pump = () => {
      while (active < inFlight && waiting.length > 0) {
        const { id, done } = waiting.shift();
        active += 1;
        sent += 1;
        const startedAt = performance.now();
        const request = http.get({ host: '127.0.0.1', port: server.port, agent,
          path: `/api/v1/data-collection/datasets/${id}/status`, headers: { Host: `127.0.0.1:${server.port}` } }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - startedAt);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            active -= 1;
            done();
            pump();
          });
        });
        request.on('error', () => {
          statuses.error = (statuses.error ?? 0) + 1;
          active -= 1;
          done();
          pump();
        });
      }
    };
    const started = performance.now();
    const rounds = [];
    const viewerLoops = Array.from({ length: viewers }, () => new Promise((resolveViewer) => {
      let busy = false;
      const round = () => {
        if (performance.now() - started >= durationMs) {
          resolveViewer();
          return;
        }
        planned += ids.length;
        if (busy) {
          skippedRounds += 1;
        } else {
          busy = true;
          let left = ids.length;
          const current = new Promise((resolveRound) => {
            for (const id of ids) {
              waiting.push({ id, done: () => { if (--left === 0) { busy = false; resolveRound(); } } });
            }
          });
          rounds.push(current);
          pump();
        }
        setTimeout(round, pollMs);
      };
      setTimeout(round, Math.random() * pollMs);
    }));
    await Promise.all(viewerLoops);
    // The pages close: reads not yet sent are dropped, reads in flight end.
    const dropped = waiting.splice(0);
    for (const { done } of dropped) done();
    await Promise.all(rounds);
    const elapsedMs = performance.now() - started;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const perDataset = ids.map((id) => upstream.reads.get(`/api/v1/data-collection/datasets/${id}/status`) ?? 0);
    return {
      viewers, datasets, pollMs, durationMs, coalesceMs: coalesceSeconds * 1000, upstreamRate, inFlight,
      elapsedMs,
      planned,
      sent,
      droppedAtEnd: dropped.length,
      skippedRounds,
      statuses,
      upstreamReads: perDataset.reduce((a, b) => a + b, 0),
      upstreamReadsPerDatasetMax: Math.max(...perDataset),
      upstreamReadsPerDatasetMin: Math.min(...perDataset),
      upstreamReadsPerDatasetBound: Math.floor(elapsedMs / (coalesceSeconds * 1000)) + 1,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1],
    };
  } finally {
    await server?.stop();
    await upstream.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const durationMs = Number(process.argv[2] ?? 30_000);
  console.log(JSON.stringify(await runServerLoad({ durationMs }), null, 2));
}
