/**
 * One start-up measurement in a fresh Node process (spawned by startup.mjs):
 *   node startup-child.mjs module <origin>   import the package, then the first status
 *   node startup-child.mjs plain <origin>    the first status with fetch + JSON.parse
 * Prints one JSON line: times in ms since this process's time origin.
 */
import { performance } from 'node:perf_hooks';

const [mode, origin] = process.argv.slice(2);
const id = 'startup-1';
const out = { mode, scriptStart: performance.now() };

if (mode === 'module') {
  const pkg = await import('../../src/js/node.js');
  out.imported = performance.now();
  await pkg.loadModuleForDiagnostics();
  out.instantiated = performance.now();
  const { status } = await pkg.getDatasetStatus(id, { baseUrl: origin, token: 'bench-token' });
  out.firstStatus = performance.now();
  out.status = status;
  // The wasm instantiation alone, on bytes already read: a second, independent instance.
  const { readFile } = await import('node:fs/promises');
  const { default: createProlificModule } = await import('../../dist/prolific-dataset-status.mjs');
  const wasmBinary = await readFile(new URL('../../dist/prolific-dataset-status.wasm', import.meta.url));
  const t0 = performance.now();
  await createProlificModule({ wasmBinary, print() {}, printErr() {} });
  out.secondInstanceMs = performance.now() - t0;
} else {
  const response = await fetch(`${origin}/api/v1/data-collection/datasets/${encodeURIComponent(id)}/status`, {
    headers: { Authorization: 'Token bench-token' },
  });
  const { status } = JSON.parse(await response.text());
  out.firstStatus = performance.now();
  out.status = status;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
