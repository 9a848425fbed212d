// The package as users get it: its TypeScript declarations (compiled against correct and wrong
// use), its API reference (kept in step with the declarations), its runtime exports (equal to the
// declared ones), and the tarball `npm pack` makes, installed into a scratch project and used from
// Node, from TypeScript and through its command-line tool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startMockProlific } from '../scripts/mock-prolific.mjs';
import { PACKAGE_NAME, ROOT, cleanEnv, cleanupPack, packAndInstall, runCommand } from './support/pack.mjs';
import { get, serverEnv, startServeProcess } from './support/serve-process.mjs';

const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const DTS_PATH = path.join(ROOT, 'src', 'js', 'index.d.ts');
const API_DOC_PATH = path.join(ROOT, 'docs', 'API.md');
const MISUSE_PATH = path.join(ROOT, 'tests', 'types', 'misuse.ts');
const rootPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

// ---------------------------------------------------------------------------------------------
// Simple parsers for index.d.ts and docs/API.md (the files follow a fixed layout).

/**
 * Top-level exports, interfaces and classes of the declaration file.
 * @param {string} text
 */
export function parseDeclarations(text) {
  const exports = new Map();
  for (const match of text.matchAll(/^export (?:declare )?(function|const|class|interface|type) (\w+)/gm)) {
    assert.ok(!exports.has(match[2]) || exports.get(match[2]) === match[1], `${match[2]} declared twice`);
    exports.set(match[2], match[1]);
  }
  const members = (body) => [...body.matchAll(/^ {2}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]);
  const interfaces = new Map();
  for (const match of text.matchAll(/^export interface (\w+)(?:<[^>]*>)?(?: extends ([^{]+?))? \{(\}|[\s\S]*?\n\})/gm)) {
    interfaces.set(match[1], {
      bases: match[2] ? match[2].split(',').map((name) => name.replace(/<.*$/, '').trim()) : [],
      members: members(match[3]),
    });
  }
  const classes = new Map();
  for (const match of text.matchAll(/^export declare class (\w+)(?: extends (\w+))? \{([\s\S]*?)\n\}/gm)) {
    classes.set(match[1], { base: match[2], members: members(match[3]) });
  }
  const functionOptions = new Map();
  for (const match of text.matchAll(/^export declare function (\w+)\(([^)]*)\)/gm)) {
    const options = /\boptions\?: (\w+)/.exec(match[2]);
    if (options) functionOptions.set(match[1], options[1]);
  }
  const allMembers = (name) => {
    const entry = interfaces.get(name);
    assert.ok(entry, `interface ${name} not found in index.d.ts`);
    return new Set([...entry.members, ...entry.bases.flatMap((base) => [...allMembers(base)])]);
  };
  const optionInterfaces = [...interfaces.keys()].filter((name) => name.endsWith('Options'));
  const optionNames = new Set(optionInterfaces.flatMap((name) => [...allMembers(name)]));
  const tuples = new Map();
  for (const match of text.matchAll(/^export declare const (\w+): readonly \[([^\]]*)\]/gm)) {
    tuples.set(match[1], match[2].split(',').map((item) => item.trim().replace(/^'|'$/g, '')));
  }
  return { exports, interfaces, classes, functionOptions, allMembers, optionInterfaces, optionNames, tuples };
}

/** GitHub's anchor for a heading. */
function slug(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
}

/**
 * Names, options, fields and anchors of the API reference.
 * @param {string} text
 */
