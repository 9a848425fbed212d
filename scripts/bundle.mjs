/**
 * Bundles and minifies the package's browser entries with esbuild (a devDependency):
 *   src/js/index.js  → dist/browser/index.js   (the "browser" condition of the package)
 *   src/js/status.js → dist/browser/status.js  (the "browser" condition of ./status)
 * Each bundle holds its module's Emscripten glue (dist/ or dist/status/prolific-dataset-status.mjs):
 * one file and one gzip stream fewer for a page (0.3 KiB gzip less than the glue beside the
 * bundle, docs/PERFORMANCE.md). The glue's `new URL('prolific-dataset-status.wasm',
 * import.meta.url)` is pointed at the .wasm in dist/ or dist/status/ from dist/browser/, in the
 * same form, so pages find it and Vite and webpack still emit it. The source map's sources are
 * the files of src/js/ and the glue (no copy of their text: the package ships both). Error names
 * survive: errors.js writes them as strings. Run by scripts/build.sh after the modules are built.
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { minify } from 'terser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the glue names its .wasm (Emscripten 3.1.6 to 6.0: the ES module form bundlers detect). */
const WASM_URL = /new URL\((["'])prolific-dataset-status\.wasm\1,\s*import\.meta\.url\)/g;

/**
 * Takes each module's glue into the bundle, with its .wasm named relative to dist/browser/.
 * @throws {Error} when the glue does not name its .wasm exactly once in the expected form (a
 *   release of Emscripten that writes it otherwise): the bundle would load no .wasm
 */
const glueInside = {
  name: 'glue-inside',
  setup(build) {
    build.onLoad({ filter: /\/dist\/(status\/)?prolific-dataset-status\.mjs$/ }, async (args) => {
      const glue = await readFile(args.path, 'utf8');
      const folder = path.basename(path.dirname(args.path)) === 'status' ? '../status/' : '../';
      const found = glue.match(WASM_URL)?.length ?? 0;
      if (found !== 1) throw new Error(`${args.path} names its .wasm ${found} times in the form new URL('…', import.meta.url), not once`);
      return { contents: glue.replace(WASM_URL, `new URL("${folder}prolific-dataset-status.wasm",import.meta.url)`), loader: 'js' };
    });
  },
};

/**
 * Builds both bundles: esbuild joins and minifies the files, then terser (a devDependency, as for
 * the glue) minifies the result once more, its source map composed with esbuild's so that it still
 * points into src/js/ (terser after esbuild: status bundle 0.4 KiB gzip less, docs/PERFORMANCE.md).
 * @returns {Promise<void>}
 * @throws {Error} esbuild's or terser's errors
 */
export async function bundle() {
  const outdir = path.join(ROOT, 'dist/browser');
  const built = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'src/js/index.js', status: 'src/js/status.js' },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    plugins: [glueInside],
    logLevel: 'warning',
    write: false,
  });
  const files = new Map(built.outputFiles.map((file) => [file.path, file.text]));
  await mkdir(outdir, { recursive: true });
  for (const name of ['index.js', 'status.js']) {
    const file = path.join(outdir, name);
    const minified = await minify({ [name]: files.get(file) }, {
      module: true,
      compress: { passes: 2 },
      mangle: true,
      format: { comments: false },
      sourceMap: { content: files.get(`${file}.map`), url: `${name}.map`, includeSources: false },
    });
    await writeFile(file, `${minified.code}\n`);
    await writeFile(`${file}.map`, minified.map);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bundle();
