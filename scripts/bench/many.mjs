/**
 * Waiting for many datasets: `count` datasets on the mock Prolific API (scripts/mock-prolific.mjs),
 * each registered with setHandler, in two scenarios. In both, every dataset starts processing when
 * the phase's first read arrives (a batch uploaded together) and its READY time is fixed in advance:
 *   batch   READY at 1.5 s + (i / count) × 4.5 s, in input order (the batch turns READY together)
 *   spread  READY at a time drawn per dataset (seeded) from 1 s to 12 s, log-uniform: most are
 *           quick, a few take 12× longer (processing times from seconds to minutes, scaled down)
 * Every answer is delayed by `latencyMs` (an API's latency), so that requests in flight at the
 * server show the client's concurrency. The client runs in a child process (many-child.mjs). The
 * server counts requests, the peak in flight, when each dataset was first read, and when its READY
 * was first answered: "staleness" is that moment less its READY time (how long a finished dataset
 * stayed unseen). The lower bounds of a prompt schedule are computed from the scenario and the
 * throughput the watch's first round reached (see boundsOf).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startMockProlific } from '../mock-prolific.mjs';
import { ROOT, TOKEN, int } from './util.mjs';

export const STRATEGIES = {
  loop: 'getDatasetStatuses loop (6 in flight, 2 s between rounds)',
  limited: 'waitForDataset for all, at most 6 at a time',
  all: 'waitForDataset for all at once (no limit)',
  watch: 'watchDatasets (one schedule, concurrency 6)',
};

/** A seeded generator of numbers in [0, 1) (mulberry32): the same READY times in every run. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SCENARIOS = {
  batch: {
    text: 'READY between 1.5 s and 6 s, in input order (a batch that turns READY together)',
    readyTimes: (count) => Array.from({ length: count }, (_, i) => 1500 + (i / count) * 4500),
  },
  spread: {
    text: 'READY at a time drawn per dataset from 1 s to 12 s, log-uniform (most quick, a few 12× longer)',
    readyTimes: (count) => {
      const random = seeded(42);
      return Array.from({ length: count }, () => 1000 * 12 ** random());
    },
  },
};

function runChild(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'scripts/bench/many-child.mjs'), JSON.stringify(args)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
  });
}

function summary(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return { mean: NaN, p95: NaN, max: NaN, count: 0 };
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { mean, p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))], max: sorted.at(-1),
    count: sorted.length };
}

/**
 * What any schedule that reads every dataset promptly must pay, with `concurrency` requests in
 * flight and answers taking `latencyMs`. `throughput` (reads per ms) is what the budget reached in
 * the watch's first round; a higher real throughput only raises the request bounds (more reads
 * come before READY), so the bounds hold when it is underestimated.
 * - inOrder: every dataset read once, in input order, as fast as the budget allows, before any is
 *   read again (the first round of a waitForDataset-like schedule with one shared budget). Each
 *   dataset whose first answer comes before its READY time needs at least one more read. Wall
 *   time is at least those reads at the budget's ceiling (concurrency / latency, no client cost),
 *   and at least the last READY time plus one answer.
 * - anyOrder: whatever the order of the first round, the reads answered before the earliest READY
 *   time find nothing READY and each needs another read.
 */
function boundsOf(readyAt, throughput, latencyMs, concurrency) {
  const count = readyAt.length;
  let unready = 0;
  readyAt.forEach((ready, i) => { if ((i + 1) / throughput + latencyMs < ready) unready += 1; });
  const requests = count + unready;
  const earliest = Math.min(...readyAt);
  return {
    throughputPerS: throughput * 1000,
    ceilingPerS: (concurrency / latencyMs) * 1000,
    inOrder: { requests, ms: Math.max((requests * latencyMs) / concurrency, Math.max(...readyAt) + latencyMs) },
    anyOrder: { requests: count + Math.min(count, Math.floor(throughput * Math.max(0, earliest - latencyMs))) },
  };
}

/**
 * Runs every strategy in every scenario.
 * @returns {Promise<{ count, latencyMs, scenarios: Array<{ scenario, text, bounds?, results }> }>}
 */