export function parseApiDoc(text) {
  const lines = text.split('\n');
  const sections = new Map(); // documented name -> lines of its section
  const headings = [];
  let current = null;
  let inOptions = false;
  const optionRows = [];
  for (const line of lines) {
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      headings.push(heading[2]);
      const name = heading[1] === '###' ? /^`([A-Za-z_$][\w$]*)/.exec(heading[2])?.[1] : undefined;
      current = name ?? null;
      if (current) {
        assert.ok(!sections.has(current), `${current} documented twice`);
        sections.set(current, []);
      }
      if (heading[1] === '##') inOptions = heading[2] === 'Options';
      else if (heading[1] === '###') inOptions = false; // the table comes before the subsections
      continue;
    }
    if (current) sections.get(current).push(line);
    const row = /^\| `(\w+)` \|/.exec(line);
    if (row && inOptions) optionRows.push(row[1]);
  }
  const tableNames = (name) => (sections.get(name) ?? [])
    .map((line) => /^\| `(\w+)` \|/.exec(line)?.[1]).filter(Boolean);
  const anchors = new Set(headings.map(slug));
  const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  return { names: new Set(sections.keys()), sections, optionRows, tableNames, anchors, links };
}

const declarations = parseDeclarations(readFileSync(DTS_PATH, 'utf8'));
const apiDoc = parseApiDoc(readFileSync(API_DOC_PATH, 'utf8'));
const valueExports = [...declarations.exports].filter(([, kind]) => ['function', 'const', 'class'].includes(kind))
  .map(([name]) => name).sort();

// ---------------------------------------------------------------------------------------------

/**
 * Runs tsc and splits its output into located diagnostics and anything else it printed.
 * @returns {Promise<{ code: number, diagnostics: Array<{ file: string, line: number, code: string, message: string }>, other: string[], output: string }>}
 */
async function runTsc(args, cwd = ROOT) {
  assert.ok(existsSync(TSC), 'TypeScript is not installed: run npm ci');
  let result;
  try {
    result = { code: 0, ...(await runCommand(process.execPath, [TSC, ...args], { cwd })) };
  } catch (error) {
    if (typeof error.code !== 'number') throw error;
    result = { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
  const output = `${result.stdout}${result.stderr}`;
  const diagnostics = [];
  const other = [];
  for (const line of output.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (match) {
      diagnostics.push({ file: path.resolve(cwd, match[1]), line: Number(match[2]), code: match[4], message: match[5] });
    } else if (/error TS\d+/.test(line)) {
      other.push(line);
    }
  }
  return { code: result.code, diagnostics, other, output };
}

describe('TypeScript declarations (tsc --noEmit -p tests/types)', () => {
  let tsc;
  before(async () => { tsc = await runTsc(['--noEmit', '-p', 'tests/types']); });

  test('usage.ts and index.d.ts compile without errors', () => {
    assert.deepEqual(tsc.other, [], tsc.output);
    const unexpected = tsc.diagnostics.filter((d) => d.file !== MISUSE_PATH);
    assert.deepEqual(unexpected.map((d) => `${path.relative(ROOT, d.file)}:${d.line} ${d.code} ${d.message}`), []);
  });

  test('misuse.ts fails with exactly the marked error on each marked line, and nowhere else', () => {
    const lines = readFileSync(MISUSE_PATH, 'utf8').split('\n');
    const expected = new Map();
    lines.forEach((text, index) => {
      const mark = /\/\/ expect-error (TS\d+)\s*$/.exec(text);
      if (mark) expected.set(index + 1, mark[1]);
    });
    assert.ok(expected.size >= 30, `only ${expected.size} marked lines in misuse.ts`);
    const found = new Map();
    for (const d of tsc.diagnostics.filter((item) => item.file === MISUSE_PATH)) {
      found.set(d.line, [...(found.get(d.line) ?? []), d]);
    }
    const problems = [];
    for (const [line, code] of expected) {
      const got = found.get(line) ?? [];
      if (got.length !== 1 || got[0].code !== code) {
        problems.push(`line ${line} (${lines[line - 1].trim()}): expected ${code}, got ${
          got.length ? got.map((d) => `${d.code} ${d.message}`).join('; ') : 'no error'}`);
      }
    }
    for (const [line, got] of found) {
      if (!expected.has(line)) problems.push(`line ${line}: unexpected ${got.map((d) => `${d.code} ${d.message}`).join('; ')}`);
    }
    assert.deepEqual(problems, []);
    assert.notEqual(tsc.code, 0, 'tsc must fail on misuse.ts');
  });

  test('the package is resolved by name through the "types" condition of its exports', async () => {
    const { output } = await runTsc(['--noEmit', '-p', 'tests/types', '--traceResolution']);
    const start = output.indexOf(`======== Resolving module '${PACKAGE_NAME}' from '${path.join(ROOT, 'tests', 'types', 'usage.ts')}'`);
    assert.ok(start >= 0, 'no resolution trace for usage.ts');
    const end = output.indexOf(`======== Module name '${PACKAGE_NAME}'`, start);
    assert.ok(end > start, 'the resolution trace does not end');
    const trace = output.slice(start, output.indexOf('\n', end));
    assert.match(trace, /Matched 'exports' condition 'types'\./);
    assert.match(trace, new RegExp(`Module name '${PACKAGE_NAME}' was successfully resolved to '${
      DTS_PATH.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    assert.equal(rootPackage.exports['.'].types, './src/js/index.d.ts');
    assert.equal(Object.keys(rootPackage.exports['.'])[0], 'types', '"types" must be the first condition');
  });
});

