// The examples of README and docs/*.md, by one mechanism: every fenced code block is found, and
// each is checked, or named as not run, by a marker on the line above it:
//   - a `ts` or `js` block is compiled with tsc --strict against the package's .d.ts files: a
//     signature block of docs/API.md (`function f(…): T;`, `interface X …`, `type X = …`,
//     `class X …`, `const X: T;`) must declare exactly what src/js/index.d.ts exports under that
//     name; any other block is an example, compiled as its own module seeing every export of the
//     package by name (the page's opening import) and the names of
//     tests/types/doc-examples-context.d.ts;
//   - a `js` block of docs/*.md also runs, as its own module, in Node against a mock Prolific API
//     (scripts/mock-prolific.mjs), with those names made by the package against the same mock;
//   - `<!-- tested by FILE -->`: every line of the block is a line of FILE, which a test runs (README's
//     browser examples run, as written, on `npm start`'s own server in Chromium, below);
//   - `<!-- not run: REASON -->`: not run (a `ts` or `js` block is still compiled): a command that
//     takes minutes, a fragment of C++, an example that needs a page or a server on a fixed port.
// A block of any other kind without a marker fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Console } from 'node:console';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { chromium } from 'playwright-core';
import { startMockProlific } from '../scripts/mock-prolific.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort()
  .map((name) => `docs/${name}`);
const TYPES_DIR = path.join(ROOT, 'tests', 'types');

/**
 * The fenced code blocks of a Markdown text, with the marker comment on the line above each.
 * @param {string} text the Markdown
 * @returns {Array<{ index: number, line: number, language: string, code: string, testedBy?: string, notRun?: string, marker?: string }>}
 *   `line` is the 1-based line of the block's first line of code
 */
