/**
 * The benchmarks' minimal HTTP server (node:http, keep-alive). Run as a child process so that its
 * CPU time is not counted in the client's. It answers
 *   GET /api/v1/data-collection/datasets/<id>/status  → 200 {"status":"READY"}
 * and serves, for the browser runs, the package (/src/js/*.js, /dist/*) and the bench page
 * (/bench/page.html, /bench/page.js) from the same origin, so no CORS is involved.
 *
 * Started with child_process.fork(): it sends { port } once listening, and answers the messages
 * { cmd: 'stats' } (requests, peak in flight, since the last reset) and { cmd: 'reset' }.
 * Standalone: node scripts/bench/server.mjs [port] prints the URL.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STATUS_PATH = /^\/api\/v1\/data-collection\/datasets\/[^/]+\/status$/;
const BODY = Buffer.from('{"status":"READY"}');
const STATUS_HEADERS = {
  'Content-Type': 'application/json',
  'Content-Length': String(BODY.length),
  'Cache-Control': 'no-store',
};
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8',
  '.map': 'application/json' };
const STATIC = new Map([
  ['/bench/page.html', 'scripts/bench/page.html'],
  ['/bench/page.js', 'scripts/bench/page.js'],
]);
/** The package's files a page may load: every file of src/js/ and dist/ (modules, bundles, maps),
 * and the reference module of the fixed parts (scripts/bench/fixed-parts.cpp). */
const PACKAGE_FILE = /^\/(src\/js\/[\w.-]+\.js|dist\/(?:(?:status|browser)\/)?[\w.-]+\.(?:mjs|js|wasm|map)|build\/wasm\/bench-fixed-parts\/prolific-dataset-status\.(?:mjs|wasm))$/;

function staticFile(pathname) {
  return STATIC.get(pathname) ?? PACKAGE_FILE.exec(pathname)?.[1];
}

let requests = 0;
let inFlight = 0;
let peakInFlight = 0;

const server = http.createServer((req, res) => {
  const url = req.url;
  if (STATUS_PATH.test(url)) {
    requests += 1;
    inFlight += 1;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
    res.on('close', () => { inFlight -= 1; });
    res.writeHead(200, STATUS_HEADERS);
    res.end(BODY);
    return;
  }
  const file = staticFile(url.split('?')[0]);
  if (file && req.method === 'GET') {
    let bytes;
    try {
      bytes = readFileSync(path.join(root, file));
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(bytes);
    return;
  }
  if (url === '/favicon.ico') { res.writeHead(204).end(); return; }
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxRequestsPerSocket = 0;

const port = Number(process.argv[2] ?? 0);
server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address();
  if (process.send) process.send({ port: actual });
  else console.log(`http://127.0.0.1:${actual}/`);
});

process.on('message', (message) => {
  if (message?.cmd === 'stats') {
    process.send({ stats: { requests, inFlight, peakInFlight, cpu: process.cpuUsage() } });
  } else if (message?.cmd === 'reset') {
    requests = 0;
    peakInFlight = inFlight;
    process.send({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
