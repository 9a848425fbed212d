// The CLI's --wait on watchDatasets, V4 datasets, show, stdin ids, the token file, signals and
// pipes: the real CLI runs as a child process against a programmable API on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WATCH_TOKEN, importJob, startWatchServer, v4Dataset } from './support/watch-server.mjs';

const CLI = fileURLToPath(new URL('../src/js/cli.js', import.meta.url));
const STACK_LINE = /^\s+at /m;

let server;
let dir;

function childEnv(extra) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('PROLIFIC_')) delete env[name];
  return { ...env, PROLIFIC_URL: server.url, ...extra };
}

/**
 * Starts the CLI; `lines` collects stdout lines as they come, with the time each arrived.
 * @returns {{ child, lines: Array<{ text: string }>, done: Promise<{ code, signal, stdout, stderr }> }}
 */
function start(args, { env = childEnv({ PROLIFIC_TOKEN: WATCH_TOKEN }), stdin = 'ignore', shell = false } = {}) {
  const child = shell
    ? spawn('bash', ['-c', args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [CLI, ...args], { env, stdio: [stdin === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== 'ignore') child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  const lines = [];
  const waiters = [];
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    const parts = stdout.split('\n');
    while (lines.length < parts.length - 1) lines.push({ text: parts[lines.length] });
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
  let ended = false;
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      ended = true;
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal, stdout, stderr });
    });
  });
  /** Resolves when `check()` is true (re-checked at each output), or rejects when the process ended first. */
  const until = async (check) => {
    while (!check()) {
      if (ended) throw new Error(`the CLI ended first; stdout: ${stdout} stderr: ${stderr}`);
      await new Promise((resolve) => waiters.push(resolve));
    }
    return ended;
  };
  return { child, lines, done, until, stderrText: () => stderr };
}

function assertClean(result) {
  assert.doesNotMatch(result.stderr, STACK_LINE);
  assert.ok(!result.stdout.includes(WATCH_TOKEN) && !result.stderr.includes(WATCH_TOKEN), 'token printed');
}

/** A plan: `slow` PROCESSING until told otherwise; `fast` READY at once; V4 datasets; failures. */
let release = false;
let v4Progress = false;
function plan(id, read) {
  if (id === 'fast') return { body: { status: 'READY' } };
  if (id === 'slow') return { body: { status: release ? 'READY' : 'PROCESSING' } };
  if (id === 'gone') return { status: 404, body: { error: { status: 404, title: 'Not found', detail: 'No dataset.' } } };
  if (id === 'evil') return { body: { status: 'PROC\u0085ESS\u202eING\u009b31m' } };
  if (id.startsWith('v4-')) {
    if (read.kind === 'status') return { body: { status: null } };
    if (read.kind === 'dataset') {
      // Its dataset read lists the jobs; while `v4Progress` is set the first job ends at the 2nd read.
      const first = v4Progress && read.count >= 1 ? (id === 'v4-ok' ? 'complete' : 'failed') : 'processing';
      return { body: v4Dataset(id, [importJob(id, `${id}-job`, first, { filename: 'rows.jsonl' }),
        importJob(id, `${id}-done`, 'partial', { accepted_count: 3, rejected_count: 1,
          errors: [{ record_index: 2, field: 'text', reason: 'text is required' }] })]) };
    }
    return { status: 500, body: { error: { status: 500, title: 'import jobs are read through the dataset' } } };
  }
  return { body: { status: 'READY' } };
}

