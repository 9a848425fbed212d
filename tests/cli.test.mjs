// Tests for src/js/cli.js: the real CLI runs as a child process against the mock Prolific API on
// 127.0.0.1. The token and URL are set in the child's environment only.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { startMockProlific } from '../scripts/mock-prolific.mjs';

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
function start(args, env) {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('prolific-dataset-status CLI', () => {
  let mock;
  /** Environment pointing at the mock with the right token. */
  let env;
  /** Runs the CLI to its end with `env` (or `customEnv`). */
  const run = (args, customEnv = env) => start(args, customEnv).done;

  /** Asserts the common promises of every run: no stack trace, no token anywhere. */
  const assertClean = (result) => {
    assert.doesNotMatch(result.stderr, STACK_LINE);
    assert.ok(!result.stdout.includes(TOKEN), 'token in stdout');
    assert.ok(!result.stderr.includes(TOKEN), 'token in stderr');
  };

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

    test('--json leaves httpStatus out when the error has none', async () => {
      const result = await run(['--json', '--timeout=0.2', 'slow-headers']);
      assertClean(result);
      assert.equal(result.code, 4);
      const line = JSON.parse(result.stdout);
      assert.equal(line.datasetId, 'slow-headers');
      assert.deepEqual(Object.keys(line.error).sort(), ['message', 'name']);
      assert.equal(line.error.name, 'TimeoutError');
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

    test('at most 6 requests in flight', async () => {
      let inFlight = 0;
      let most = 0;
      mock.setHandler('gate', (req, res) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"status":"READY"}');
        }, 40);
      });
      try {
        const result = await run(Array(10).fill('gate'));
        assert.equal(result.code, 0);
        assert.equal(result.stdout.trim().split('\n').length, 11);
        assert.ok(most <= 6 && most >= 2, `at most ${most} in flight`);
      } finally {
        mock.setHandler('gate', null);
      }
    });
  });

  describe('--wait', () => {
    test('waits for every dataset, prints final results in order; an ERROR dataset exits 3', async () => {
      const result = await run(['--wait', '--interval', '0.05', 'demo-ready', 'demo-error', 'status-READY']);
      assertClean(result);
      assert.equal(result.code, 3);
      assert.equal(result.stdout, [
        'DATASET       STATUS',
        'demo-ready    READY',
        'demo-error    ERROR',
        'status-READY  READY',
        '',
      ].join('\n'));
      assert.match(result.stderr, /dataset "demo-error".*ERROR/);
      // Not on a TTY: nothing decorative.
      assert.ok(!result.stderr.includes('\r'));
      assert.doesNotMatch(result.stderr, /elapsed/);
    });

    test('fractional --interval 0.05 is honoured (default would be 2 s)', async () => {
      const result = await run(['--wait', '--interval', '0.05', 'demo-ready']);
      assertClean(result);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, 'DATASET     STATUS\ndemo-ready  READY\n');
      assert.equal(result.stderr, '');
      const polls = mock.requests.filter((r) => r.path.includes('/demo-ready/'));
      assert.ok(polls.length >= 2, `${polls.length} polls`);
      assert.ok(result.ms < 1900, `took ${result.ms} ms`);
    });

    test('--json with --wait: ERROR is a status, not an error', async () => {
      const result = await run(['--wait', '--json', '--interval=0.05', 'demo-error', 'demo-ready']);
      assertClean(result);
      assert.equal(result.code, 3);
      assert.deepEqual(result.stdout.trim().split('\n').map((line) => JSON.parse(line)), [
        { datasetId: 'demo-error', status: 'ERROR' },
        { datasetId: 'demo-ready', status: 'READY' },
      ]);
    });

    test('all READY exits 0 with nothing on stderr', async () => {
      const result = await run(['--wait', 'status-READY', 'flaky-1']);
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
      assert.match(result.stderr, /dataset "demo-new"/);
      assert.ok(result.ms < 5000, `took ${result.ms} ms`);
    });

    test('waits share one limiter: at most 6 requests in flight', async () => {
      let inFlight = 0;
      let most = 0;
      mock.setHandler('gate', (req, res, ctx) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ status: ctx.count > 30 ? 'READY' : 'PROCESSING' }));
        }, 30);
      });
      try {
        const result = await run(['--wait', '--interval', '0.02', ...Array(10).fill('gate')]);
        assertClean(result);
        assert.equal(result.code, 0);
        assert.equal(result.stdout.trim().split('\n').length, 11);
        assert.ok(most <= 6 && most >= 2, `at most ${most} in flight`);
      } finally {
        mock.setHandler('gate', null);
      }
    });

    test('SIGINT aborts, prints "Interrupted", exits 130 without a stack trace', async () => {
      const { child, done } = start(['--wait', '--interval', '0.05', 'demo-new'], env);
      const waitStart = Date.now();
      while (!mock.requests.some((r) => r.path.includes('/demo-new/'))) {
        assert.ok(Date.now() - waitStart < 10000, 'the CLI never polled');
        await sleep(20);
      }
      child.kill('SIGINT');
      const result = await done;
      assertClean(result);
      assert.equal(result.code, 130);
      assert.equal(result.stderr.trim(), 'Interrupted');
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
      assert.match(result.output, /\r\x1b\[K\d\/2 done, \d+ s elapsed/);
      assert.match(result.output, /2\/2 done/);
      assert.match(result.output, /demo-ready\s+READY/);
      // The last progress write is the clearing one, before the table.
      assert.ok(result.output.indexOf('DATASET') > result.output.lastIndexOf('done,'));
      assert.ok(!result.output.includes(TOKEN));
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
      const result = await run(['--wait', '--interval', '0.05', '--timeout', '0.3', 'demo-new', 'http-404']);
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
      assert.match(result.stderr, /PROLIFIC_TOKEN/);
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
