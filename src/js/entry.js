/**
 * What the entries for browsers, workers, Deno and Bun (index.js, worker.js, status.js,
 * status-worker.js) have in common: an API over one Emscripten glue, with fixed defaults (no
 * token, base URL https://api.prolific.com; these runtimes have no environment the package reads)
 * and a WebAssembly source that setWasmSource() can replace before the first call.
 * @module
 */
import { createApi } from './api.js';
import { checkWasmSource, instantiateModule } from './load.js';

/**
 * Builds one entry's API.
 * @param {Function} createProlificModule the glue's module factory (dist/…/prolific-dataset-status.mjs)
 * @param {object} [how]
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} [how.wasm] where the
 *   `.wasm` comes from until setWasmSource() names another (default: next to the glue)
 * @param {Function} [how.XMLHttpRequest] the transport handed to the module (default: the
 *   runtime's own XMLHttpRequest)
 * @param {Function} [how.createLifecycle] adds the dataset lifecycle calls (the full package)
 * @returns {{ api: object, setWasmSource: (wasm: unknown) => void }} the API (createApi's), and the
 *   function behind the entry's setWasmSource, which throws a TypeError for a value that is no
 *   WebAssembly source (checkWasmSource)
 */
export function createEntry(createProlificModule, { wasm, XMLHttpRequest, createLifecycle } = {}) {
  let wasmSource = wasm;
  const api = createApi({
    loadModule: ({ onAbort }) => instantiateModule(createProlificModule, { wasm: wasmSource, onAbort, XMLHttpRequest }),
    environmentDefaults: () => ({ token: undefined, baseUrl: 'https://api.prolific.com' }),
    createLifecycle,
  });
  return {
    api,
    setWasmSource(value) {
      wasmSource = checkWasmSource(value);
    },
  };
}
