// The browser side of the throughput bench, served same-origin by scripts/bench/server.mjs.
// window.bench.run(variant, count, concurrency) reads `count` statuses with `concurrency` in
// flight, through the package (no token: same origin) or plain fetch + JSON.parse.
const importStart = performance.now();
const pkg = await import('/src/js/index.js');
const imported = performance.now();
const first = await pkg.getDatasetStatus('startup-1', { baseUrl: location.origin });
const firstStatus = performance.now();

const options = { baseUrl: location.origin };
// The reference module of the fixed parts (scripts/bench/fixed-parts.cpp), when it was built.
const fixedPartsModule = await import('/build/wasm/bench-fixed-parts/prolific-dataset-status.mjs')
  .then(({ default: create }) => create({ locateFile: (file) => `/build/wasm/bench-fixed-parts/${file}` }), () => null);
const variants = {
  async module(id) {
    const { status } = await pkg.getDatasetStatus(id, options);
    return status;
  },
  async plain(id) {
    const response = await fetch(`/api/v1/data-collection/datasets/${encodeURIComponent(id)}/status`);
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { status } = JSON.parse(text);
    if (typeof status !== 'string' || status === '') throw new Error('no status');
    return status;
  },
  // The fixed parts alone: emscripten/fetch.h, embind and nlohmann's SAX parser, no package code
  // (not in the summary; the floor of the package's CPU per read).
  fixedParts(id) {
    return new Promise((resolve, reject) => fixedPartsModule.readStatus(
      `${location.origin}/api/v1/data-collection/datasets/${encodeURIComponent(id)}/status`,
      (status) => (status === null ? reject(new Error('no status')) : resolve(status))));
  },
  // XMLHttpRequest + JSON.parse, what emscripten/fetch.h uses underneath (not in the summary).
  xhr(id) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', `/api/v1/data-collection/datasets/${encodeURIComponent(id)}/status`);
      xhr.responseType = 'arraybuffer';
      xhr.onload = () => {
        try {
          const { status } = JSON.parse(new TextDecoder().decode(xhr.response));
          resolve(status);
        } catch (error) {
          reject(error);
        }
      };
      xhr.onerror = () => reject(new Error('network error'));
      xhr.send();
    });
  },
};

async function run(variant, count, concurrency) {
  const read = variants[variant];
  let failures = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        if (await read(`bench-${index}`) !== 'READY') failures += 1;
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ms: performance.now() - t0, failures };
}

window.bench = {
  startup: { importMs: imported - importStart, firstStatusMs: firstStatus - importStart, status: first.status },
  hasFixedParts: fixedPartsModule !== null,
  run,
};
document.querySelector('#state').textContent = 'ready';
