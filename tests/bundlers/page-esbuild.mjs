// The same page for esbuild, which does not emit files named by new URL(…, import.meta.url): the
// .wasm is imported through the package's export of it (esbuild's "file" loader copies it and
// gives its URL), and handed to the package with setWasmSource, as README shows.
import * as pkg from 'prolific-dataset-status';
import wasmUrl from 'prolific-dataset-status/prolific-dataset-status.wasm';
import { runChecks } from '../runtimes/outcome.mjs';

pkg.setWasmSource(new URL(wasmUrl, import.meta.url));
globalThis.runChecks = (input) => runChecks(pkg, input);
