// Tests for src/js/cli.js: the real CLI runs as a child process against the mock Prolific API on
// 127.0.0.1. The token and URL are set in the child's environment only.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { startMockProlific } from '../scripts/mock-prolific.mjs';
import { MAX_UPLOAD_BYTES } from '../src/js/node.js';

const CLI = fileURLToPath(new URL('../src/js/cli.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const TOKEN = 'tok-7Qz9-cli-secret';
const STACK_LINE = /^\s+at /m;

/** The parent's environment without any PROLIFIC_* variable, plus `extra`. */
function childEnv(extra) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('PROLIFIC_')) delete env[name];
  return { ...env, ...extra };
}

/**
 * Starts the CLI.
 * @returns {{ child: import('node:child_process').ChildProcess,
 *   done: Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, ms: number }> }}
 */
function start(args, env, { cwd } = {}) {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done };
}

/** The promises of every run's output: no stack trace, and the token in neither stream. */
function assertCleanOutput(result) {
  assert.doesNotMatch(result.stderr, STACK_LINE);
  assert.ok(!result.stdout.includes(TOKEN), 'token in stdout');
  assert.ok(!result.stderr.includes(TOKEN), 'token in stderr');
}

describe('prolific-dataset-status CLI', () => {
  let mock;
  /** Environment pointing at the mock with the right token. */
  let env;
  /** Runs the CLI to its end with `env` (or `customEnv`). */
  const run = (args, customEnv = env) => start(args, customEnv).done;

  const assertClean = assertCleanOutput;

  before(async () => {
    mock = await startMockProlific({ token: TOKEN, timeScale: 0.01 });
    env = childEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url });
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  describe('reading statuses', () => {
    test('prints an aligned table in input order; ERROR without --wait is a successful read', async () => {
      const result = await run(['status-PROCESSING', 'status-READY', 'status-ERROR', 'status-UNINITIALISED']);
      assertClean(result);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, [
        'DATASET               STATUS',
        'status-PROCESSING     PROCESSING',
        'status-READY          READY',
        'status-ERROR          ERROR',
        'status-UNINITIALISED  UNINITIALISED',
        '',
      ].join('\n'));
      assert.equal(result.stderr, '');
      assert.equal(mock.requests.length, 4);
      for (const request of mock.requests) assert.equal(request.headers.authorization, `Token ${TOKEN}`);
    });

    test('a failed read shows in the status column, on stderr with advice, and exits 1', async () => {
      const result = await run(['status-READY', 'http-404', 'status-SOMETHING_NEW']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, [
        'DATASET               STATUS',
        'status-READY          READY',
        'http-404              error: HTTP 404 Not Found',
        'status-SOMETHING_NEW  SOMETHING_NEW',
        '',
      ].join('\n'));
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1);
      assert.match(lines[0], /dataset "http-404"/);
      assert.match(lines[0], /check the dataset id \(or your access to it\)/i);
    });

    test('--json prints one object per line, in input order', async () => {
      const result = await run(['--json', 'status-READY', 'http-404', 'status-ERROR', 'not-json']);
      assertClean(result);
      assert.equal(result.code, 1);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
      assert.equal(lines.length, 4);
      assert.deepEqual(lines[0], { datasetId: 'status-READY', status: 'READY' });
      assert.deepEqual(Object.keys(lines[1]), ['datasetId', 'error']);
      assert.equal(lines[1].datasetId, 'http-404');
      assert.equal(lines[1].error.name, 'ProlificApiError');
      assert.equal(lines[1].error.httpStatus, 404);
      assert.match(lines[1].error.message, /404/);
      assert.deepEqual(lines[2], { datasetId: 'status-ERROR', status: 'ERROR' });
      assert.equal(lines[3].error.name, 'InvalidResponseError');
      assert.equal(lines[3].error.httpStatus, 200);
    });

    test('--json leaves httpStatus out when the error has none; the timeout is in the unit typed', async () => {
      const result = await run(['--json', '--timeout=0.2', 'slow-headers']);
      assertClean(result);
      assert.equal(result.code, 4);
      const line = JSON.parse(result.stdout);
      assert.equal(line.datasetId, 'slow-headers');
      assert.deepEqual(Object.keys(line.error).sort(), ['message', 'name', 'timeoutMs']);
      assert.equal(line.error.name, 'TimeoutError');
      assert.equal(line.error.timeoutMs, 200);
      assert.match(line.error.message, /within 0\.2 s/);
      assert.match(result.stderr, /within 0\.2 s/);
    });

    test('401 says to check PROLIFIC_TOKEN', async () => {
      const result = await run(['status-READY'], childEnv({ PROLIFIC_TOKEN: 'wrong-token', PROLIFIC_URL: mock.url }));
      assertClean(result);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /status-READY\s+error: HTTP 401/);
      assert.match(result.stderr, /dataset "status-READY".*check PROLIFIC_TOKEN/i);
      assert.ok(!result.stderr.includes('wrong-token'));
    });

    test('429 says to retry later', async () => {
      const result = await run(['rate-limited-0']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /dataset "rate-limited-0".*retry later/i);
    });

    test('a network failure says to retry later and exits 1', async () => {
      const closed = await startMockProlific({ token: TOKEN });
      const url = closed.url;
      await closed.close();
      const result = await run(['--base-url', url, 'status-READY']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /status-READY\s+error: network error/);
      assert.match(result.stderr, /dataset "status-READY".*retry later/i);
    });

    test('--timeout without --wait is the per-request timeout (exit 4), with --base-url', async () => {
      const result = await run(['--timeout', '0.3', '--base-url', mock.url, 'slow-headers'],
        childEnv({ PROLIFIC_TOKEN: TOKEN }));
      assertClean(result);
      assert.equal(result.code, 4);
      assert.match(result.stdout, /slow-headers\s+error: timed out/);
      assert.match(result.stderr, /dataset "slow-headers"/);
      // Three attempts of 0.3 s plus backoff, far below the mock's 30 s.
      assert.ok(result.ms < 10000, `took ${result.ms} ms`);
      assert.ok(mock.requests.every((r) => r.path.includes('/slow-headers/')));
    });

    test('the token never appears, even when the server echoes it', async () => {
      for (const args of [['echo-token'], ['--json', 'echo-token'], ['--wait', 'echo-token']]) {
        const result = await run(args);
        assertClean(result);
        assert.equal(result.code, 1);
        assert.match(result.stdout + result.stderr, /\[REDACTED\]/);
      }
      assert.ok(mock.requests.some((r) => r.headers.authorization === `Token ${TOKEN}`));
    });

    test('at most 6 requests in flight; a repeated id is read once', async () => {
      let inFlight = 0;
      let most = 0;
      const gates = Array.from({ length: 10 }, (_, i) => `gate-${i}`);
      for (const gate of gates) mock.setHandler(gate, (req, res) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"status":"READY"}');
        }, 40);
      });
      try {
        mock.reset();
        const result = await run([...gates, 'gate-0', 'gate-1']);
        assert.equal(result.code, 0);
        assert.equal(result.stdout.trim().split('\n').length, 11);
        assert.ok(most <= 6 && most >= 2, `at most ${most} in flight`);
        assert.equal(mock.requests.filter((r) => r.path.includes('/gate-0/')).length, 1);
      } finally {
        for (const gate of gates) mock.setHandler(gate, null);
      }
    });
  });

  describe('--wait', () => {
    test('waits for every dataset, prints each as it finishes; an ERROR dataset exits 3', async () => {
      const result = await run(['--wait', '--quiet', '--interval', '0.05', 'demo-ready', 'demo-error', 'status-READY']);
      assertClean(result);
      assert.equal(result.code, 3);
      const lines = result.stdout.split('\n');
      assert.equal(lines[0], 'DATASET       STATUS');
      // In finishing order (which one finishes first depends on timing; tests/cli-watch.test.mjs
      // checks the order with a dataset held back).
      assert.deepEqual(lines.slice(1).sort(), ['', 'demo-error    ERROR', 'demo-ready    READY', 'status-READY  READY']);
      assert.match(result.stderr, /dataset "demo-error".*ERROR/);
      // Not on a TTY, and --quiet: nothing decorative.
      assert.ok(!result.stderr.includes('\r'));
      assert.doesNotMatch(result.stderr, /elapsed/);
    });

    test('fractional --interval 0.05 is honoured (default would be 2 s)', async () => {
      const result = await run(['--wait', '--quiet', '--interval', '0.05', 'demo-ready']);
      assertClean(result);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, 'DATASET     STATUS\ndemo-ready  READY\n');
      assert.equal(result.stderr, '');
      const polls = mock.requests.filter((r) => r.path.includes('/demo-ready/'));
      assert.ok(polls.length >= 2, `${polls.length} polls`);
      // The delay the client chose between its first two polls, as the server saw them: about
      // 50 ms with --interval 0.05, never under 1 s with the default 2 s schedule. (Not the
      // run's wall time, which includes starting Node and loading the module.)
      const gapMs = polls[1].time - polls[0].time;
      assert.ok(gapMs < 1000, `${gapMs} ms between the first two polls`);
    });

    test('--json with --wait: ERROR is a status, not an error', async () => {
      const result = await run(['--wait', '--json', '--interval=0.05', 'demo-error', 'demo-ready']);
      assertClean(result);
      assert.equal(result.code, 3);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
      lines.sort((a, b) => a.datasetId.localeCompare(b.datasetId));
      assert.deepEqual(lines, [
        { datasetId: 'demo-error', status: 'ERROR' },
        { datasetId: 'demo-ready', status: 'READY' },
      ]);
    });

    test('all READY exits 0 with nothing on stderr', async () => {
      const result = await run(['--wait', '--quiet', 'status-READY', 'flaky-1']);
      assertClean(result);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /flaky-1\s+READY/);
    });

    test('--timeout bounds the whole wait: exit 4', async () => {
      const result = await run(['--wait', '--interval', '0.05', '--timeout', '0.3', 'demo-new']);
      assertClean(result);
      assert.equal(result.code, 4);
      assert.match(result.stdout, /demo-new\s+error: timed out/);
      // The dataset is named once, not again by the library's own 'Dataset "demo-new": '.
      assert.match(result.stderr, /^prolific-dataset-status: dataset "demo-new": it was not READY or ERROR within 0\.3 s/m);
      assert.equal(result.stderr.split('demo-new').length - 1, 1, result.stderr);
      assert.ok(result.ms < 5000, `took ${result.ms} ms`);
    });

    test('waits share one limiter: at most 6 requests in flight', async () => {
      let inFlight = 0;
      let most = 0;
      const gates = Array.from({ length: 10 }, (_, i) => `gate-${i}`);
      for (const gate of gates) mock.setHandler(gate, (req, res, ctx) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: ctx.count > 30 ? 'READY' : 'PROCESSING' }));
        }, 30);
      });
      try {
        const result = await run(['--wait', '--interval', '0.02', ...gates]);
        assertClean(result);
        assert.equal(result.code, 0);
        assert.equal(result.stdout.trim().split('\n').length, 11);
        assert.ok(most <= 6 && most >= 2, `at most ${most} in flight`);
      } finally {
        for (const gate of gates) mock.setHandler(gate, null);
      }
    });

    test('SIGINT aborts, prints "Interrupted", exits 130 without a stack trace', async () => {
      const { child, done } = start(['--wait', '--quiet', '--interval', '0.05', 'demo-new'], env);
      const waitStart = Date.now();
      while (!mock.requests.some((r) => r.path.includes('/demo-new/'))) {
        assert.ok(Date.now() - waitStart < 10000, 'the CLI never polled');
        await sleep(20);
      }
      child.kill('SIGINT');
      const result = await done;
      assertClean(result);
      assert.equal(result.code, 130);
      assert.equal(result.stderr.trim(), 'Interrupted: 0 of 1 datasets finished; not finished: demo-new');
      assert.equal(result.stdout, '');
    });

    test('progress is drawn on a TTY and cleared at the end', { skip: !hasScript() && 'needs util-linux script' }, async () => {
      const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
      const command = [process.execPath, CLI, '--wait', '--interval', '0.05', 'demo-ready', 'status-READY']
        .map(quote).join(' ');
      const result = await new Promise((resolve) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => { output += chunk; });
        child.on('close', (code) => resolve({ code, output }));
      });
      assert.equal(result.code, 0);
      assert.match(result.output, /\x1b\[K\d\/2 finished/);
      assert.match(result.output, /demo-ready\s+READY/);
      // The list is erased at the end: its last write clears the screen below it.
      assert.ok(result.output.lastIndexOf('\x1b[J') > result.output.lastIndexOf('finished;'));
      assert.ok(!result.output.includes(TOKEN));
    });

    test('on a TTY, a timeout (exit 4) erases the list too: nothing is drawn after the last result', { skip: !hasScript() && 'needs util-linux script' }, async () => {
      const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
      const command = [process.execPath, CLI, '--wait', '--interval', '0.05', '--timeout', '2', 'demo-new', 'http-503']
        .map(quote).join(' ');
      const result = await new Promise((resolve) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => { output += chunk; });
        child.on('close', (code) => resolve({ code, output }));
      });
      assert.equal(result.code, 4, result.output);
      assert.match(result.output, /\x1b\[K\d\/2 finished/);
      const after = result.output.slice(result.output.lastIndexOf('error: timed out'));
      assert.doesNotMatch(after, /finished/, 'the list is drawn again after the results');
      // A dataset whose reads fail was never read: it is not called a V4 dataset.
      assert.doesNotMatch(result.output, /http-503\s+no status/);
    });
  });

  describe('exit code precedence (2, 1, 4, 3, 0)', () => {
    test('an API failure beats an ERROR dataset: 1', async () => {
      const result = await run(['--wait', '--interval', '0.05', 'http-404', 'status-ERROR']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /http-404\s+error: HTTP 404/);
      assert.match(result.stdout, /status-ERROR\s+ERROR/);
    });

    test('a timeout beats an ERROR dataset: 4', async () => {
      const result = await run(['--wait', '--interval', '0.05', '--timeout', '0.3', 'demo-new', 'status-ERROR']);
      assertClean(result);
      assert.equal(result.code, 4);
    });

    test('an API failure beats a timeout: 1', async () => {
      // The 404 must be read before the wait ends: a whole-wait limit of 3 s leaves room on a busy machine.
      const result = await run(['--wait', '--interval', '0.05', '--timeout', '3', 'demo-new', 'http-404']);
      assertClean(result);
      assert.equal(result.code, 1);
    });

    test('a bad flag is 2 even with other problems, and nothing is sent', async () => {
      const result = await run(['--wait', '--bogus', 'http-404', 'status-ERROR', 'demo-new']);
      assertClean(result);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /--bogus/);
      assert.equal(mock.requests.length, 0);
    });

    test('a bad base URL (a TypeError from the library) is 2 even with other ids', async () => {
      for (const baseUrl of ['ftp://example.com', 'http://example.com']) {
        const result = await run(['--wait', '--base-url', baseUrl, 'http-404', 'status-ERROR']);
        assertClean(result);
        assert.equal(result.code, 2, baseUrl);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /Run prolific-dataset-status --help/);
      }
      assert.equal(mock.requests.length, 0);
    });
  });

  describe('usage', () => {
    const usageCases = [
      [['--bogus', 'status-READY'], /unknown option --bogus/],
      [['--bogus=value', 'status-READY'], /unknown option --bogus/],
      [['--token', 'abc', 'status-READY'], /PROLIFIC_TOKEN/],
      [['--token=abc', 'status-READY'], /PROLIFIC_TOKEN/],
      [['--interval'], /--interval needs a value/],
      [['status-READY', '--timeout'], /--timeout needs a value/],
      [['--interval', '0', 'status-READY'], /--interval/],
      [['--interval', '-1', 'status-READY'], /--interval/],
      [['--interval', 'soon', 'status-READY'], /--interval/],
      [['--timeout=', 'status-READY'], /--timeout/],
      [['--timeout', 'NaN', 'status-READY'], /--timeout/],
      [['--json=yes', 'status-READY'], /--json/],
      [[], /no dataset id/],
      [['--json', '--wait'], /no dataset id/],
      [['', 'status-READY'], /empty/],
    ];
    for (const [args, reason] of usageCases) {
      test(`exit 2: ${JSON.stringify(args)}`, async () => {
        const result = await run(args);
        assertClean(result);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, '');
        const lines = result.stderr.trim().split('\n');
        assert.equal(lines.length, 2);
        assert.match(lines[0], reason);
        assert.equal(lines[1], 'Run prolific-dataset-status --help');
      });
    }

    test('the value given to --token is never printed', async () => {
      const result = await run(['--token', TOKEN, 'status-READY']);
      assert.equal(result.code, 2);
      assertClean(result);
    });

    test('no token with the default base URL: exit 2, mentions PROLIFIC_TOKEN', async () => {
      const result = await run(['status-READY'], childEnv({}));
      assertClean(result);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /set PROLIFIC_TOKEN .*or PROLIFIC_TOKEN_FILE/);
      // A library option is nothing a CLI user can set.
      assert.doesNotMatch(result.stderr, /options\.token/);
    });

    test('--help and -h print usage with examples, exit 0', async () => {
      for (const flag of ['--help', '-h']) {
        const result = await run([flag]);
        assert.equal(result.code, 0);
        assert.match(result.stdout, /^Usage: prolific-dataset-status/);
        assert.match(result.stdout, /--wait/);
        assert.match(result.stdout, /Examples:/);
        assert.equal(result.stderr, '');
      }
    });

    test('--version and -V print the package.json version, exit 0', async () => {
      for (const flag of ['--version', '-V']) {
        const result = await run([flag]);
        assert.equal(result.code, 0);
        assert.equal(result.stdout, `${PACKAGE.version}\n`);
      }
    });

    test('-- ends flags: a following "--json" is a dataset id', async () => {
      const result = await run(['--', '--json']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^DATASET\s+STATUS\n--json\s+error: HTTP 404/);
      assert.ok(mock.requests[0].path.includes('/--json/'));
    });
  });
});