describe('docs/API.md and index.d.ts document the same API', () => {
  test('every name exported by index.d.ts has a section in docs/API.md, and no other name does', () => {
    const declared = [...declarations.exports.keys()].sort();
    assert.ok(declared.length >= 20, `only ${declared.length} exports parsed from index.d.ts`);
    assert.deepEqual([...apiDoc.names].sort(), declared);
  });

  test('the Options table lists exactly the option names of the *Options interfaces', () => {
    assert.ok(declarations.optionInterfaces.length >= 4, 'option interfaces not found in index.d.ts');
    assert.deepEqual([...new Set(apiDoc.optionRows)].sort(), [...declarations.optionNames].sort());
    assert.equal(apiDoc.optionRows.length, new Set(apiDoc.optionRows).size, 'an option is listed twice');
    for (const name of declarations.optionNames) {
      assert.match(readFileSync(DTS_PATH, 'utf8'), new RegExp(`\\*/\\s*${name}\\?:`), `${name} has no TSDoc`);
    }
  });

  test('each error class section lists exactly its declared fields', () => {
    for (const [name, { members }] of declarations.classes) {
      const declaredFields = members.filter((member) => member !== 'name' || name === 'ProlificError').sort();
      assert.deepEqual(apiDoc.tableNames(name).sort(), declaredFields, `fields of ${name}`);
    }
  });

  test('every function section shows its declared option type, and every in-page link has a target', () => {
    for (const [fn, optionType] of declarations.functionOptions) {
      const section = apiDoc.sections.get(fn)?.join('\n') ?? '';
      assert.ok(section.includes(optionType), `the ${fn} section does not name ${optionType}`);
    }
    assert.deepEqual(apiDoc.links.filter((link) => !apiDoc.anchors.has(link)), []);
  });

  test('every export of index.d.ts has TSDoc', () => {
    const text = readFileSync(DTS_PATH, 'utf8');
    for (const name of declarations.exports.keys()) {
      assert.match(text, new RegExp(`\\*/\\s*export (?:declare )?\\w+ ${name}\\b`), `${name} has no TSDoc`);
    }
  });
});