function markdownBlocks(text) {
  return [...text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```[ \t]*$/gm)].map((match) => {
    const [, indent, language, body] = match;
    const before = text.slice(0, match.index);
    const line = before.split('\n').length + 1;
    const marker = /<!--\s*(.*?)\s*-->\n$/.exec(before)?.[1];
    const code = body.split('\n').map((item) => (item.startsWith(indent) ? item.slice(indent.length) : item)).join('\n');
    return {
      index: match.index, line, language, code, marker,
      testedBy: /^tested by (\S+)$/.exec(marker ?? '')?.[1],
      notRun: /^not run: (.+)$/.exec(marker ?? '')?.[1],
    };
  });
}

/** The fenced code blocks of README's `section` (a "## " heading), with the test file named above each. */
function codeBlocks(section) {
  const start = README.indexOf(`\n## ${section}\n`);
  assert.notEqual(start, -1, `README has no "${section}" section`);
  const end = README.indexOf('\n## ', start + 1);
  return markdownBlocks(README).filter(({ index }) => index > start && (end === -1 || index < end));
}

/** Checks that every line of a block is a line of the file it names in `<!-- tested by FILE -->`. */
function assertTestedBy(where, { testedBy, code }) {
  assert.ok(testedBy, `${where}: a snippet names no test file:\n${code}`);
  const lines = new Set(readFileSync(path.join(ROOT, testedBy), 'utf8').split('\n').map((line) => line.trim()));
  for (const line of code.split('\n').map((item) => item.trim()).filter(Boolean)) {
    assert.ok(lines.has(line), `${where}: ${testedBy} does not hold the line: ${line}`);
  }
}

test('every snippet of "Runtimes and bundlers" is part of the file a test runs', () => {
  const blocks = codeBlocks('Runtimes and bundlers');
  assert.ok(blocks.length >= 4);
  for (const block of blocks) assertTestedBy('README.md', block);
});

/** The names src/js/index.d.ts exports (values and types). */
function packageExports() {
  const text = readFileSync(path.join(ROOT, 'src', 'js', 'index.d.ts'), 'utf8');
  return [...new Set([...text.matchAll(/^export (?:declare )?(?:function|const|class|interface|type) (\w+)/gm)]
    .map((match) => match[1]))];
}

const SIGNATURE = /^(?:(?:function|interface|type|class) (\w+)|const (\w+): [^=]*;)/;

/**
 * The TypeScript module that checks one `ts`/`js` block, and how many lines precede the block in it.
 * @param {{ code: string }} block
 * @param {string[]} names the package's exports
 */
function checkingModule({ code }, names) {
  const signature = SIGNATURE.exec(code);
  const importAll = `import { ${names.join(', ')} } from 'prolific-dataset-status';`;
  if (signature) {
    // The documented declaration, next to the package's own: the two must be the same type.
    const name = signature[1] ?? signature[2];
    const kind = /^\w+/.exec(code)[0];
    const same = kind === 'class'
      ? `const sameConstructor: Equal<ConstructorParameters<typeof Doc.${name}>, ConstructorParameters<typeof pkg.${name}>> = true;
declare const instance: pkg.${name};
const asDocumented: Doc.${name} = instance;`
      : `const same: Equal<${['interface', 'type'].includes(kind) ? '' : 'typeof '}Doc.${name}, ${
        ['interface', 'type'].includes(kind) ? '' : 'typeof '}pkg.${name}> = true;`;
    const prelude = `${importAll}\nimport * as pkg from 'prolific-dataset-status';\ndeclare namespace Doc {\n`;
    return {
      prelude,
      signature: name,
      source: `${prelude}${code}}
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
${same}
export {};
`,
    };
  }
  // An example: a block with imports of its own is whole; any other sees every export by name.
  const prelude = /^import /m.test(code) ? '' : `${importAll}\n`;
  return { prelude, source: `${prelude}${code}\nexport {};\n` };
}

/**
 * Compiles `ts`/`js` blocks with tsc --strict (tests/types/tsconfig.json), each as its own module.
 * @param {Array<{ file: string, line: number, code: string }>} blocks
 * @returns {Promise<string[]>} the errors, each located in its Markdown file
 */
async function compileBlocks(blocks) {
  const names = packageExports();
  // Inside the package, so that TypeScript resolves 'prolific-dataset-status' through its exports.
  const generated = blocks.map((block, index) => {
    const { prelude, source, signature } = checkingModule(block, names);
    return { block, prelude, source, signature, name: `doc-example-${index}.generated.ts` };
  });
  const config = path.join(TYPES_DIR, 'tsconfig.examples.generated.json');
  try {
    await Promise.all(generated.map(({ name, source }) => writeFile(path.join(TYPES_DIR, name), source)));
    await writeFile(config, JSON.stringify({
      extends: './tsconfig.json',
      files: ['doc-examples-context.d.ts', ...generated.map(({ name }) => name)],
    }));
    try {
      await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config,
        '--pretty', 'false'], { cwd: ROOT });
      return [];
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      const errors = [];
      for (const line of output.split('\n').filter(Boolean)) {
        const match = /^(?:.*[\\/])?(doc-example-\d+\.generated\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
        const item = match && generated.find(({ name }) => name === match[1]);
        if (!item) {
          if (!/^\s/.test(line) || errors.length === 0) errors.push(line);
          else errors[errors.length - 1] += `\n${line}`;
          continue;
        }
        const offset = Number(match[2]) - 1 - item.prelude.split('\n').length + 1;
        const codeLines = item.block.code.split('\n').length - 1;
        if (offset >= 0 && offset < codeLines) {
          errors.push(`${item.block.file}:${item.block.line + offset}: ${match[4]}`);
        } else if (item.signature) {
          errors.push(`${item.block.file}:${item.block.line}: \`${item.signature}\` is not declared so in src/js/index.d.ts `
            + `(${match[4]})`);
        } else {
          errors.push(`${item.block.file}:${item.block.line}: ${match[4]}`);
        }
      }
      return errors.length ? errors : [output || String(error)];
    }
  } finally {
    await Promise.all(generated.map(({ name }) => rm(path.join(TYPES_DIR, name), { force: true })));
    await rm(config, { force: true });
  }
}

test('the Node example type-checks with tsc --strict', async () => {
  const [node] = codeBlocks('Use from Node');
  assert.equal(node.language, 'js');
  assert.deepEqual(await compileBlocks([{ ...node, file: 'README.md' }]), []);
});

/**
 * The code blocks of docs/*.md, sorted by what checks them.
 * @returns {{ compiled: object[], run: object[], problems: string[] }} the `ts` and `js` blocks
 *   (all compiled), the `js` blocks run in Node (those not marked not run), and the blocks that
 *   nothing checks
 */
function docsBlocks() {
  const compiled = [];
  const run = [];
  const problems = [];
  for (const file of DOCS) {
    for (const block of markdownBlocks(readFileSync(path.join(ROOT, file), 'utf8'))) {
      const where = `${file}:${block.line}`;
      if (block.testedBy) {
        assertTestedBy(where, block);
      } else if (block.marker !== undefined && !block.notRun) {
        // Only the two markers above exist: an unknown comment checks nothing.
        problems.push(`${where}: unknown marker <!-- ${block.marker} --> above a \`${block.language}\` block`);
      } else if (['ts', 'js'].includes(block.language)) {
        compiled.push({ ...block, file });
        if (block.language === 'js' && !block.notRun) run.push({ ...block, file });
      } else if (!block.notRun) {
        problems.push(`${where}: a \`${block.language || 'plain'}\` block that nothing runs: run it in a test and mark it `
          + '<!-- tested by FILE -->, or mark it <!-- not run: REASON -->');
      }
    }
  }
  return { compiled, run, problems };
}

