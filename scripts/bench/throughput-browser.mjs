/**
 * Throughput in headless Chromium (playwright-core): the page and the package are served by the
 * bench server (same origin, no token). The package against plain fetch + JSON.parse, alternating.
 * A third variant, raw XMLHttpRequest + JSON.parse (what emscripten/fetch.h uses underneath), is
 * measured as a reference, and so is the fixed parts' module (scripts/bench/fixed-parts.cpp) when
 * it was built. CPU: the renderer main thread's task and script time from CDP
 * Performance.getMetrics (TaskDuration, ScriptDuration, in thread time), whose deltas cover one
 * run; the browser and network service processes are not in them.
 */
import { CHROMIUM, CHROMIUM_ARGS } from './util.mjs';

export async function runBrowserThroughput({ server, requests, concurrency, rounds, warmup }) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${server.origin}/bench/page.html`);
    await page.waitForFunction(() => window.bench !== undefined || document.querySelector('#state')?.textContent !== 'loading',
      undefined, { timeout: 30_000 });
    const startup = await page.evaluate(() => window.bench?.startup);
    if (!startup) throw new Error(`the bench page did not load: ${errors.join('; ')}`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const metrics = async () => {
      const { metrics: list } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(list.map(({ name, value }) => [name, value]));
    };
    const run = async (variant, count) => {
      const before = await metrics();
      const result = await page.evaluate(([v, n, c]) => window.bench.run(v, n, c), [variant, count, concurrency]);
      const after = await metrics();
      return {
        variant,
        requests: count,
        ms: result.ms,
        failures: result.failures,
        taskMs: (after.TaskDuration - before.TaskDuration) * 1000,
        scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
        jsHeapUsed: after.JSHeapUsedSize,
      };
    };
    const hasFixedParts = await page.evaluate(() => window.bench.hasFixedParts);
    const variants = ['plain', 'module', 'xhr', ...(hasFixedParts ? ['fixedParts'] : [])];
    for (const variant of variants) await run(variant, warmup);
    const results = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const variant of round % 2 ? [...variants].reverse() : variants) {
        results.push({ round, ...(await run(variant, requests)) });
      }
    }
    return { startup, rounds: results, errors };
  } finally {
    await browser.close();
  }
}
