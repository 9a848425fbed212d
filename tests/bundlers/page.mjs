// A page's script that uses the package, built by Vite and webpack in tests/bundlers.test.mjs with
// no configuration for the package: both emit the .wasm the glue names with
// new URL('prolific-dataset-status.wasm', import.meta.url).
import * as pkg from 'prolific-dataset-status';
import { runChecks } from '../runtimes/outcome.mjs';

globalThis.runChecks = (input) => runChecks(pkg, input);
