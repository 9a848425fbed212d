// The installed package in a browser: the tarball `npm pack` makes is installed into a scratch
// project (tests/support/pack.mjs), whose folder a tiny static server serves; a page imports
// 'prolific-dataset-status' through an import map, the browser build fetches its .wasm next to the
// glue, and the page reads a status through the server's /api/ forwarder, which adds the token
// server-side (as README's "Use from a browser" describes). Headless Chromium from the system;
// no browser is ever downloaded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startMockProlific } from '../../scripts/mock-prolific.mjs';
import { PACKAGE_NAME, cleanupPack, packAndInstall } from '../support/pack.mjs';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'tok-browser-install';
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>prolific-dataset-status install test</title>
<script type="importmap">
  { "imports": { "${PACKAGE_NAME}": "/node_modules/${PACKAGE_NAME}/src/js/index.js" } }
</script>
<p id="status">pending</p>
<script type="module">
  import { getDatasetStatus, isTerminalStatus } from '${PACKAGE_NAME}';
  const out = document.querySelector('#status');
  try {
    const { datasetId, status } = await getDatasetStatus('status-READY', { baseUrl: location.origin });
    out.textContent = isTerminalStatus(status) && datasetId === 'status-READY' ? status : 'unexpected ' + status;
  } catch (error) {
    out.textContent = 'error: ' + (error && error.name) + ': ' + (error && error.message);
  }
</script>
</html>
`;

/**
 * Serves `root` (GET and HEAD only, no listing, nothing outside it), the test page at `/`, and
 * forwards `/api/...` to `upstream` with `Authorization: Token <token>` added.
 * @returns {Promise<{ url: string, served: Array<{ path: string, status: number, type?: string, authorization?: string }>, close: () => Promise<void> }>}
 */
async function startStaticServer({ root, upstream, token }) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const record = { path: pathname, authorization: req.headers.authorization };
    served.push(record);
    const send = (status, type, body) => {
      record.status = status;
      record.type = type;
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (pathname.startsWith('/api/')) {
      const forward = http.request(new URL(req.url, upstream), {
        method: req.method,
        headers: { accept: req.headers.accept ?? '*/*', authorization: `Token ${token}` },
      }, (answer) => {
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode, {
          'Content-Type': answer.headers['content-type'] ?? 'application/octet-stream',
          ...(answer.headers['retry-after'] ? { 'Retry-After': answer.headers['retry-after'] } : {}),
        });
        answer.pipe(res);
      });
      forward.on('error', () => send(502, 'text/plain', 'Bad gateway'));
      forward.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'Method not allowed');
    if (pathname === '/' || pathname === '/index.html') return send(200, MIME['.html'], PAGE);
    if (pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    let file;
    try {
      file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    } catch {
      return send(400, 'text/plain', 'Bad request');
    }
    if (!file.startsWith(root + path.sep)) return send(403, 'text/plain', 'Forbidden');
    try {
      const body = await readFile(file);
      return send(200, MIME[path.extname(file)] ?? 'application/octet-stream', body);
    } catch {
      return send(404, 'text/plain', 'Not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    served,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('the installed package in Chromium', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not found` }, () => {
  let pack;
  let mock;
  let site;
  let browser;

  before(async () => {
    [pack, mock] = await Promise.all([packAndInstall(), startMockProlific({ token: TOKEN })]);
    site = await startStaticServer({ root: pack.projectDir, upstream: mock.url, token: TOKEN });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await mock?.close();
    await cleanupPack();
  });

  test('a page imports it by name through an import map and shows READY', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
    try {
      mock.reset();
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => document.querySelector('#status')?.textContent !== 'pending', null,
        { timeout: 30_000 });
      const shown = await page.textContent('#status');
      assert.equal(shown, 'READY', `${shown}\n${problems.join('\n')}\n${JSON.stringify(site.served, null, 1)}`);
      assert.deepEqual(problems, []);

      const packageRoot = `/node_modules/${PACKAGE_NAME}`;
      const byPath = (suffix) => site.served.find((entry) => entry.path === `${packageRoot}${suffix}`);
      assert.equal(byPath('/src/js/index.js')?.status, 200, 'the browser entry point was not loaded');
      assert.equal(byPath('/src/js/node.js'), undefined, 'the browser loaded the Node entry point');
      assert.equal(byPath('/dist/prolific-dataset-status.mjs')?.status, 200, 'the module glue was not loaded');
      const wasm = byPath('/dist/prolific-dataset-status.wasm');
      assert.equal(wasm?.status, 200, 'the .wasm file was not fetched next to the glue');
      assert.equal(wasm.type, 'application/wasm');

      // The page sent no token; the forwarder added it, and the mock saw exactly one read.
      const apiCalls = site.served.filter((entry) => entry.path.startsWith('/api/'));
      assert.deepEqual(apiCalls.map((entry) => [entry.path, entry.authorization]),
        [['/api/v1/data-collection/datasets/status-READY/status', undefined]]);
      assert.equal(mock.requests.length, 1);
      assert.equal(mock.requests[0].headers.authorization, `Token ${TOKEN}`);
    } finally {
      await context.close();
    }
  });
});
