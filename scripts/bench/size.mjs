/**
 * Size: what each runtime loads, raw, gzip (level 9) and brotli (quality 11), from node:zlib.
 * Browser, full package: the full module's wasm and glue (dist/) and the minified browser bundle
 * dist/browser/index.js (what the "browser" condition loads). Browser, status only: the
 * status-only module (dist/status/) and dist/browser/status.js (prolific-dataset-status/status).
 * A bundle that holds its glue (scripts/bundle.mjs) is counted with its wasm only; one that
 * imports the glue, with the glue file too.
 * Without a bundle (dist/browser/ not built) the unbundled files of src/js/ a page would load are
 * counted instead, and the label says so. Node: the full module and the Node entry's files.
 * Dashboard: web/ plus the files it loads from src/js/ and the full module.
 * Budgets (issue "Size and speed"): status-only page ≤ 45 KiB gzip (stretch 40 KiB), full browser
 * set ≤ 56 KiB gzip; reported as met or not met, never asserted.
 * Reference, when built (scripts/build.sh --bench-fixed-parts): the fixed parts alone, Emscripten's
 * Fetch glue, embind and nlohmann/json's SAX parser with the package's settings and none of its
 * code (scripts/bench/fixed-parts.cpp): the floor under every budget, and what is left of each
 * for the package's own C++ and JS.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT } from './util.mjs';

const KIB = 1024;
export const BUDGETS = [
  { label: 'browser, status only', limit: 45 * KIB, stretch: 40 * KIB },
  { label: 'browser, full package', limit: 56 * KIB },
];

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

/** The src/js files an entry loads, following its relative imports (for the unbundled counts). */
function importedFiles(entry, seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(path.join(ROOT, entry), 'utf8');
  for (const [, specifier] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g)) {
    const file = path.posix.normalize(path.posix.join(path.posix.dirname(entry), specifier));
    if (file.startsWith('src/js/')) importedFiles(file, seen);
  }
  return seen;
}

/**
 * What a page loads for one module: the bundle when built, else the unbundled files; and whether
 * the glue is in the bundle (it imports no prolific-dataset-status.mjs) or a file of its own.
 */
function browserSet(bundle, entry) {
  const file = path.join(ROOT, bundle);
  if (existsSync(file)) {
    const importsGlue = /from\s*["'][^"']*prolific-dataset-status\.mjs["']/.test(readFileSync(file, 'utf8'));
    return { files: [bundle], bundled: true, glueInside: !importsGlue };
  }
  return { files: [...importedFiles(entry)], bundled: false, glueInside: false };
}

/** The bench's reference module of the fixed parts (target prolific_bench_fixed_parts). */
export const FIXED_PARTS_WASM = 'build/wasm/bench-fixed-parts/prolific-dataset-status.wasm';
export const FIXED_PARTS_GLUE = 'build/wasm/bench-fixed-parts/prolific-dataset-status.mjs';

export function runSize() {
  const wasm = measure('dist/prolific-dataset-status.wasm');
  const glue = measure('dist/prolific-dataset-status.mjs');
  const statusWasm = measure('dist/status/prolific-dataset-status.wasm');
  const statusGlue = measure('dist/status/prolific-dataset-status.mjs');
  const fullJs = browserSet('dist/browser/index.js', 'src/js/index.js');
  const statusJs = browserSet('dist/browser/status.js', 'src/js/status.js');
  const measured = new Map();
  const get = (file) => {
    if (!measured.has(file)) measured.set(file, measure(file));
    return measured.get(file);
  };
  const fullJsEntries = fullJs.files.map(get);
  const statusJsEntries = statusJs.files.map(get);
  const nodeJs = [...importedFiles('src/js/node.js')].map(get);
  const webFiles = readdirSync(path.join(ROOT, 'web')).filter((file) => !file.startsWith('.')).map((file) => `web/${file}`);
  const web = webFiles.map(get);
  const dashboardJs = [...importedFiles('src/js/index.js')].map(get);
  const how = (set) => (set.bundled ? 'minified bundle' : 'src/js, not bundled');
  const label = (set, folder) => (set.glueInside ? `wasm (${folder}) + JS with the glue inside (${how(set)})`
    : `wasm + glue (${folder}) + JS (${how(set)})`);
  const statusModule = total(`browser, status only: ${label(statusJs, 'dist/status/')}`,
    [statusWasm, ...(statusJs.glueInside ? [] : [statusGlue]), ...statusJsEntries]);
  const fullModule = total(`browser, full package: ${label(fullJs, 'dist/')}`,
    [wasm, ...(fullJs.glueInside ? [] : [glue]), ...fullJsEntries]);
  const totals = [
    statusModule,
    fullModule,
    total('Node: full module + the Node entry\'s files', [wasm, glue, ...nodeJs]),
    total('dashboard page: web/ + src/js + full module', [...web, wasm, glue, ...dashboardJs]),
  ];
  const fixedWasm = measure(FIXED_PARTS_WASM);
  const fixedGlue = measure(FIXED_PARTS_GLUE);
  const fixedParts = fixedWasm.missing || fixedGlue.missing ? undefined
    : total('reference: the fixed parts alone (Fetch glue, embind, nlohmann SAX; no package code)', [fixedWasm, fixedGlue]);
  if (fixedParts) totals.push(fixedParts);
  const files = [statusWasm, statusGlue, wasm, glue, ...measured.values(), ...(fixedParts ? [fixedWasm, fixedGlue] : [])];
  const budgets = [statusModule, fullModule].map((set, index) => {
    const { label, limit, stretch } = BUDGETS[index];
    return {
      what: `${label}: everything the page loads for the module, gzip`,
      limit,
      stretch,
      actual: set.gzip,
      // What the fixed parts alone take of the limit, and what the package's own code may use.
      fixedParts: fixedParts?.gzip,
      leftForPackage: fixedParts ? limit - fixedParts.gzip : undefined,
      met: set.missing.length === 0 && set.gzip <= limit,
      stretchMet: stretch === undefined ? undefined : set.missing.length === 0 && set.gzip <= stretch,
      // glue: null when it is inside the JS bundle (counted in js).
      parts: {
        wasm: (index === 0 ? statusWasm : wasm).gzip,
        glue: (index === 0 ? statusJs : fullJs).glueInside ? null : (index === 0 ? statusGlue : glue).gzip,
        js: (index === 0 ? statusJsEntries : fullJsEntries).reduce((a, e) => a + e.gzip, 0),
      },
    };
  });
  return { files, totals, budgets };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { totals, budgets } = runSize();
  for (const t of totals) console.log(`${t.label}: ${(t.gzip / KIB).toFixed(1)} KiB gzip`);
  for (const b of budgets) {
    console.log(`${b.what}: ${(b.actual / KIB).toFixed(1)} KiB (wasm ${(b.parts.wasm / KIB).toFixed(1)}, ${
      b.parts.glue === null ? 'JS with the glue' : `glue ${(b.parts.glue / KIB).toFixed(1)}, JS`} ${(b.parts.js / KIB).toFixed(1)}) of ${b.limit / KIB} KiB: ${
      b.met ? 'met' : 'not met'}${b.stretch ? `; stretch ${b.stretch / KIB} KiB: ${b.stretchMet ? 'met' : 'not met'}` : ''}${
      b.fixedParts === undefined ? '' : `; the fixed parts alone take ${(b.fixedParts / KIB).toFixed(1)} KiB, leaving ${
        (b.leftForPackage / KIB).toFixed(1)} KiB for the package's own code and JS (it uses ${
        ((b.actual - b.fixedParts) / KIB).toFixed(1)})`}`);
  }
}
