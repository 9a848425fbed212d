#!/usr/bin/env node
/**
 * Benchmarks (`npm run bench`): size, start-up, throughput and CPU per request, memory, and
 * waiting for many datasets, the package side by side with plain fetch + JSON.parse. Prints a
 * Markdown report and writes it to bench-results/latest.md, with every figure in latest.json.
 * It prints figures and checks no timing: targets are shown as met or not, never asserted.
 *
 *   node scripts/bench.mjs [--requests 10000] [--browser-requests 2000] [--rounds 3]
 *                          [--concurrency 64] [--memory-requests 100000] [--startup-runs 7]
 *                          [--datasets 1000] [--latency-ms 20]
 *                          [--only size,startup,node,browser,memory,many,server] [--out bench-results]
 *
 * Needs a built module (npm run build). The server is a child process (scripts/bench/server.mjs),
 * and the Node clients run in child processes of their own, so each process's CPU time is its own.
 * The size and Chromium sections also build and measure a reference module of the fixed parts
 * alone (scripts/build.sh --bench-fixed-parts: Emscripten's Fetch API, embind and nlohmann/json's
 * SAX parser, none of the package's code), the floor of what the package can reach with them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runSize } from './bench/size.mjs';
import { runStartup } from './bench/startup.mjs';
import { runBrowserThroughput } from './bench/throughput-browser.mjs';
import { runMemory } from './bench/memory.mjs';
import { runMany, renderMany } from './bench/many.mjs';
import { runServerLoad } from './bench/dashboard-server.mjs';
import { ROOT, startServer, machine, median, kb, ms, int, ratio } from './bench/util.mjs';

const SECTIONS = ['size', 'startup', 'node', 'browser', 'memory', 'many', 'server'];

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    'browser-requests': { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '64' },
    'memory-requests': { type: 'string', default: '100000' },
    'startup-runs': { type: 'string', default: '7' },
    datasets: { type: 'string', default: '1000' },
    'latency-ms': { type: 'string', default: '20' },
    only: { type: 'string', default: SECTIONS.join(',') },
    out: { type: 'string', default: 'bench-results' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('Usage: node scripts/bench.mjs [--requests N] [--browser-requests N] [--rounds N] [--concurrency N] ' +
    '[--memory-requests N] [--startup-runs N] [--datasets N] [--latency-ms N] [--only a,b] [--out dir]\n' +
    `Sections: ${SECTIONS.join(', ')}`);
  process.exit(0);
}
const number = (name) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench: --${name} must be a positive whole number`);
    process.exit(2);
  }
  return value;
};
const config = {
  requests: number('requests'),
  browserRequests: number('browser-requests'),
  rounds: number('rounds'),
  concurrency: number('concurrency'),
  memoryRequests: number('memory-requests'),
  startupRuns: number('startup-runs'),
  datasets: number('datasets'),
  latencyMs: Number(args['latency-ms']),
  only: args.only.split(',').map((s) => s.trim()).filter(Boolean),
};
for (const name of config.only) {
  if (!SECTIONS.includes(name)) {
    console.error(`bench: unknown section "${name}" (${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
if (!existsSync(path.join(ROOT, 'dist/prolific-dataset-status.wasm'))) {
  console.error('bench: dist/ has no module; run `npm run build` first');
  process.exit(2);
}

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const wants = (name) => config.only.includes(name);
const report = { date: new Date().toISOString(), config, machine: machine(), sections: {} };
const started = performance.now();

function runNodeThroughput(server) {
  const input = { origin: server.origin, requests: config.requests, concurrency: config.concurrency,
    rounds: config.rounds, warmup: Math.min(1000, config.requests) };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', path.join(ROOT, 'scripts/bench/throughput-node-child.mjs'), JSON.stringify(input)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
  });
}

/** Medians per variant of a list of rounds, and the module/plain ratios. */
function summarise(rounds, cpuOf) {
  const out = {};
  for (const variant of ['module', 'moduleOverFetch', 'plain', 'xhr', 'fixedParts']) {
    const list = rounds.filter((r) => r.variant === variant);
    if (list.length === 0) continue;
    out[variant] = {
      requestsPerSecond: median(list.map((r) => (r.requests / r.ms) * 1000)),
      cpuMicrosPerRequest: median(list.map((r) => (cpuOf(r) * 1000) / r.requests)),
      failures: list.reduce((a, r) => a + r.failures, 0),
    };
  }
  out.ratio = {
    throughput: out.module.requestsPerSecond / out.plain.requestsPerSecond,
    cpu: out.module.cpuMicrosPerRequest / out.plain.cpuMicrosPerRequest,
  };
  if (out.fixedParts) out.ratio.fixedPartsCpu = out.fixedParts.cpuMicrosPerRequest / out.plain.cpuMicrosPerRequest;
  return out;
}