describe('runtime exports match the declarations', () => {
  for (const entry of ['node.js', 'index.js']) {
    test(`src/js/${entry} exports exactly the declared values, of the declared kinds`, async () => {
      const module = await import(`../src/js/${entry}`);
      assert.deepEqual(Object.keys(module).sort(), valueExports);
      for (const name of valueExports) {
        const kind = declarations.exports.get(name);
        if (kind === 'const') assert.notEqual(typeof module[name], 'function', name);
        else assert.equal(typeof module[name], 'function', name);
        if (kind === 'class') {
          assert.equal(module[name].prototype.name, name);
          assert.ok(module[name] === module.ProlificError || module[name].prototype instanceof module.ProlificError);
        }
      }
      assert.ok(declarations.tuples.has('DATASET_STATUSES'));
      for (const [name, values] of declarations.tuples) {
        assert.deepEqual([...module[name]], values, name);
        assert.ok(Object.isFrozen(module[name]), `${name} is not frozen`);
      }
      assert.equal(module.MAX_UPLOAD_BYTES, 268435456);
      assert.match(readFileSync(DTS_PATH, 'utf8'), /\(268435456\)/);
    });
  }

  test('each function accepts exactly the option names its declared options type has', async () => {
    const module = await import('../src/js/node.js');
    const everyName = [...declarations.optionNames, 'bogusOption'];
    // Valid arguments before the options, so that only the options decide the outcome: an
    // accepted option set with an aborted signal rejects with AbortError before anything is sent.
    const argumentsOf = {
      getDatasetStatus: ['status-READY'],
      waitForDataset: ['status-READY'],
      getDatasetStatuses: [['status-READY']],
      watchDatasets: [['status-READY']],
      createDataset: [{ name: 'n', workspaceId: 'w' }],
      getDataset: ['dataset-1'],
      getUploadUrl: ['dataset-1', 'data.csv'],
      uploadDatasetFile: [{ uploadUrl: 'https://storage.example.com/x' }, 'a,b'],
      getImportStatus: ['dataset-1', 'import-1'],
      waitForImport: ['dataset-1', 'import-1'],
      uploadAndWait: [{ datasetId: 'dataset-1', filename: 'data.csv', data: 'a,b' }],
      checkClientOptions: [],
    };
    assert.deepEqual([...declarations.functionOptions.keys()].filter((fn) => fn !== 'createClient').sort(),
      Object.keys(argumentsOf).sort(), 'a function with options is missing from this test');
    for (const [fn, optionType] of declarations.functionOptions) {
      const allowed = declarations.allMembers(optionType);
      // The runtime names what it takes when it refuses a name: that list must be the declared one
      // (this also catches a runtime option that no declaration has).
      const refusal = await Promise.resolve().then(() => module[fn](...(argumentsOf[fn] ?? []), { bogusOption: 1 }))
        .then(() => null, (error) => error);
      const taken = /this function takes: (.+)$/.exec(refusal?.message ?? '')?.[1];
      assert.ok(taken, `${fn} did not refuse an unknown option with the list of its options: ${refusal}`);
      assert.deepEqual(taken.split(', ').sort(), [...allowed].sort(), `options of ${fn} (runtime vs ${optionType})`);
      for (const name of everyName) {
        if (fn === 'createClient') {
          const call = () => module.createClient({ [name]: undefined });
          if (allowed.has(name)) assert.doesNotThrow(call, `${fn} should accept ${name}`);
          else assert.throws(call, { name: 'TypeError', message: /unknown option/ }, `${fn} should refuse ${name}`);
          continue;
        }
        const options = { [name]: undefined, signal: AbortSignal.abort() };
        const outcome = await module[fn](...argumentsOf[fn], options).then(() => 'resolved', (error) => error);
        if (allowed.has(name)) assert.equal(outcome.name, 'AbortError', `${fn} should accept ${name}: ${outcome}`);
        else assert.match(String(outcome), /^TypeError: unknown option/, `${fn} should refuse ${name}`);
      }
    }
  });
});

