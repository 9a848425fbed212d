// README's examples: the Node example type-checks under tsc --strict; the browser example runs, as
// written, on `npm start`'s own server in Chromium; each snippet of "Runtimes and bundlers" is
// part of the file named above it (<!-- tested by FILE -->), which a test of its own runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The fenced code blocks of `section` (a "## " heading), with the test file named above each. */
function codeBlocks(section) {
  const start = README.indexOf(`\n## ${section}\n`);
  assert.notEqual(start, -1, `README has no "${section}" section`);
  const end = README.indexOf('\n## ', start + 1);
  const text = README.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/(?:<!-- tested by (\S+) -->\n)?```(\w+)\n([\s\S]*?)```/g)]
    .map(([, testedBy, language, code]) => ({ testedBy, language, code }));
}

test('every snippet of "Runtimes and bundlers" is part of the file a test runs', () => {
  const blocks = codeBlocks('Runtimes and bundlers');
  assert.ok(blocks.length >= 4);
  for (const { testedBy, code } of blocks) {
    assert.ok(testedBy, `a snippet names no test file:\n${code}`);
    const lines = new Set(readFileSync(path.join(ROOT, testedBy), 'utf8').split('\n').map((line) => line.trim()));
    for (const line of code.split('\n').map((item) => item.trim()).filter(Boolean)) {
      assert.ok(lines.has(line), `${testedBy} does not hold README's line: ${line}`);
    }
  }
});

test('the Node example type-checks with tsc --strict', async () => {
  const [node] = codeBlocks('Use from Node');
  // Inside the package, so that TypeScript resolves 'prolific-dataset-status' through its exports.
  const file = path.join(ROOT, 'tests', 'types', 'readme-node.generated.ts');
  const config = path.join(ROOT, 'tests', 'types', 'tsconfig.readme.generated.json');
  await writeFile(file, `export {};\n${node.code}`);
  await writeFile(config, JSON.stringify({ extends: './tsconfig.json', files: ['readme-node.generated.ts'] }));
  try {
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config],
      { cwd: ROOT });
  } catch (error) {
    assert.fail(`tsc --strict failed on README's Node example:\n${error.stdout}${error.stderr}`);
  } finally {
    await rm(file, { force: true });
    await rm(config, { force: true });
  }
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