/** Builds the reference module of the fixed parts; the bench goes on without it if that fails. */
function buildFixedParts() {
  try {
    execFileSync('bash', [path.join(ROOT, 'scripts/build.sh'), '--bench-fixed-parts'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    log(`the reference module of the fixed parts was not built: ${String(error.stderr ?? error.message).trim().split('\n').pop()}`);
  }
}
if (wants('size') || wants('browser')) buildFixedParts();

const server = await startServer();
try {
  if (wants('size')) {
    log('size');
    report.sections.size = runSize();
  }
  if (wants('startup')) {
    log(`start-up (${config.startupRuns} fresh processes per variant)`);
    report.sections.startup = await runStartup({ server, runs: config.startupRuns });
  }
  if (wants('node')) {
    log(`Node throughput (${config.rounds} rounds × ${config.requests} requests per variant, ${config.concurrency} in flight)`);
    const { rounds } = await runNodeThroughput(server);
    report.sections.node = { ...summarise(rounds, (r) => r.cpuUserMs + r.cpuSystemMs), rounds };
  }
  if (wants('browser')) {
    log(`Chromium throughput (${config.rounds} rounds × ${config.browserRequests} requests per variant)`);
    try {
      const result = await runBrowserThroughput({ server, requests: config.browserRequests,
        concurrency: config.concurrency, rounds: config.rounds, warmup: Math.min(500, config.browserRequests) });
      report.sections.browser = {
        ...summarise(result.rounds, (r) => r.taskMs),
        scriptMicrosPerRequest: Object.fromEntries(['module', 'plain', 'xhr', 'fixedParts'].map((v) => [v,
          median(result.rounds.filter((r) => r.variant === v).map((r) => (r.scriptMs * 1000) / r.requests))])),
        startup: result.startup,
        rounds: result.rounds,
        pageErrors: result.errors,
      };
    } catch (error) {
      report.sections.browser = { skipped: String(error.message).split('\n')[0] };
    }
  }
  if (wants('memory')) {
    log(`memory (${config.memoryRequests} requests after warm-up)`);
    report.sections.memory = await runMemory({ server, requests: config.memoryRequests, concurrency: config.concurrency });
  }
} finally {
  await server.close();
}
if (wants('many')) {
  log(`waiting for ${config.datasets} datasets on the mock`);
  report.sections.many = await runMany({ count: config.datasets, latencyMs: config.latencyMs });
}
if (wants('server')) {
  log('dashboard server: 200 viewers polling 100 datasets every 2 s for 30 s');
  report.sections.server = await runServerLoad({ viewers: 200, datasets: 100, pollMs: 2000, durationMs: 30_000 });
}
report.machine.loadAverageAtEnd = os.loadavg().map((v) => +v.toFixed(2));
report.totalSeconds = +((performance.now() - started) / 1000).toFixed(1);

const markdown = render(report);
const outDir = path.resolve(ROOT, args.out);
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'latest.md'), markdown);
writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(markdown);
log(`written to ${path.relative(process.cwd(), outDir) || '.'}/latest.md and latest.json (${report.totalSeconds} s)`);