describe('the npm package', () => {
  let pack;
  let mock;
  const TOKEN = 'tok-package-test';
  before(async () => {
    [pack, mock] = await Promise.all([packAndInstall(), startMockProlific({ token: TOKEN })]);
  });
  after(async () => {
    await mock?.close();
    await cleanupPack();
  });

  test('the tarball holds the module, the JS, the declarations and the docs, and nothing else', () => {
    const files = pack.tarballFiles;
    assert.deepEqual(files, pack.npmFiles, 'tar listing and npm pack report differ');
    const jsFiles = readdirSync(path.join(ROOT, 'src', 'js')).filter((file) => file.endsWith('.js'));
    for (const file of [
      'package.json', 'README.md', 'docs/API.md', 'src/js/index.d.ts',
      'dist/prolific-dataset-status.mjs', 'dist/prolific-dataset-status.wasm',
      ...jsFiles.map((file) => `src/js/${file}`),
    ]) {
      assert.ok(files.includes(file), `${file} is missing from the tarball`);
    }
    for (const file of ['src/js/index.js', 'src/js/node.js', 'src/js/api.js', 'src/js/errors.js']) {
      assert.ok(files.includes(file), `${file} is missing from the tarball`);
    }
    // The dashboard server ships too (`prolific-dataset-status serve`): src/server/, web/ and the
    // built-in mock API it demos with; no other script.
    const shippedScripts = ['scripts/mock-prolific.mjs', 'scripts/mock-lifecycle.mjs', 'scripts/program.mjs'];
    for (const file of [...shippedScripts, 'src/server/cli.js', 'web/index.html']) {
      assert.ok(files.includes(file), `${file} is missing from the tarball`);
    }
    const forbidden = files.filter((file) =>
      (/^(tests|src\/core|src\/wasm|build|node_modules|scripts|\.github)\//.test(file) && !shippedScripts.includes(file)) ||
      /(^|\/)(CMakeLists\.txt|package-lock\.json|\.gitignore|.*\.tgz|.*\.log)$/.test(file));
    assert.deepEqual(forbidden, []);
    // Everything package.json points at is in the tarball.
    const targets = [
      rootPackage.types, ...Object.values(rootPackage.exports['.']), ...Object.values(rootPackage.exports['./status']),
      ...Object.values(rootPackage.bin ?? {}),
    ].map((target) => target.replace(/^\.\//, ''));
    for (const target of targets) assert.ok(files.includes(target), `package.json points at ${target}, not packed`);
  });

  test('installed: a Node script imports it by name (node condition) and reads READY from a mock', async () => {
    const script = path.join(pack.projectDir, 'check-node.mjs');
    await writeFile(script, [
      `import { getDatasetStatus, isTerminalStatus } from '${PACKAGE_NAME}';`,
      `const resolved = import.meta.resolve('${PACKAGE_NAME}');`,
      `const result = await getDatasetStatus('status-READY');`,
      'console.log(JSON.stringify({ resolved, result, terminal: isTerminalStatus(result.status) }));',
      '',
    ].join('\n'));
    mock.reset();
    const { stdout } = await runCommand(process.execPath, [script], {
      cwd: pack.projectDir,
      env: cleanEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url }),
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').pop());
    assert.deepEqual(report.result, { datasetId: 'status-READY', status: 'READY' });
    assert.equal(report.terminal, true);
    assert.equal(report.resolved, new URL(`file://${path.join(pack.packageDir, 'src', 'js', 'node.js')}`).href);
    assert.equal(mock.requests.length, 1);
    assert.equal(mock.requests[0].path, '/api/v1/data-collection/datasets/status-READY/status');
    assert.equal(mock.requests[0].headers.authorization, `Token ${TOKEN}`);
  });

  test('installed: a Node script imports prolific-dataset-status/status and reads READY over the status-only module', async () => {
    const script = path.join(pack.projectDir, 'check-status.mjs');
    await writeFile(script, [
      `import * as pkg from '${PACKAGE_NAME}/status';`,
      `const resolved = import.meta.resolve('${PACKAGE_NAME}/status');`,
      `const result = await pkg.getDatasetStatus('status-READY');`,
      'const module = await pkg.loadModuleForDiagnostics();',
      "const kinds = await module.startOperation({ operationId: 7, kind: 'uploadUrl', datasetId: 'd', filename: 'f.csv', baseUrl: 'http://127.0.0.1:1' });",
      "console.log(JSON.stringify({ resolved, result, lifecycle: 'createDataset' in pkg, refused: kinds.error?.message }));",
      '',
    ].join('\n'));
    const { stdout } = await runCommand(process.execPath, [script], {
      cwd: pack.projectDir,
      env: cleanEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url }),
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split('\n').pop());
    assert.deepEqual(report.result, { datasetId: 'status-READY', status: 'READY' });
    assert.equal(report.resolved, new URL(`file://${path.join(pack.packageDir, 'src', 'js', 'status-node.js')}`).href);
    assert.equal(report.lifecycle, false);
    assert.equal(report.refused, 'unknown request kind');
  });

  test('installed: npx prolific-dataset-status serve serves the dashboard, the module and the demo API', async () => {
    const server = await startServeProcess(['--port', '0'], {
      command: ['npx', '--no-install', PACKAGE_NAME, 'serve'],
      cwd: pack.projectDir,
      env: serverEnv({ npm_config_cache: path.join(pack.tempDir, 'npm-cache'), npm_config_offline: 'true' }),
    });
    const host = `127.0.0.1:${server.port}`;
    try {
      const page = await get(server.port, '/', { Host: host });
      assert.equal(page.status, 200);
      assert.match(page.headers['content-type'], /^text\/html/);
      assert.equal(page.body, readFileSync(path.join(pack.packageDir, 'web', 'index.html'), 'latin1'));
      const wasm = await get(server.port, '/pkg/dist/prolific-dataset-status.wasm', { Host: host });
      assert.equal(wasm.status, 200);
      assert.equal(wasm.headers['content-type'], 'application/wasm');
      const glue = await get(server.port, '/pkg/src/js/index.js', { Host: host });
      assert.equal(glue.status, 200);
      const api = await get(server.port, '/api/v1/data-collection/datasets/status-READY/status', { Host: host });
      assert.deepEqual(JSON.parse(api.body), { status: 'READY' });
      assert.deepEqual(JSON.parse((await get(server.port, '/server.json', { Host: host })).body),
        { api: 'mock', upstream: 'built-in mock Prolific API' });
    } finally {
      await server.stop();
    }
  });

  test('installed: TypeScript resolves the packed declarations from node_modules', async () => {
    await writeFile(path.join(pack.projectDir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false,
      },
      files: ['consumer.ts'],
    }, null, 2));
    await writeFile(path.join(pack.projectDir, 'consumer.ts'), [
      `import { getDatasetStatus, waitForDataset, ProlificApiError, type DatasetStatus } from '${PACKAGE_NAME}';`,
      'const status: DatasetStatus | null = (await getDatasetStatus(\'id\', { timeoutMs: 1000 })).status;',
      'const ready: \'READY\' = (await waitForDataset(\'id\')).status;',
      'const error: number = new ProlificApiError(\'x\', { httpStatus: 404, title: \'\', detail: \'\' }).httpStatus;',
      'export { status, ready, error };',
      '',
    ].join('\n'));
    const ok = await runTsc(['-p', '.', '--traceResolution'], pack.projectDir);
    assert.equal(ok.code, 0, ok.diagnostics.map((d) => `${d.line} ${d.code} ${d.message}`).join('\n') || ok.output.slice(-2000));
    assert.ok(ok.output.includes(`successfully resolved to '${path.join(pack.packageDir, 'src', 'js', 'index.d.ts')}'`),
      'consumer.ts did not resolve the installed index.d.ts');

    await writeFile(path.join(pack.projectDir, 'consumer.ts'),
      `import { getDatasetStatus } from '${PACKAGE_NAME}';\nawait getDatasetStatus('id', { timeout: 1000 });\n`);
    const bad = await runTsc(['-p', '.'], pack.projectDir);
    assert.deepEqual(bad.diagnostics.map((d) => d.code), ['TS2561']);
  });

  test('installed: the bin prints the version', { skip: !existsSync(path.join(ROOT, 'src', 'js', 'cli.js')) && 'src/js/cli.js does not exist yet' }, async () => {
    const bin = path.join(pack.projectDir, 'node_modules', '.bin', PACKAGE_NAME);
    assert.ok(existsSync(bin), `${bin} was not installed`);
    const { stdout } = await runCommand(bin, ['--version'], { cwd: pack.projectDir, env: cleanEnv(), timeout: 30_000 });
    assert.match(stdout.trim(), new RegExp(`(^|\\s)v?${rootPackage.version.replace(/\./g, '\\.')}$`));
  });
});