export async function runMany({ count = 1000, latencyMs = 20, strategies = Object.keys(STRATEGIES),
  scenarios = Object.keys(SCENARIOS) } = {}) {
  const mock = await startMockProlific({ token: TOKEN, timeScale: 1 });
  const ids = Array.from({ length: count }, (_, i) => `bench-wait-${i}`);
  let readyAt = [];
  let phaseStart = null;
  let inFlight = 0;
  let peakInFlight = 0;
  let requests = 0;
  let firstRead = [];
  let seenReady = [];
  let unreadyFirst = 0;
  try {
    ids.forEach((id, i) => {
      mock.setHandler(id, (req, res) => {
        const now = Date.now();
        phaseStart ??= now;
        requests += 1;
        inFlight += 1;
        peakInFlight = Math.max(peakInFlight, inFlight);
        const first = firstRead[i] === undefined;
        if (first) firstRead[i] = now - phaseStart;
        res.on('close', () => { inFlight -= 1; });
        setTimeout(() => {
          const elapsed = Date.now() - phaseStart;
          const status = elapsed < Math.min(1000, readyAt[i] / 2) ? 'UNINITIALISED'
            : elapsed < readyAt[i] ? 'PROCESSING' : 'READY';
          if (status === 'READY') seenReady[i] ??= elapsed;
          else if (first) unreadyFirst += 1;
          const body = JSON.stringify({ status });
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        }, latencyMs);
      });
    });
    const out = [];
    for (const scenario of scenarios) {
      readyAt = SCENARIOS[scenario].readyTimes(count);
      const results = [];
      for (const strategy of strategies) {
        mock.reset();
        phaseStart = null;
        requests = 0;
        peakInFlight = 0;
        firstRead = new Array(count).fill(undefined);
        seenReady = new Array(count).fill(undefined);
        unreadyFirst = 0;
        const outcome = await runChild({ strategy, origin: mock.url, ids });
        results.push({
          strategy, label: STRATEGIES[strategy], ...outcome, requests, peakInFlight, unreadyFirst,
          firstReadMs: summary(firstRead),
          firstRoundMs: Math.max(...firstRead.filter(Number.isFinite)) - Math.min(...firstRead.filter(Number.isFinite)),
          stalenessMs: summary(seenReady.map((seen, i) => seen - readyAt[i])),
        });
      }
      const watch = results.find((x) => x.strategy === 'watch');
      const bounds = watch && watch.firstRoundMs > 0
        ? boundsOf(readyAt, (count - 1) / watch.firstRoundMs, latencyMs, 6) : undefined;
      out.push({ scenario, text: SCENARIOS[scenario].text, bounds, results });
    }
    return { count, latencyMs, scenarios: out };
  } finally {
    await mock.close();
  }
}

/** The report's section for runMany's result, as Markdown lines. */
export function renderMany(many, heading) {
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);
  const s = (value) => (Number.isFinite(value) ? (value / 1000).toFixed(1) : 'n/a');
  lines.push(`${heading} Waiting for ${int(many.count)} datasets (mock Prolific API, ${many.latencyMs} ms per answer)`, '');
  lines.push('All datasets start processing at the first read. The package with its defaults (intervalMs 2000, ' +
    'concurrency 6). Counted at the server: requests, peak in flight, when each dataset was first read, and ' +
    '"staleness": how long after its READY time the client was first answered READY.', '');
  for (const { scenario, text, bounds, results } of many.scenarios) {
    lines.push(`### Scenario "${scenario}": ${text}`, '');
    row('strategy', 'wall time s', 'requests', 'peak in flight', 'first read s (mean / max)',
      'staleness s (mean / p95 / max)', 'outcome');
    row('---', '---:', '---:', '---:', '---:', '---:', '---');
    for (const x of results) {
      row(x.label, s(x.ms), int(x.requests), x.peakInFlight, `${s(x.firstReadMs.mean)} / ${s(x.firstReadMs.max)}`,
        `${s(x.stalenessMs.mean)} / ${s(x.stalenessMs.p95)} / ${s(x.stalenessMs.max)}`,
        Object.entries(x.statuses).map(([k, v]) => `${v} ${k}`).join(', ') + (x.failures ? `, ${x.failures} failures` : ''));
    }
    if (bounds) {
      lines.push('', `Lower bounds of a prompt schedule, at the throughput of the watch's first round ` +
        `(${int(bounds.throughputPerS)} reads/s): reading every dataset once in input order before reading any ` +
        `again needs at least ${int(bounds.inOrder.requests)} requests, and ${s(bounds.inOrder.ms)} s at the ` +
        `budget's ceiling (${int(bounds.ceilingPerS)} reads/s); in any order, at least ` +
        `${int(bounds.anyOrder.requests)} requests (reads answered before the earliest READY find nothing).`);
    }
    const watch = results.find((x) => x.strategy === 'watch');
    const others = results.filter((x) => x.strategy !== 'watch' && !x.failures);
    if (watch && others.length > 0) {
      const fewest = Math.min(...others.map((x) => x.requests));
      const fastest = Math.min(...others.map((x) => x.ms));
      const met = (ok) => (ok ? 'met' : '**not met**');
      lines.push('', `Targets for watchDatasets: at most 6 in flight: ${met(watch.peakInFlight <= 6)} (${watch.peakInFlight}); ` +
        `requests within 5 % of the fewest (${int(fewest)}): ${met(watch.requests <= fewest * 1.05)} (${int(watch.requests)}); ` +
        `wall time no worse than the fastest (${s(fastest)} s): ${met(watch.ms <= fastest * 1.02)} (${s(watch.ms)} s).`);
    }
    lines.push('');
  }
  return lines;
}