function render(r) {
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  const m = r.machine;
  lines.push(`# prolific-dataset-status benchmarks, ${r.date}`, '');
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; ${m.chromium}; ${m.emscripten}.`);
  lines.push(`Load average at start ${m.loadAverage.join(' / ')}, at end ${m.loadAverageAtEnd.join(' / ')} ` +
    '(a shared machine: figures are medians and vary from run to run).', '');

  const s = r.sections;
  if (s.size) {
    lines.push('## 1. Size', '', 'gzip at level 9, brotli at quality 11 (node:zlib).', '');
    row('file', 'raw KB', 'gzip KB', 'brotli KB');
    row('---', '---:', '---:', '---:');
    for (const f of s.size.files) {
      row(f.missing ? `${f.file} (missing)` : f.file, f.missing ? '–' : kb(f.raw), f.missing ? '–' : kb(f.gzip), f.missing ? '–' : kb(f.brotli));
    }
    for (const t of s.size.totals) {
      row(`**${t.label}**${t.missing.length ? ` (missing: ${t.missing.join(', ')})` : ''}`, `**${kb(t.raw)}**`, `**${kb(t.gzip)}**`, `**${kb(t.brotli)}**`);
    }
    lines.push('');
    for (const b of s.size.budgets) {
      const stretch = b.stretch === undefined ? ''
        : `; stretch ${kb(b.stretch)} KB: ${b.stretchMet ? 'met' : 'not met'}`;
      const glue = b.parts.glue === null ? 'JS with the glue inside' : `glue ${kb(b.parts.glue)}, JS`;
      lines.push(`Budget, ${b.what}: ${kb(b.actual)} KB (wasm ${kb(b.parts.wasm)}, ${glue} ${kb(b.parts.js)}) of ${kb(b.limit)} KB — ${b.met ? 'met' : `**not met** (${kb(b.actual - b.limit)} KB over)`}${stretch}.${
        b.fixedParts === undefined ? '' : ` The fixed parts alone take ${kb(b.fixedParts)} KB of it, leaving ${
          kb(b.leftForPackage)} KB for the package's own code and JS, which use ${kb(b.actual - b.fixedParts)} KB.`}`);
    }
    lines.push('');
  }
  if (s.startup) {
    const st = s.startup;
    lines.push(`## 2. Start-up (Node, fresh process each run, median of ${st.runs})`, '');
    row('step', 'package', 'plain fetch + JSON.parse');
    row('---', '---:', '---:');
    row('import src/js/node.js', `${ms(st.module.importMs)} ms`, '–');
    row('load the module (read .wasm, compile, instantiate)', `${ms(st.module.instantiateMs)} ms`, '–');
    row('instantiation alone (a second instance, bytes in memory)', `${ms(st.module.secondInstanceMs)} ms`, '–');
    row('first status, from the script\'s first line', `${ms(st.module.firstStatusMs)} ms`, `${ms(st.plain.firstStatusMs)} ms`);
    row('first status, from process start', `${ms(st.module.firstStatusSinceProcessMs)} ms`, `${ms(st.plain.firstStatusSinceProcessMs)} ms`);
    if (s.browser?.startup) {
      row('Chromium: import index.js (fetch glue + wasm on first call)', `${ms(s.browser.startup.importMs)} ms`, '–');
      row('Chromium: first status from the start of the import (one page load)', `${ms(s.browser.startup.firstStatusMs)} ms`, '–');
    }
    lines.push('');
  }
  if (s.node || s.browser) {
    lines.push('## 3. Throughput and CPU per request', '');
    lines.push(`${r.config.concurrency} requests in flight against a minimal keep-alive node:http server (its own process) ` +
      `answering {"status":"READY"}; package and plain fetch alternate, ${r.config.rounds} rounds each; medians. ` +
      'Node CPU: process.cpuUsage() of the client process (user + system). Chromium CPU: renderer main-thread ' +
      'TaskDuration (thread time) from CDP Performance.getMetrics; the browser and network processes are outside it. ' +
      'Chromium opens at most 6 connections per host over HTTP/1.1, so every variant shares that limit.', '');
    const VARIANT_LABELS = { module: 'package', moduleOverFetch: 'package over its fetch() stand-in', plain: 'plain fetch + JSON.parse', xhr: '(reference) XMLHttpRequest + JSON.parse',
      fixedParts: '(reference) the fixed parts alone: Fetch API, embind, nlohmann SAX' };
    row('runtime', 'requests per run', 'variant', 'req/s', 'CPU µs/req', 'failures');
    row('---', '---:', '---', '---:', '---:', '---:');
    const add = (name, sec, n) => {
      if (!sec || sec.skipped) {
        if (sec?.skipped) row(name, '–', `skipped: ${sec.skipped}`, '', '', '');
        return;
      }
      for (const v of ['module', 'moduleOverFetch', 'plain', 'xhr', 'fixedParts']) {
        if (!sec[v]) continue;
        row(name, int(n), VARIANT_LABELS[v], int(sec[v].requestsPerSecond), ms(sec[v].cpuMicrosPerRequest), sec[v].failures);
      }
      row(name, '', '**package / plain fetch**', `**${ratio(sec.ratio.throughput)}**`, `**${ratio(sec.ratio.cpu)}**`, '');
      if (sec.ratio.fixedPartsCpu !== undefined) {
        row(name, '', 'fixed parts alone / plain fetch (the floor)', '', ratio(sec.ratio.fixedPartsCpu), '');
      }
    };
    add('Node', s.node, r.config.requests);
    add('Chromium', s.browser, r.config.browserRequests);
    const target = (sec) => (sec && !sec.skipped ? (sec.ratio.throughput >= 0.9 ? 'met' : '**not met**') : 'not measured');
    lines.push('', `Target, throughput at least 0.9× plain fetch: Node ${target(s.node)}, Chromium ${target(s.browser)}.`);
    lines.push('');
  }
  if (s.memory) {
    const mem = s.memory;
    lines.push(`## 4. Memory (Node, fresh process; ${int(mem.warmup)} warm-up reads, then ${int(mem.requests)} reads)`, '');
    row('measure', 'module loaded', 'after warm-up', `after ${int(mem.requests)} more`, 'growth after warm-up');
    row('---', '---:', '---:', '---:', '---:');
    const line = (label, key, fmt = int) => row(label, fmt(mem.atLoad[key]), fmt(mem.before[key]), fmt(mem.after[key]), fmt(mem.after[key] - mem.before[key]));
    line('wasm heap: malloc\'d bytes (heapStats().usedBytes)', 'usedBytes');
    line('wasm memory size, bytes (heapStats().heapBytes)', 'heapBytes');
    line('operations running', 'operations');
    line('embind handles (count_emval_handles())', 'emvalHandles');
    const mb = (v) => (v / 2 ** 20).toFixed(1);
    line('process rss, MiB', 'rss', mb);
    line('V8 heapUsed, MiB', 'heapUsed', mb);
    const grew = mem.after.usedBytes - mem.before.usedBytes;
    lines.push('', `Target, no growth of the wasm heap after warm-up: ${grew === 0 && mem.after.heapBytes === mem.before.heapBytes ? 'met' : `**not met** (${grew} bytes)`}` +
      `${mem.failures ? `; ${mem.failures} reads failed` : ''}.`, '');
  }
  if (s.many) lines.push(...renderMany(s.many, '## 5.'));
  if (s.server) {
    const sv = s.server;
    lines.push(`## 6. Dashboard server under load (\`serve\`, its own process; ${sv.viewers} viewers, ${sv.datasets} datasets, ` +
      `every ${sv.pollMs / 1000} s for ${sv.durationMs / 1000} s)`, '');
    lines.push(`Every viewer reads the same ${sv.datasets} dataset statuses through the server, at most ${sv.inFlight} reads in ` +
      `flight for all viewers together (a round still running when the next is due is skipped); answers are reused for ` +
      `${sv.coalesceMs / 1000} s. Answer time: from sending a read to the end of its answer, on loopback.`, '');
    row('viewer reads', 'answers', 'upstream reads', 'per dataset (bound)', 'p50 ms', 'p99 ms', 'max ms');
    row('---:', '---', '---:', '---:', '---:', '---:', '---:');
    row(int(sv.sent), Object.entries(sv.statuses).map(([k, v]) => `${int(v)} × ${k}`).join(', '), int(sv.upstreamReads),
      `${sv.upstreamReadsPerDatasetMin}…${sv.upstreamReadsPerDatasetMax} (${sv.upstreamReadsPerDatasetBound})`,
      ms(sv.p50Ms), ms(sv.p99Ms), ms(sv.maxMs));
    lines.push('');
  }
  lines.push(`Total bench time ${r.totalSeconds} s.`, '');
  return `${lines.join('\n')}\n`;
}
