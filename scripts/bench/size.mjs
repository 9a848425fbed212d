/**
 * Size: what each runtime loads, raw, gzip (level 9) and brotli (quality 11), from node:zlib.
 * Browser: the glue, the wasm and the package's browser files (index.js, api.js, errors.js).
 * Node: the same plus node.js and node-xhr.js, minus index.js. Dashboard: web/ plus the browser set.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT } from './util.mjs';

export const BUDGET_GZIP_BYTES = 40 * 1024;

function measure(file) {
  const full = path.join(ROOT, file);
  if (!existsSync(full)) return { file, missing: true, raw: 0, gzip: 0, brotli: 0 };
  const bytes = readFileSync(full);
  return {
    file,
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
}

function total(label, entries) {
  const present = entries.filter((e) => !e.missing);
  return {
    label,
    files: present.map((e) => e.file),
    missing: entries.filter((e) => e.missing).map((e) => e.file),
    raw: present.reduce((a, e) => a + e.raw, 0),
    gzip: present.reduce((a, e) => a + e.gzip, 0),
    brotli: present.reduce((a, e) => a + e.brotli, 0),
  };
}

export function runSize() {
  const wasm = measure('dist/prolific-dataset-status.wasm');
  const glue = measure('dist/prolific-dataset-status.mjs');
  const browserJs = ['src/js/index.js', 'src/js/api.js', 'src/js/errors.js'].map(measure);
  const nodeJs = ['src/js/node.js', 'src/js/node-xhr.js', 'src/js/api.js', 'src/js/errors.js'].map(measure);
  const web = ['web/index.html', 'web/app.js', 'web/style.css', 'web/favicon.svg'].map(measure);
  const files = [wasm, glue, ...browserJs, ...nodeJs.filter((e) => !browserJs.some((b) => b.file === e.file)), ...web];
  const browserModule = total('browser: module (wasm + glue + index/api/errors.js)', [wasm, glue, ...browserJs]);
  const totals = [
    browserModule,
    total('Node: module (wasm + glue + node/node-xhr/api/errors.js)', [wasm, glue, ...nodeJs]),
    total('dashboard page: web/ + browser module', [...web, wasm, glue, ...browserJs]),
  ];
  return {
    files,
    totals,
    budget: {
      what: 'everything the page loads for the module, gzip',
      limit: BUDGET_GZIP_BYTES,
      actual: browserModule.gzip,
      met: browserModule.gzip <= BUDGET_GZIP_BYTES,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(runSize(), null, 2));
