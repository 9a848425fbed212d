// The README's command-line examples run: the NDJSON example's command gives the lines shown,
// and the GitHub Actions job's `run:` script runs as written (npx standing for the installed bin),
// against a programmable API on 127.0.0.1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WATCH_TOKEN, startWatchServer } from './support/watch-server.mjs';

const CLI = fileURLToPath(new URL('../src/js/cli.js', import.meta.url));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = README.slice(README.indexOf('## Command-line tool'), README.indexOf('\n## API\n'));
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body }));

let server;
let dir;
before(async () => {
  server = await startWatchServer((id) => (id.endsWith('0718')
    ? { status: 404, body: { error: { status: 404, title: 'Not Found', detail: 'No dataset.' } } }
    : { body: { status: 'READY' } }));
  dir = mkdtempSync(join(tmpdir(), 'pds-readme-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a bash script with the CLI as `prolific-dataset-status` and `npx … prolific-dataset-status`. */
function bash(script, env) {
  const prelude = [
    `prolific-dataset-status() { ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"; }`,
    'npx() { while [ "$1" != prolific-dataset-status ]; do shift; done; shift; prolific-dataset-status "$@"; }',
    'set -eo pipefail',
  ].join('\n');
  // Asynchronous: the server answering it runs in this process.
  const child = spawn('bash', ['-c', `${prelude}\n${script}`], {
    cwd: dir, env: { ...process.env, PROLIFIC_TOKEN: WATCH_TOKEN, PROLIFIC_URL: server.url, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
  return new Promise((resolve) => child.on('close', (status) => {
    clearTimeout(killer);
    resolve({ status, stdout, stderr });
  }));
}

test('the NDJSON example prints the lines shown (in finishing order, so compared as a set)', async () => {
  const block = blocks.find(({ body }) => body.startsWith('$ prolific-dataset-status --wait --json'));
  assert.ok(block, 'NDJSON example not found');
  const [commandLine, ...shown] = block.body.trim().split('\n');
  const result = await bash(commandLine.slice(2));
  assert.equal(result.status, 1, result.stderr); // one dataset is not found: exit 1
  assert.deepEqual(result.stdout.trim().split('\n').sort(), shown.sort());
  for (const line of shown) assert.ok(JSON.parse(line).datasetId);
});

test("the GitHub Actions job's run script works as written", async () => {
  const yaml = blocks.find(({ lang }) => lang === 'yaml');
  assert.ok(yaml, 'CI example not found');
  const lines = yaml.body.split('\n');
  const start = lines.findIndex((line) => /^\s+run: \|$/.test(line));
  assert.ok(start > 0, 'no run: | step');
  const indent = /^\s*/.exec(lines[start + 1])[0];
  const script = lines.slice(start + 1).filter((line) => line.startsWith(indent)).map((line) => line.slice(indent.length)).join('\n');
  assert.match(yaml.body, /PROLIFIC_TOKEN: \$\{\{ secrets\.PROLIFIC_TOKEN \}\}/);
  // Both datasets READY: the step succeeds and lists them.
  server.setPlan(() => ({ body: { status: 'READY' } }));
  const result = await bash(script);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(readFileSync(join(dir, 'ready.txt'), 'utf8').trim().split('\n').sort(),
    ['65f1c0a4e1b2c3d4e5f60718', '65f1c0a4e1b2c3d4e5f60719']);
  // One dataset ends in ERROR: the step fails with exit code 3.
  server.setPlan((id) => ({ body: { status: id.endsWith('0718') ? 'ERROR' : 'READY' } }));
  assert.equal((await bash(script)).status, 3);
});