before(async () => {
  server = await startWatchServer(plan);
  dir = mkdtempSync(join(tmpdir(), 'pds-cli-watch-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('--wait on watchDatasets', () => {
  test('NDJSON lines appear while the wait still runs, in finishing order', async () => {
    release = false;
    server.reset();
    const run = start(['--wait', '--json', '--quiet', '--interval', '0.05', 'slow', 'fast']);
    const endedFirst = await run.until(() => run.lines.length >= 1);
    assert.equal(endedFirst, false, 'the first line came only at the end');
    assert.deepEqual(JSON.parse(run.lines[0].text), { datasetId: 'fast', status: 'READY' });
    release = true;
    const result = await run.done;
    assertClean(result);
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line)),
      [{ datasetId: 'fast', status: 'READY' }, { datasetId: 'slow', status: 'READY' }]);
  });

  for (const [signal, code, word] of [['SIGINT', 130, 'Interrupted'], ['SIGTERM', 143, 'Terminated']]) {
    test(`${signal} mid-wait prints the finished datasets and exits ${code}`, async () => {
      release = false;
      server.reset();
      const run = start(['--wait', '--json', '--quiet', '--interval', '0.05', 'fast', 'slow']);
      await run.until(() => run.lines.length >= 1);
      run.child.kill(signal);
      const result = await run.done;
      assertClean(result);
      assert.equal(result.code, code);
      assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line)), [{ datasetId: 'fast', status: 'READY' }]);
      assert.match(result.stderr, new RegExp(`^${word}: 1 of 2 datasets finished; not finished: slow$`, 'm'));
    });
  }

  test('a refused token gives one message and exit 1, and stops the run', async () => {
    server.reset();
    const ids = Array.from({ length: 30 }, (_, i) => `d${i}`);
    const result = await start(['--wait', '--quiet', ...ids], { env: childEnv({ PROLIFIC_TOKEN: 'wrong-token' }) }).done;
    assertClean(result);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /HTTP 401.*PROLIFIC_TOKEN/);
    assert.ok(server.requests.length <= 6, `${server.requests.length} requests`);
  });

  test('off a TTY, progress goes to stderr as plain lines (none with --quiet)', async () => {
    release = false;
    server.reset();
    const run = start(['--wait', '--interval', '0.05', 'slow', 'fast']);
    await run.until(() => /finished/.test(run.stderrText()));
    release = true;
    const result = await run.done;
    assertClean(result);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /^prolific-dataset-status: \d\/2 finished.*elapsed$/m);
    assert.ok(!result.stderr.includes('\x1b') && !result.stderr.includes('\r'));
    const quiet = await start(['--wait', '--quiet', 'fast']).done;
    assert.equal(quiet.stderr, '');
  });

  test('a V4 dataset: --wait ends when its import job completes (0) or fails (3)', async () => {
    server.reset();
    v4Progress = true;
    const ok = await start(['--wait', '--json', '--quiet', '--interval', '0.05', 'v4-ok']).done;
    assertClean(ok);
    assert.equal(ok.code, 0);
    const line = JSON.parse(ok.stdout);
    assert.equal(line.status, null);
    assert.deepEqual(line.imports.map((job) => job.status), ['complete', 'partial']);
    const failed = await start(['--wait', '--interval', '0.05', 'v4-bad']).done;
    assertClean(failed);
    assert.equal(failed.code, 3);
    assert.match(failed.stdout, /v4-bad\s+no status \(V4 dataset; import jobs: 1 failed, 1 partial\)/);
    assert.match(failed.stderr, /import "v4-bad-job": failed: The file could not be read/);
    v4Progress = false;
    const paths = server.requests.map((r) => r.path);
    assert.ok(!paths.some((path) => path.includes('/imports/')), 'import jobs are not read one by one');
    assert.equal(paths.filter((path) => path.endsWith('/datasets/v4-ok')).length, 2);
  });

  test('--timeout is the whole wait, in the unit typed', async () => {
    release = false;
    const result = await start(['--wait', '--quiet', '--interval', '0.05', '--timeout', '0.5', 'slow', 'fast']).done;
    assertClean(result);
    assert.equal(result.code, 4);
    assert.match(result.stdout, /fast\s+READY/);
    assert.match(result.stdout, /slow\s+error: timed out/);
    assert.match(result.stderr, /within 0\.5 s/);
  });
});