test('every code block of docs/*.md compiles with tsc --strict, is run by a named test, or is marked not run', async () => {
  const { compiled, problems } = docsBlocks();
  // docs/API.md documents every export with a signature and an example.
  assert.ok(compiled.length >= 100, `only ${compiled.length} blocks to compile`);
  assert.ok(compiled.filter(({ code }) => SIGNATURE.test(code)).length >= 60);
  assert.deepEqual([...problems, ...await compileBlocks(compiled)], []);
});

/**
 * The values of the names of tests/types/doc-examples-context.d.ts, made by the package against
 * `mock` (its token and base URL in the environment), as a reader's earlier steps would make them.
 * @param {string} dir a folder for the files the examples read (`reviews.jsonl`)
 */
async function exampleContext(dir) {
  const pkg = await import('prolific-dataset-status');
  const jsonl = '{"text": "Great product."}\n{"text": "Broke after a week."}\n';
  await writeFile(path.join(dir, 'reviews.jsonl'), jsonl);
  const dataset = await pkg.createDataset({ name: 'Reviews', workspaceId: 'workspace-1', schema: { fields: [{ name: 'text' }] } });
  const uploaded = await pkg.uploadAndWait({ datasetId: dataset.id, filename: 'reviews.jsonl', data: jsonl }, { intervalMs: 50 });
  assert.ok('importId' in uploaded && uploaded.status === 'complete', JSON.stringify(uploaded));
  return {
    id: 'status-READY',
    importId: uploaded.importId,
    dataset,
    v3: { name: 'Reviews', workspaceId: 'workspace-1' },
    target: await pkg.getUploadUrl(dataset.id, 'reviews.jsonl'),
    data: jsonl,
    job: uploaded,
    entries: await pkg.getDatasetStatuses(['status-READY', 'status-ERROR', 'http-404']),
    watched: await pkg.watchDatasets(['status-READY', 'null-status']),
    file: new File([jsonl], 'reviews.jsonl'),
    readFile: (name) => readFile(path.join(dir, name)),
  };
}

test('every js block of docs/*.md not marked not run runs in Node against a mock Prolific API', async () => {
  const { run } = docsBlocks();
  assert.ok(run.length >= 20, `only ${run.length} blocks to run`);
  const contextNames = [...readFileSync(path.join(TYPES_DIR, 'doc-examples-context.d.ts'), 'utf8')
    .matchAll(/^declare (?:const|function) (\w+)/gm)].map((match) => match[1]);
  const dts = readFileSync(path.join(ROOT, 'src', 'js', 'index.d.ts'), 'utf8');
  const values = [...dts.matchAll(/^export declare (?:function|const|class) (\w+)/gm)].map((match) => match[1]);
  const mock = await startMockProlific({ token: 'docs-token', timeScale: 0.05 });
  const dir = await mkdtemp(path.join(tmpdir(), 'pds-docs-'));
  const saved = { env: { ...process.env }, console: globalThis.console };
  const failures = [];
  try {
    process.env.PROLIFIC_URL = mock.url;
    process.env.PROLIFIC_TOKEN = 'docs-token';
    const context = await exampleContext(dir);
    assert.deepEqual(Object.keys(context).sort(), [...contextNames].sort(), 'the context differs from doc-examples-context.d.ts');
    Object.assign(globalThis, context);
    const { ProlificApiError } = await import('prolific-dataset-status');
    for (const [index, block] of run.entries()) {
      // As compiled: a block with imports of its own is whole; any other sees every export by name.
      const file = path.join(TYPES_DIR, `doc-run-${index}.generated.mjs`);
      const prelude = /^import /m.test(block.code) ? '' : `import { ${values.join(', ')} } from 'prolific-dataset-status';\n`;
      await writeFile(file, `${prelude}${block.code}`);
      const printed = [];
      globalThis.console = new Console({ stdout: new PassThrough().on('data', (d) => printed.push(String(d))) });
      let timer;
      try {
        await Promise.race([
          import(pathToFileURL(file).href),
          new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error('still running after 60 s')), 60_000); }),
        ]);
      } catch (error) {
        // An id the example writes out (65f1…) is one the mock does not hold: the API's 404 for
        // that id is the example's outcome. Anything else (a TypeError from the library, a
        // ReferenceError, a 404 for another id) fails.
        const madeUp = /\(dataset "([^"]+)"\)/.exec(error?.message ?? '')?.[1];
        if (!(error instanceof ProlificApiError && error.httpStatus === 404 && madeUp && block.code.includes(`'${madeUp}'`))) {
          failures.push(`${block.file}:${block.line}: ${error?.name}: ${error?.message}${printed.length ? `\n${printed.join('')}` : ''}`);
        }
      } finally {
        clearTimeout(timer);
        globalThis.console = saved.console;
        await rm(file, { force: true });
      }
    }
  } finally {
    globalThis.console = saved.console;
    for (const name of contextNames) delete globalThis[name];
    for (const name of Object.keys(process.env)) if (!(name in saved.env)) delete process.env[name];
    Object.assign(process.env, saved.env);
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(failures, []);
});

