// The package in Deno and Bun (binaries from the npm registry: @deno/linux-x64-glibc,
// @oven/bun-linux-x64), through its node entry and its browser entry, against the real mock
// Prolific API. Deno runs without --allow-env: a call that passes token and baseUrl must not read
// the environment. A redirect to another origin must never carry the token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startMock } from './support/mock.mjs';
import { assertNoTokenCrossedOrigins, startCrossOriginRedirect } from './support/cross-origin.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DENO = path.join(ROOT, 'node_modules/@deno/linux-x64-glibc/deno');
const BUN = path.join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun');
const CHECK = path.join(ROOT, 'tests/runtimes/check.mjs');
const ENTRIES = { node: 'src/js/node.js', browser: 'src/js/index.js' };

let mock;
let baseUrl;
let crossOrigin;

before(async () => {
  ({ mock, options: { baseUrl } } = await startMock());
  crossOrigin = await startCrossOriginRedirect();
});

after(async () => {
  await mock.close();
  await crossOrigin.close();
});

async function runCheck(command, args) {
  const { stdout } = await promisify(execFile)(command, args, {
    cwd: ROOT, timeout: 120000, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

function assertOutcome(outcome) {
  assert.equal(outcome.error, undefined, JSON.stringify(outcome.error));
  assert.deepEqual(outcome.read, { datasetId: 'status-READY', status: 'READY' });
  assert.deepEqual(outcome.waited, { datasetId: 'demo-ready', status: 'READY' });
  assertNoTokenCrossedOrigins(assert, outcome.redirected, crossOrigin.leaked);
}

for (const [kind, entry] of Object.entries(ENTRIES)) {
  const entryUrl = pathToFileURL(path.join(ROOT, entry)).href;
  test(`Deno, ${kind} entry, without --allow-env`, { skip: !existsSync(DENO) && 'no Deno binary' }, async () => {
    assertOutcome(await runCheck(DENO, ['run', '--no-prompt', '--allow-net', '--allow-read', CHECK, entryUrl, baseUrl,
      crossOrigin.redirectUrl]));
  });
  test(`Bun, ${kind} entry`, { skip: !existsSync(BUN) && 'no Bun binary' }, async () => {
    assertOutcome(await runCheck(BUN, [CHECK, entryUrl, baseUrl, crossOrigin.redirectUrl]));
  });
}
