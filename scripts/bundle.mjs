/**
 * Bundles and minifies the package's browser entries with esbuild (a devDependency):
 *   src/js/index.js  → dist/browser/index.js   (the "browser" condition of the package)
 *   src/js/status.js → dist/browser/status.js  (the "browser" condition of ./status)
 * Each bundle keeps the Emscripten glue as a file of its own (imported from dist/ or dist/status/,
 * where it finds its .wasm), and ships a source map whose sources are the files of src/js/ (no
 * copy of their text: the package ships src/js/). Error names survive: errors.js writes them as
 * strings. Run by scripts/build.sh after the modules are built.
 * @module
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The glue of each module stays outside the bundle, imported relative to dist/browser/. */
const keepGlueOutside = {
  name: 'glue-outside',
  setup(build) {
    build.onResolve({ filter: /\/dist\/(status\/)?prolific-dataset-status\.mjs$/ }, (args) => ({
      path: args.path.includes('/dist/status/') ? '../status/prolific-dataset-status.mjs' : '../prolific-dataset-status.mjs',
      external: true,
    }));
  },
};

/**
 * Builds both bundles.
 * @returns {Promise<void>}
 * @throws {Error} esbuild's errors
 */
export async function bundle() {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'src/js/index.js', status: 'src/js/status.js' },
    outdir: 'dist/browser',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    plugins: [keepGlueOutside],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await bundle();
