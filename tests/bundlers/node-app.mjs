// A Node program that uses the package, bundled by esbuild for Node in tests/bundlers.test.mjs:
// the bundle no longer sits next to the package's dist/, so the .wasm is named with setWasmSource
// (argument 1: its path, or "-" to leave it out). Prints one JSON line.
import { getDatasetStatus, setWasmSource } from 'prolific-dataset-status';

const [wasmPath, baseUrl, token] = process.argv.slice(2);
if (wasmPath !== '-') setWasmSource(wasmPath);
try {
  console.log(JSON.stringify(await getDatasetStatus('status-READY', { baseUrl, token })));
} catch (error) {
  console.log(JSON.stringify({ name: error.name, message: error.message }));
}