/** Whether util-linux `script` can give the CLI a pseudo-terminal. */
function hasScript() {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('script', ['-qec', 'true', '/dev/null'], { stdio: 'ignore' });
  return probe.status === 0;
}

describe('prolific-dataset-status create and upload', () => {
  let mock;
  let env;
  let dir;
  const run = (args, customEnv = env) => start(args, customEnv).done;

  /** assertCleanOutput, and the upload host never saw an Authorization header. */
  const assertClean = (result) => {
    assertCleanOutput(result);
    assert.deepEqual(mock.tokenLeaks, []);
  };

  /** Asserts a usage error: exit 2, nothing on stdout, the reason then the pointer to --help. */
  const assertUsage = (result, reason, command) => {
    assertClean(result);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 2, result.stderr);
    assert.match(lines[0], reason);
    assert.equal(lines[1], `Run prolific-dataset-status ${command} --help`);
  };

  /** Writes a file in the test directory and returns its path. */
  const file = (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  /** Creates a dataset with the CLI and returns its id. */
  const create = async (...extra) => {
    const result = await run(['create', '--name', 'Reviews', '--workspace', 'ws-1', ...extra]);
    assertClean(result);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };

  /** Parses the aligned "key value" lines of an upload. */
  const fields = (stdout) => Object.fromEntries(stdout.trim().split('\n').map((line) => line.split(/\s{2,}/)));

  const SCHEMA = { fields: [{ name: 'text', type: 'string' }] };
  const GOOD_JSONL = '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n';
  const PARTIAL_JSONL = '{"text":"a"}\nnot json\n[1]\n{"text":"d"}\n';
  const FAILED_JSONL = 'not json\nstill not json\n';
  const GOOD_CSV = 'text,label\nhello,1\nworld,2\n';

  before(async () => {
    mock = await startMockProlific({ token: TOKEN, timeScale: 0.02 });
    env = childEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: mock.url });
    dir = mkdtempSync(join(tmpdir(), 'pds-cli-'));
    file('schema.json', JSON.stringify(SCHEMA));
    file('empty-schema.json', '{}');
  });
  after(async () => {
    assert.deepEqual(mock.tokenLeaks, []);
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('create', () => {
    test('a V3 dataset: the id alone on stdout, usable in a shell', { skip: !hasSh() && 'needs sh' }, async () => {
      const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
      const node = quote(process.execPath);
      const cli = quote(CLI);
      const script = `id=$(${node} ${cli} create --name 'My reviews' --workspace ws-1) || exit 9\n` +
        `printf 'id=[%s]\\n' "$id"\nexec ${node} ${cli} --json "$id"`;
      const result = await new Promise((resolve) => {
        const child = spawn('sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
        child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      const [idLine, statusLine] = result.stdout.trim().split('\n');
      const id = /^id=\[([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]$/.exec(idLine)?.[1];
      assert.ok(id, idLine);
      assert.deepEqual(JSON.parse(statusLine), { datasetId: id, status: 'UNINITIALISED' });
      const post = mock.requests.find((r) => r.method === 'POST');
      assert.equal(post.headers.authorization, `Token ${TOKEN}`);
    });

    test('plain output is exactly the id and a newline, stderr empty', async () => {
      const result = await run(['create', '--name=Reviews', '--workspace=ws-1']);
      assertClean(result);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
      assert.equal(result.stderr, '');
    });

    test('--schema makes a V4 dataset; --json prints the whole object on one line', async () => {
      const result = await run(['create', '--json', '--name', 'Typed', '--workspace', 'ws-2', '--schema', join(dir, 'schema.json')]);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.equal(result.stdout.trim().split('\n').length, 1);
      const dataset = JSON.parse(result.stdout);
      assert.match(dataset.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(Object.keys(dataset)[0], 'id');
      assert.equal(dataset.name, 'Typed');
      assert.equal(dataset.workspaceId, 'ws-2');
      assert.equal(dataset.schemaVersion, 4);
      const v3 = JSON.parse((await run(['create', '--json', '--name', 'Plain', '--workspace', 'ws-2'])).stdout);
      assert.equal(v3.schemaVersion, 3);
    });

    test('a schema file that is missing, not JSON or not an object: exit 2, nothing sent', async () => {
      const cases = [
        [join(dir, 'no-such-schema.json'), /cannot read the schema file .*no such file/],
        [file('bad-schema.json', '{"fields": [}'), /is not valid JSON/],
        [file('array-schema.json', '[{"name": "text"}]'), /must hold a JSON object, not an array/],
        [file('null-schema.json', 'null'), /must hold a JSON object, not null/],
        [file('string-schema.json', '"text"'), /must hold a JSON object, not a string/],
        [dir, /cannot read the schema file/],
      ];
      const before = mock.requests.length;
      for (const [schema, reason] of cases) {
        assertUsage(await run(['create', '--name', 'n', '--workspace', 'w', '--schema', schema]), reason, 'create');
      }
      assert.equal(mock.requests.length, before);
    });

    test('missing or bad flags: exit 2 with the reason, nothing sent', async () => {
      const cases = [
        [[], /create needs --name and --workspace .*prolific-dataset-status -- create/],
        [['--workspace', 'w'], /create needs --name/],
        [['--name', 'n'], /create needs --workspace/],
        [['--name', '', '--workspace', 'w'], /--name needs a value/],
        [['--name', 'n', '--workspace'], /--workspace needs a value/],
        [['--name', 'n', '--workspace', 'w', 'extra'], /create takes no arguments/],
        [['--name', 'n', '--workspace', 'w', '--wait'], /unknown option --wait/],
        [['--name', 'n', '--workspace', 'w', '--token', TOKEN], /PROLIFIC_TOKEN/],
        [['--name', 'n', '--workspace', 'w', '--json=yes'], /--json takes no value/],
      ];
      const before = mock.requests.length;
      for (const [args, reason] of cases) assertUsage(await run(['create', ...args]), reason, 'create');
      assert.equal(mock.requests.length, before);
    });

    test('no token with the default base URL: exit 2', async () => {
      const result = await run(['create', '--name', 'n', '--workspace', 'w'], childEnv({}));
      assertUsage(result, /PROLIFIC_TOKEN_FILE/, 'create');
      assert.doesNotMatch(result.stderr, /options\.token/);
    });

    test('an API failure: exit 1, the reason on stderr, an error object with --json', async () => {
      const baseUrl = `${mock.url}/broken`;
      const plain = await run(['create', '--name', 'n', '--workspace', 'w', '--base-url', baseUrl]);
      assertClean(plain);
      assert.equal(plain.code, 1);
      assert.equal(plain.stdout, '');
      assert.match(plain.stderr, /^prolific-dataset-status: creating dataset "n": .*404/);
      const json = await run(['create', '--json', '--name', 'n', '--workspace', 'w', '--base-url', baseUrl]);
      assertClean(json);
      assert.equal(json.code, 1);
      const { error } = JSON.parse(json.stdout);
      assert.equal(error.name, 'ProlificApiError');
      assert.equal(error.httpStatus, 404);
    });

    test('create --help shows its own usage', async () => {
      for (const flag of ['--help', '-h']) {
        const result = await run(['create', flag]);
        assert.equal(result.code, 0);
        assert.match(result.stdout, /^Usage: prolific-dataset-status create --name <name> --workspace <workspaceId>/);
        assert.match(result.stdout, /--schema <file\.json>/);
        assert.match(result.stdout, /Examples:/);
        assert.equal(result.stderr, '');
      }
    });
  });

  describe('upload', () => {
    test('V4 without --wait: prints the dataset, the import id and the bytes', async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const path = file('reviews.jsonl', GOOD_JSONL);
      const uploadsBefore = mock.uploads.length;
      const result = await run(['upload', path, '--dataset', id]);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      const out = fields(result.stdout);
      assert.equal(out.dataset, id);
      assert.match(out.import, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(out.file, 'reviews.jsonl');
      assert.equal(out.bytes, String(GOOD_JSONL.length));
      assert.equal(out.status, undefined);
      assert.equal(mock.uploads.length, uploadsBefore + 1);
      assert.equal(mock.uploads.at(-1).bytes, GOOD_JSONL.length);
      // The file's base name is what the upload URL is asked for.
      assert.ok(mock.requests.some((r) => r.path.endsWith(`/datasets/${id}/upload-url/reviews.jsonl`)));
    });

    test('V3 without --wait, --json: one object, no import id', async () => {
      const id = await create();
      const result = await run(['upload', '--json', '--dataset', id, file('plain.csv', GOOD_CSV)]);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { datasetId: id, filename: 'plain.csv', bytes: GOOD_CSV.length });
    });

    test('--wait, V4 complete: exit 0, status and count on stdout, stderr empty', async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const result = await run(['upload', file('complete.jsonl', GOOD_JSONL), '--dataset', id, '--wait', '--interval', '0.02']);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      const out = fields(result.stdout);
      assert.equal(out.status, 'complete');
      assert.equal(out.accepted, '3');
      assert.match(out.import, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    });

    test('--wait, V4 partial: exit 0, counts and record errors on stderr', async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const result = await run(['upload', file('partial.jsonl', PARTIAL_JSONL), '--dataset', id, '--wait', '--interval', '0.02']);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      const out = fields(result.stdout);
      assert.equal(out.status, 'partial');
      assert.equal(out.accepted, '2');
      assert.equal(out.rejected, '2');
      const lines = result.stderr.trim().split('\n');
      assert.match(lines[0], new RegExp(`dataset "${id}", import "${out.import}": .*2 records accepted, 2 rejected`));
      assert.deepEqual(lines.slice(1), ['  record 2: The line is not valid JSON.', '  record 3: The record is not a JSON object.']);
    });

    test('--wait, V4 partial with many bad records: the first 10 errors, then how many more', async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const content = `{"text":"ok"}\n${Array.from({ length: 13 }, (_, i) => `bad ${i}`).join('\n')}\n`;
      const result = await run(['upload', file('many.jsonl', content), '--dataset', id, '--wait', '--interval', '0.02', '--json']);
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      const job = JSON.parse(result.stdout);
      assert.equal(job.status, 'partial');
      assert.equal(job.acceptedCount, 1);
      assert.equal(job.rejectedCount, 13);
      assert.equal(job.errors.length, 13);
      const lines = result.stderr.trim().split('\n');
      assert.match(lines[0], /1 record accepted, 13 rejected\. Record errors \(first 10\):/);
      assert.equal(lines.filter((line) => /^ {2}record \d+:/.test(line)).length, 10);
      assert.equal(lines.at(-1), '  (3 more)');
    });

    test('--wait, V4 failed: exit 3, the reason on stderr', async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const result = await run(['upload', file('failed.jsonl', FAILED_JSONL), '--dataset', id, '--wait', '--interval', '0.02']);
      assertClean(result);
      assert.equal(result.code, 3);
      assert.equal(fields(result.stdout).status, 'failed');
      assert.match(result.stderr, /the import failed: The file could not be parsed: no valid record\./);
    });

    test('--wait, V4 pending_schema: exit 3, explained on stderr; --json has the status', async () => {
      const id = await create('--schema', join(dir, 'empty-schema.json'));
      const result = await run(['upload', file('pending.jsonl', GOOD_JSONL), '--dataset', id, '--wait', '--interval', '0.02', '--json']);
      assertClean(result);
      assert.equal(result.code, 3);
      const job = JSON.parse(result.stdout);
      assert.equal(job.datasetId, id);
      assert.equal(job.status, 'pending_schema');
      assert.match(result.stderr, /pending_schema/);
      assert.match(result.stderr, /schema/);
    });

    test('--wait, V3: READY exits 0, ERROR exits 3', async () => {
      const id = await create();
      const ready = await run(['upload', file('ready.csv', GOOD_CSV), '--dataset', id, '--wait', '--interval', '0.02']);
      assertClean(ready);
      assert.equal(ready.code, 0, ready.stderr);
      assert.equal(ready.stderr, '');
      const out = fields(ready.stdout);
      assert.deepEqual(out, { dataset: id, file: 'ready.csv', bytes: String(GOOD_CSV.length), status: 'READY' });

      const other = await create();
      const error = await run(['upload', file('error.csv', 'text\nFAIL\n'), '--dataset', other, '--wait', '--interval', '0.02', '--json']);
      assertClean(error);
      assert.equal(error.code, 3);
      assert.deepEqual(JSON.parse(error.stdout), { datasetId: other, filename: 'error.csv', bytes: 10, status: 'ERROR' });
      assert.match(error.stderr, new RegExp(`dataset "${other}": processing failed \\(status ERROR\\)`));
    });

    test('a tiny --timeout: exit 4, what was uploaded still printed', async () => {
      const slow = await startMockProlific({ token: TOKEN, timeScale: 1 });
      try {
        const slowEnv = childEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: slow.url });
        const created = await run(['create', '--name', 'n', '--workspace', 'w'], slowEnv);
        const id = created.stdout.trim();
        const result = await run(['upload', file('slow.csv', GOOD_CSV), '--dataset', id, '--wait', '--interval', '0.05',
          '--timeout', '0.5'], slowEnv);
        assertClean(result);
        assert.equal(result.code, 4, result.stderr);
        // Ended by the timeout, before processing (2 s) was done: the last status was PROCESSING.
        assert.deepEqual(fields(result.stdout), { dataset: id, file: 'slow.csv', bytes: String(GOOD_CSV.length) });
        assert.match(result.stderr, /not done after 0\.5 s \(--timeout\) \(last status PROCESSING\)/);
        assert.match(result.stderr, new RegExp(`prolific-dataset-status --wait ${id}`));

        const json = await run(['upload', file('slow2.csv', GOOD_CSV), '--dataset', id, '--wait', '--timeout', '0.3', '--json'], slowEnv);
        assertClean(json);
        assert.equal(json.code, 4);
        const line = JSON.parse(json.stdout);
        assert.equal(line.datasetId, id);
        assert.equal(line.error.name, 'TimeoutError');
        assert.deepEqual(slow.tokenLeaks, []);
      } finally {
        await slow.close();
      }
    });

    test('an unknown dataset: exit 1, says to check --dataset, nothing uploaded', async () => {
      const uploadsBefore = mock.uploads.length;
      const result = await run(['upload', file('orphan.csv', GOOD_CSV), '--dataset', 'no-such-dataset', '--wait']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /dataset "no-such-dataset": requesting the upload URL: .*404.*Check --dataset/);
      assert.equal(mock.uploads.length, uploadsBefore);
      const json = await run(['upload', join(dir, 'orphan.csv'), '--dataset', 'no-such-dataset', '--json']);
      assert.equal(json.code, 1);
      const line = JSON.parse(json.stdout);
      assert.deepEqual([line.datasetId, line.filename, line.error.httpStatus], ['no-such-dataset', 'orphan.csv', 404]);
    });

    test('a file type the V3 dataset does not take: exit 1, the API said 400', async () => {
      const id = await create();
      const result = await run(['upload', file('typed.jsonl', GOOD_JSONL), '--dataset', id, '--wait']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /HTTP 400 Invalid file type: Supported file types: \.csv, \.zip\./);
      assert.match(result.stderr, /Check the file type/);
    });

    test('usage errors: exit 2 before anything is sent', async () => {
      const id = await create();
      const big = join(dir, 'big.csv');
      writeFileSync(big, '');
      truncateSync(big, MAX_UPLOAD_BYTES + 1); // sparse: refused by its size, never read
      const fifo = join(dir, 'pipe.csv');
      execFileSync('mkfifo', [fifo]);
      const cases = [
        [[join(dir, 'missing.csv'), '--dataset', id], /cannot read ".*missing\.csv": no such file/],
        [[dir, '--dataset', id], /it is a directory/],
        [[join(dir, 'schema.json', 'x.csv'), '--dataset', id], /cannot read ".*x\.csv": a part of the path is not a directory/],
        [[big, '--dataset', id], new RegExp(`is ${MAX_UPLOAD_BYTES + 1} bytes; the largest upload is ${MAX_UPLOAD_BYTES} bytes`)],
        // Not regular files: /dev/zero would be read until memory runs out, a FIFO blocks for ever.
        [['/dev/zero', '--dataset', id], /"\/dev\/zero" is not a regular file/],
        [[fifo, '--dataset', id], /is not a regular file/],
        [[file('no-dataset.csv', GOOD_CSV)], /upload needs --dataset/],
        [[file('empty-dataset.csv', GOOD_CSV), '--dataset', ''], /--dataset needs a value/],
        [['--dataset', id], /upload needs a file/],
        [[], /upload needs a file and --dataset .*prolific-dataset-status -- upload/],
        [[join(dir, 'a.csv'), join(dir, 'b.csv'), '--dataset', id], /upload takes one file, not 2/],
        [[join(dir, 'no-dataset.csv'), '--dataset', id, '--timeout', '0'], /--timeout/],
        [[join(dir, 'no-dataset.csv'), '--dataset', id, '--interval', 'soon'], /--interval/],
        [[join(dir, 'no-dataset.csv'), '--dataset', id, '--name', 'x'], /unknown option --name/],
        [[join(dir, 'no-dataset.csv'), '--dataset', id, '--token', TOKEN], /PROLIFIC_TOKEN/],
      ];
      const requestsBefore = mock.requests.length;
      const uploadsBefore = mock.uploads.length;
      for (const [args, reason] of cases) assertUsage(await run(['upload', ...args]), reason, 'upload');
      assertUsage(await run(['upload', join(dir, 'no-dataset.csv'), '--dataset', id], childEnv({})), /PROLIFIC_TOKEN/, 'upload');
      assertUsage(await run(['upload', join(dir, 'no-dataset.csv'), '--dataset', id, '--base-url', 'ftp://example.com']),
        /base URL/, 'upload');
      assert.equal(mock.requests.length, requestsBefore);
      assert.equal(mock.uploads.length, uploadsBefore);
    });

    test('an unreadable file: exit 2', { skip: (process.getuid?.() === 0) && 'root reads every file' }, async () => {
      const path = file('secret.csv', GOOD_CSV);
      chmodSync(path, 0o000);
      assertUsage(await run(['upload', path, '--dataset', 'any']), /cannot read ".*secret\.csv": permission denied/, 'upload');
    });

    test('-- ends flags: a file whose name starts with "-"', async () => {
      const id = await create();
      file('-dash.csv', GOOD_CSV);
      const result = await start(['upload', '--dataset', id, '--', '-dash.csv'], env, { cwd: dir }).done;
      assertClean(result);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(fields(result.stdout).file, '-dash.csv');
    });

    test('SIGINT while waiting: "Interrupted", exit 130', async () => {
      const slow = await startMockProlific({ token: TOKEN, timeScale: 1 });
      try {
        const slowEnv = childEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: slow.url });
        const id = (await run(['create', '--name', 'n', '--workspace', 'w'], slowEnv)).stdout.trim();
        const { child, done } = start(['upload', file('interrupted.csv', GOOD_CSV), '--dataset', id, '--wait', '--interval', '0.05'], slowEnv);
        const waitStart = Date.now();
        while (!slow.requests.some((r) => r.path.endsWith('/status'))) {
          assert.ok(Date.now() - waitStart < 10000, 'the CLI never polled');
          await sleep(20);
        }
        child.kill('SIGINT');
        const result = await done;
        assertClean(result);
        assert.equal(result.code, 130);
        assert.equal(result.stderr.trim(), 'Interrupted');
        assert.equal(result.stdout, '');
      } finally {
        await slow.close();
      }
    });

    test('on a TTY, stderr shows the stages and is cleared before the result', { skip: !hasScript() && 'needs util-linux script' }, async () => {
      const id = await create('--schema', join(dir, 'schema.json'));
      const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
      const command = [process.execPath, CLI, 'upload', file('tty.jsonl', GOOD_JSONL), '--dataset', id, '--wait', '--interval', '0.02']
        .map(quote).join(' ');
      const result = await new Promise((resolve) => {
        const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => { output += chunk; });
        child.on('close', (code) => resolve({ code, output }));
      });
      assert.equal(result.code, 0);
      assert.match(result.output, /\r\x1b\[Krequesting upload URL for tty\.jsonl/);
      assert.match(result.output, new RegExp(`\\r\\x1b\\[Kuploading ${GOOD_JSONL.length} bytes`));
      assert.match(result.output, /\r\x1b\[Kprocessing/);
      assert.ok(result.output.indexOf('dataset ') > result.output.lastIndexOf('processing'));
      assert.match(result.output, /status\s+complete/);
      assert.ok(!result.output.includes(TOKEN));
    });

    test('upload --help shows its own usage', async () => {
      for (const flag of ['--help', '-h']) {
        const result = await run(['upload', flag]);
        assert.equal(result.code, 0);
        assert.match(result.stdout, /^Usage: prolific-dataset-status upload <file> --dataset <datasetId>/);
        assert.match(result.stdout, /--wait/);
        assert.match(result.stdout, /pending_schema/);
        assert.match(result.stdout, /Examples:/);
        assert.equal(result.stderr, '');
      }
    });
  });

  describe('the status command around the subcommands', () => {
    test('--help lists create and upload with examples', async () => {
      const result = await run(['--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Usage: prolific-dataset-status \[options\] <datasetId\.\.\.>\n {7}prolific-dataset-status show /);
      assert.match(result.stdout, /\n {7}prolific-dataset-status create /);
      assert.match(result.stdout, /prolific-dataset-status upload <file> --dataset <datasetId>/);
      assert.match(result.stdout, /prolific-dataset-status -- create/);
      assert.match(result.stdout, /id=\$\(prolific-dataset-status create /);
    });

    test('-- first reads datasets literally named "create" and "upload"', async () => {
      mock.setHandler('create', (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"READY"}');
      });
      try {
        const result = await run(['--', 'create', 'upload']);
        assertClean(result);
        assert.equal(result.code, 1);
        assert.match(result.stdout, /^DATASET\s+STATUS\ncreate\s+READY\nupload\s+error: HTTP 404/);
        assert.ok(mock.requests.some((r) => r.path.endsWith('/datasets/create/status')));
      } finally {
        mock.setHandler('create', null);
      }
    });

    test('"create" or "upload" after other arguments is a dataset id', async () => {
      const result = await run(['--json', 'create']);
      assertClean(result);
      assert.equal(result.code, 1);
      assert.equal(JSON.parse(result.stdout).datasetId, 'create');
    });
  });
});

/** Whether a POSIX shell is there for the command-substitution test. */
function hasSh() {
  return spawnSync('sh', ['-c', 'true'], { stdio: 'ignore' }).status === 0;
}