/**
 * Runs an HTML example of README, as written, in Chromium, in place of the body of the dashboard
 * that `npm start`'s server (its last command, on a free port, with the built-in mock API) serves.
 * @param {string} html the example
 * @param {(page: import('playwright-core').Page, requested: string[]) => Promise<void>} check waits for
 *   and checks its outcome; `requested` holds the paths the page asked for
 */
async function runOnStartServer(html, check) {
  const start = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const [command, ...args] = start.split('&&').at(-1).trim().split(/\s+/);
  assert.equal(command, 'node');
  const server = spawn(process.execPath, [...args, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let output = '';
      server.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /Dashboard: (http:\/\/\S+?)\/?\n/.exec(output);
        if (match) resolve(match[1]);
      });
      server.on('exit', (code) => reject(new Error(`the server ended (${code}): ${output}`)));
    });
    // The dashboard's Content-Security-Policy allows no inline script; a page of your own has its own.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    const errors = [];
    const requested = [];
    page.on('pageerror', (error) => errors.push(error));
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(`${url}/`);
    // The example, as it stands in README, in place of the dashboard's body.
    await page.evaluate((source) => {
      document.body.innerHTML = '';
      const template = document.createElement('template');
      template.innerHTML = source;
      for (const node of template.content.childNodes) {
        if (node.nodeName === 'SCRIPT') {
          const script = document.createElement('script');
          script.type = node.type;
          script.textContent = node.textContent;
          document.body.append(script);
        } else {
          document.body.append(node.cloneNode(true));
        }
      }
    }, html);
    await check(page, requested);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

test('the browser example runs as written on npm start\'s server', async () => {
  const [html] = codeBlocks('Use from a browser');
  await runOnStartServer(html.code, async (page) => {
    await page.waitForFunction(() => document.querySelector('#status')?.textContent !== '', null, { timeout: 30000 });
    assert.ok(['UNINITIALISED', 'PROCESSING', 'READY'].includes(await page.textContent('#status')));
  });
});

test('the status-only browser example runs as written on npm start\'s server (dist/browser/status.js)', async () => {
  const [, html] = codeBlocks('Use from a browser');
  assert.match(html.code, /dist\/browser\/status\.js/);
  await runOnStartServer(html.code, async (page, requested) => {
    await page.waitForFunction(() => document.querySelectorAll('#statuses li').length === 2, null, { timeout: 30000 });
    assert.deepEqual(await page.$$eval('#statuses li', (items) => items.map((item) => item.textContent)),
      ['status-READY: READY', 'status-ERROR: ERROR']);
    // The example ran on the status-only module and its bundle, which holds the module's glue.
    for (const file of ['/pkg/dist/browser/status.js', '/pkg/dist/status/prolific-dataset-status.wasm']) {
      assert.ok(requested.includes(file), `${file} not requested: ${requested.join(' ')}`);
    }
    assert.ok(!requested.includes('/pkg/dist/status/prolific-dataset-status.mjs'), requested.join(' '));
  });
});

test('docs/API.md shows the status-only example of README', () => {
  const [, html] = codeBlocks('Use from a browser');
  assert.ok(readFileSync(path.join(ROOT, 'docs/API.md'), 'utf8').includes(html.code));
});

test('waitForDataset on a dataset of no status (V4): every text names ProlificError, none a DatasetProcessingError of status null', () => {
  for (const file of ['README.md', 'docs/API.md', 'src/js/index.d.ts']) {
    const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/\s+/g, ' ');
    // The behaviour (tests/watch.test.mjs): a plain ProlificError with datasetId set and status null.
    assert.doesNotMatch(text, /DatasetProcessingError`?\)? whose `?status`? is `?null/, file);
    assert.match(text, /ProlificError[^.]{0,120}`?datasetId`?[^.]{0,60}`?status`?[^.]{0,20}null/, file);
  }
});