describe('reads, show and input', () => {
  test('a status read of a V4 dataset says so and shows its import jobs', async () => {
    const result = await start(['v4-ok', 'fast']).done;
    assertClean(result);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /v4-ok\s+no status \(V4 dataset; import jobs: 1 processing, 1 partial\)/);
  });

  test('show prints the dataset with its import jobs, counts and record errors', async () => {
    const result = await start(['show', 'v4-ok']).done;
    assertClean(result);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Name\s+Dataset v4-ok$/m);
    assert.match(result.stdout, /^Version\s+V4$/m);
    assert.match(result.stdout, /v4-ok-job\s+processing\s+rows\.jsonl/);
    assert.match(result.stdout, /v4-ok-done\s+partial.*3 accepted, 1 rejected/);
    assert.match(result.stdout, /text is required/);
    const json = await start(['show', '--json', 'v4-ok']).done;
    assert.equal(JSON.parse(json.stdout).imports.length, 2);
    const usage = await start(['show']).done;
    assert.equal(usage.code, 2);
  });

  test('- reads ids from standard input; a repeated id is read once', async () => {
    server.reset();
    const result = await start(['--json', '-'], { stdin: 'fast\nv4-ok fast\n\n  a1\n' }).done;
    assertClean(result);
    assert.equal(result.code, 0);
    assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line).datasetId), ['fast', 'v4-ok', 'a1']);
    assert.equal(server.requests.filter((r) => r.path.endsWith('/fast/status')).length, 1);
  });

  test('PROLIFIC_TOKEN_FILE names a file holding the token', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${WATCH_TOKEN}\n`);
    const result = await start(['fast'], { env: childEnv({ PROLIFIC_TOKEN_FILE: file }) }).done;
    assertClean(result);
    assert.equal(result.code, 0);
    const missing = await start(['fast'], { env: childEnv({ PROLIFIC_TOKEN_FILE: join(dir, 'nope') }) }).done;
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /PROLIFIC_TOKEN_FILE/);
  });

  test('an id the library refuses is a usage error and no request is sent', async () => {
    server.reset();
    for (const bad of ['x'.repeat(1025), '.', '..']) {
      const result = await start(['fast', 'slow', bad, 'gone']).done;
      assertClean(result);
      assert.equal(result.code, 2, bad.slice(0, 10));
    }
    const noToken = await start(['fast'], { env: childEnv({ PROLIFIC_URL: 'https://api.prolific.com' }) }).done;
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /PROLIFIC_TOKEN/);
    assert.equal(server.requests.length, 0);
  });

  test('| head -1 keeps exit 1 when reads failed', async () => {
    const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
    // Over 64 KiB of output, so that writing into the closed pipe fails with EPIPE.
    const ids = ['gone', ...Array.from({ length: 1500 }, (_, i) => `ok-${String(i).padStart(60, '0')}`)];
    const file = join(dir, 'ids.txt');
    writeFileSync(file, ids.join('\n'));
    const command = `set -o pipefail; ${quote(process.execPath)} ${quote(CLI)} --json - < ${quote(file)} | head -1`;
    const result = await start(command, { shell: true, env: { ...childEnv({ PROLIFIC_TOKEN: WATCH_TOKEN }) } }).done;
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout.trim().split('\n').length, 1);
  });

  test('--json escapes C1 controls and bidi characters; the table shows them as ?', async () => {
    const json = await start(['--json', 'evil']).done;
    assert.equal(json.code, 0);
    assert.ok(!/[\u0080-\u009f\u202e]/.test(json.stdout), JSON.stringify(json.stdout));
    assert.match(json.stdout, /\\u0085/);
    assert.match(json.stdout, /\\u202e/);
    assert.equal(JSON.parse(json.stdout).status, 'PROC\u0085ESS\u202eING\u009b31m');
    const table = await start(['evil']).done;
    assert.match(table.stdout, /evil\s+PROC\?ESS\?ING\?31m/);
  });

  test('serve reports itself unavailable when the server is not part of the installation, or runs it', async () => {
    const result = await start(['serve', '--help']).done;
    assertClean(result);
    if (result.code === 1) assert.match(result.stderr, /serve is not available/);
    else assert.equal(result.code, 0);
  });
});
