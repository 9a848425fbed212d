/**
 * Instantiating the WebAssembly module, shared by the entry points (browser, worker, workerd).
 * The `.wasm` can come as a URL, as bytes, or as a compiled `WebAssembly.Module` (what workerd
 * and bundlers with a wasm loader hand over); the transport is the runtime's XMLHttpRequest, or
 * the stand-in over fetch() where there is none (service workers, workerd, Deno, Bun).
 * @module
 */
import { ProlificError } from './errors.js';
import { FetchXMLHttpRequest } from './fetch-xhr.js';

/**
 * The XMLHttpRequest the module's fetch transport uses here: the runtime's own, else the stand-in
 * over fetch().
 * @returns {Function}
 */
export function runtimeXMLHttpRequest() {
  return typeof globalThis.XMLHttpRequest === 'function' ? globalThis.XMLHttpRequest : FetchXMLHttpRequest;
}

/**
 * Checks a value given as the module's wasm.
 * @param {unknown} wasm a URL (URL object or string), bytes (ArrayBuffer or a typed array), or a
 *   WebAssembly.Module
 * @returns {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module}
 * @throws {TypeError} for anything else
 */
export function checkWasmSource(wasm) {
  const ok = typeof wasm === 'string' || wasm instanceof URL || wasm instanceof ArrayBuffer ||
    ArrayBuffer.isView(wasm) || wasm instanceof WebAssembly.Module;
  if (!ok) {
    throw new TypeError('the wasm must be a URL, bytes (ArrayBuffer or Uint8Array) or a WebAssembly.Module');
  }
  return wasm;
}

const HOW_TO_FIX = 'If a bundler did not emit prolific-dataset-status.wasm, serve that file (from the '
  + 'package\'s dist/ folder; dist/status/ for prolific-dataset-status/status) and hand it over before the first call with setWasmSource(url), or pass its '
  + 'bytes or a compiled WebAssembly.Module to setWasmSource';

/**
 * Instantiates the module.
 * @param {Function} createProlificModule the Emscripten factory (dist/prolific-dataset-status.mjs)
 * @param {object} settings
 * @param {URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module} [settings.wasm] where
 *   the wasm comes from; without it, the factory finds it next to the glue (import.meta.url)
 * @param {(what: unknown) => void} settings.onAbort Module.onAbort
 * @param {Function} [settings.XMLHttpRequest] the transport (default: runtimeXMLHttpRequest())
 * @returns {Promise<object>} the module
 * @throws {ProlificError} when the wasm cannot be fetched, compiled or instantiated; the message
 *   says what to do, `cause` holds the runtime's error
 */
export async function instantiateModule(createProlificModule, { wasm, onAbort, XMLHttpRequest }) {
  let loaded = false;
  let rejectLoad;
  const failed = new Promise((resolve, reject) => { rejectLoad = reject; });
  failed.catch(() => {});
  const settings = {
    XMLHttpRequest: XMLHttpRequest ?? runtimeXMLHttpRequest(),
    print() {},
    printErr() {},
    // The glue reports a failed instantiation through onAbort: until the module is loaded that is
    // a load failure, afterwards a dead runtime (the caller's onAbort).
    onAbort(what) {
      if (loaded) onAbort(what);
      else rejectLoad(what instanceof Error ? what : new Error(String(what)));
    },
  };
  if (wasm !== undefined) {
    // The glue then never resolves the .wasm against import.meta.url, which some runtimes lack
    // (workerd) and bundles change.
    settings.locateFile = (file) => file;
  }
  try {
    if (wasm instanceof WebAssembly.Module) {
      settings.instantiateWasm = (imports, receive) => {
        WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm), rejectLoad);
        return {};
      };
    } else if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
      settings.wasmBinary = wasm;
    } else if (wasm !== undefined) {
      const response = await fetch(String(wasm));
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${String(wasm).slice(0, 200)}`);
      settings.wasmBinary = new Uint8Array(await response.arrayBuffer());
    }
    const module = await Promise.race([createProlificModule(settings), failed]);
    loaded = true;
    return module;
  } catch (error) {
    throw new ProlificError(`The WebAssembly module could not be loaded (${String(error?.message ?? error)
      .slice(0, 200)}). ${HOW_TO_FIX}`, { cause: error });
  }
}
