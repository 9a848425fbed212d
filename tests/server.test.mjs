// The dashboard server (`prolific-dataset-status serve`, src/server/) as real processes, in front of
// real HTTP servers on 127.0.0.1: host names, Basic auth, the token file, refusals at start,
// redaction of compressed answers, duplicate Host headers, /healthz, coalesced reads, the access log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { checkClientOptions } from '../src/js/node.js';
import { parseServeArgs } from '../src/server/cli.js';
import { get, rawRequest, runServeToEnd, serverEnv, startServeProcess } from './support/serve-process.mjs';

const TOKEN = 'Tok-Secret-7f3a9c';
const STATUS = (id) => `/api/v1/data-collection/datasets/${id}/status`;

/**
 * A hostile upstream: answers every status read with the Authorization it got echoed back, plain,
 * gzip-encoded, brotli-encoded or in an encoding nobody decodes; counts reads per path.
 */
async function startEchoUpstream() {
  const reads = new Map();
  const authorizations = [];
  const server = http.createServer((req, res) => {
    reads.set(req.url, (reads.get(req.url) ?? 0) + 1);
    authorizations.push(req.headers.authorization);
    const echoed = req.headers.authorization ?? '';
    const body = Buffer.from(JSON.stringify({ status: 'PROCESSING', note: `you sent ${echoed}` }));
    const id = req.url.split('/')[5];
    const send = (encoding, bytes) => {
      res.writeHead(200, { 'Content-Type': 'application/json', ...(encoding ? { 'Content-Encoding': encoding } : {}) });
      res.end(bytes);
    };
    if (id === 'gzip') send('gzip', gzipSync(body));
    else if (id === 'br') send('br', brotliCompressSync(body));
    else if (id === 'compress') send('compress', body);
    else if (id === 'utf16') send(null, Buffer.from(body.toString('utf8'), 'utf16le'));
    else if (id === 'slow') setTimeout(() => send(null, body), 300);
    else send(null, body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    reads,
    authorizations,
    total: () => [...reads.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

let dir;
let upstream;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'serve-process-test-'));
  upstream = await startEchoUpstream();
});
after(async () => {
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve: host names', () => {
  test('--allowed-host status.example answers that name (any port) and 421 to other names, naming the option', async () => {
    const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0', '--allowed-host', 'status.example']);
    try {
      for (const host of ['status.example', 'status.example:443', 'STATUS.EXAMPLE', `127.0.0.1:${server.port}`]) {
        assert.equal((await get(server.port, '/', { Host: host })).status, 200, host);
      }
      const api = await get(server.port, STATUS('status-READY'), { Host: 'status.example' });
      assert.equal(api.status, 200);
      assert.equal(JSON.parse(api.body).status, 'READY');
      for (const host of ['other.example', `evil.example:${server.port}`, 'status.example.evil.example']) {
        const refused = await get(server.port, STATUS('status-READY'), { Host: host });
        assert.equal(refused.status, 421, host);
        assert.match(refused.body, /--allowed-host/);
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test('two Host headers are a 400, whatever they name', async () => {
    const server = await startServeProcess(['--port', '0', '--allowed-host', 'status.example']);
    try {
      const answer = await rawRequest(server.port,
        `GET ${STATUS('status-READY')} HTTP/1.1\r\nHost: status.example\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /);
      const single = await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: status.example\r\nConnection: close\r\n\r\n`);
      assert.match(single, /^HTTP\/1\.1 200 /);
    } finally {
      await server.stop();
    }
  });

  test('on every interface, IP addresses with its port are answered and names are not', async () => {
    const server = await startServeProcess(['--host', '0.0.0.0', '--port', '0']);
    try {
      assert.equal((await get(server.port, '/', { Host: `192.0.2.7:${server.port}` })).status, 200);
      assert.equal((await get(server.port, '/', { Host: `127.0.0.1:${server.port}` })).status, 200);
      assert.equal((await get(server.port, '/', { Host: `status.example:${server.port}` })).status, 421);
      assert.match(server.output(), /warning: listening on 0\.0\.0\.0 without Basic auth/);
    } finally {
      await server.stop();
    }
  });
});

describe('serve: Basic auth', () => {
  test('the page and /api/ need the credentials of the file; /healthz does not; the log holds none', async () => {
    const file = path.join(dir, 'users');
    await writeFile(file, '# viewers\nviewer:s3cret-Pass\nlab:other-Pass\n');
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ DASHBOARD_BASIC_AUTH_FILE: file }) });
    const basic = (pair) => `Basic ${Buffer.from(pair).toString('base64')}`;
    const host = `127.0.0.1:${server.port}`;
    try {
      for (const target of ['/', STATUS('status-READY'), '/server.json']) {
        const refused = await get(server.port, target, { Host: host });
        assert.equal(refused.status, 401, target);
        assert.match(refused.headers['www-authenticate'], /^Basic realm="[^"]+"/);
        assert.equal((await get(server.port, target, { Host: host, Authorization: basic('viewer:wrong') })).status, 401);
        assert.equal((await get(server.port, target, { Host: host, Authorization: basic('viewer:s3cret-Pas') })).status, 401);
        assert.equal((await get(server.port, target, { Host: host, Authorization: 'Bearer x' })).status, 401);
        assert.equal((await get(server.port, target, { Host: host, Authorization: basic('viewer:s3cret-Pass') })).status, 200);
        assert.equal((await get(server.port, target, { Host: host, Authorization: basic('lab:other-Pass') })).status, 200);
      }
      const health = await get(server.port, '/healthz', { Host: host });
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { ok: true });
    } finally {
      await server.stop();
    }
    const log = server.output();
    assert.match(log, /GET \/ 401/);
    assert.match(log, /GET \/api\/v1\/data-collection\/datasets\/status-READY\/status 200/);
    for (const secret of ['s3cret', 'other-Pass', Buffer.from('viewer:s3cret-Pass').toString('base64'), 'mock-token']) {
      assert.ok(!log.includes(secret), `the log holds ${secret}`);
    }
  });

  test('credentials from DASHBOARD_BASIC_AUTH; a bad entry or an unreadable file stops the start (exit 2)', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ DASHBOARD_BASIC_AUTH: 'ann:pw-1' }) });
    try {
      const host = `127.0.0.1:${server.port}`;
      assert.equal((await get(server.port, '/', { Host: host })).status, 401);
      assert.equal((await get(server.port, '/', { Host: host, Authorization: `Basic ${Buffer.from('ann:pw-1').toString('base64')}` })).status, 200);
    } finally {
      await server.stop();
    }
    const bad = await runServeToEnd(['--port', '0'], { env: serverEnv({ DASHBOARD_BASIC_AUTH: 'no-colon-secret' }) });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /DASHBOARD_BASIC_AUTH: entry 1 is not "user:password"/);
    assert.ok(!bad.stderr.includes('no-colon-secret'));
    const missing = await runServeToEnd(['--port', '0'], { env: serverEnv({ DASHBOARD_BASIC_AUTH_FILE: path.join(dir, 'nope') }) });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read DASHBOARD_BASIC_AUTH_FILE \(ENOENT/);
  });
});

describe('serve: the token', () => {
  test('PROLIFIC_TOKEN_FILE: the token goes upstream and appears in no answer, header or log line', async () => {
    const file = path.join(dir, 'token');
    await writeFile(file, `${TOKEN}\n`);
    const server = await startServeProcess(['--port', '0', '--coalesce', '0'],
      { env: serverEnv({ PROLIFIC_TOKEN_FILE: file, PROLIFIC_URL: upstream.url }) });
    const host = `127.0.0.1:${server.port}`;
    try {
      assert.match(server.stdout(), new RegExp(`API: ${upstream.url.replace(/[.]/g, '\\.')} \\(token added`));
      const before = upstream.authorizations.length;
      for (const id of ['plain', 'gzip', 'br']) {
        const answer = await get(server.port, STATUS(id), { Host: host, 'Accept-Encoding': 'gzip, br' });
        assert.equal(answer.status, 200, id);
        assert.equal(answer.headers['content-encoding'], undefined, id);
        const body = JSON.parse(answer.body);
        assert.equal(body.status, 'PROCESSING', id);
        assert.equal(body.note, 'you sent Token [REDACTED]', id);
        assert.ok(!JSON.stringify(answer).toLowerCase().includes(TOKEN.toLowerCase()), id);
      }
      assert.deepEqual(upstream.authorizations.slice(before), Array(3).fill(`Token ${TOKEN}`));
      const info = JSON.parse((await get(server.port, '/server.json', { Host: host })).body);
      assert.deepEqual(info, { api: 'prolific', upstream: upstream.url });
    } finally {
      await server.stop();
    }
    assert.ok(!server.output().includes(TOKEN), 'the output holds the token');
    assert.equal(server.stdout().split('\n').filter((line) => / GET \/api\//.test(line)).length, 3);
  });

  test('an upstream answer in an encoding the server does not decode is a 502, not forwarded', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url }) });
    try {
      const answer = await get(server.port, STATUS('compress'), { Host: `127.0.0.1:${server.port}` });
      assert.equal(answer.status, 502);
      assert.match(JSON.parse(answer.body).error.detail, /content encoding/);
      assert.ok(!answer.body.includes(TOKEN));
    } finally {
      await server.stop();
    }
  });

  test('an upstream answer in UTF-16 (the token between NUL bytes, where redaction cannot see it) is a 502', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url }) });
    try {
      const answer = await get(server.port, STATUS('utf16'), { Host: `127.0.0.1:${server.port}` });
      assert.equal(answer.status, 502);
      assert.match(JSON.parse(answer.body).error.detail, /not UTF-8/);
      assert.ok(!answer.body.replaceAll('\0', '').includes(TOKEN));
    } finally {
      await server.stop();
    }
  });

  test('plain http to x.localhost (or another non-loopback host) with a token is refused at start, exit 2', async () => {
    for (const url of ['http://x.localhost:9', 'http://api.localhost', 'http://0.0.0.0:9', 'http://example.com']) {
      const run = await runServeToEnd(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: url }) });
      assert.equal(run.code, 2, url);
      assert.match(run.stderr, /refusing to send the token over plain http/, url);
      assert.ok(!(run.stdout + run.stderr).includes(TOKEN), url);
    }
    const both = await runServeToEnd(['--port', '0'],
      { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_TOKEN_FILE: path.join(dir, 'token') }) });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /set PROLIFIC_TOKEN or PROLIFIC_TOKEN_FILE, not both/);
    const badToken = await runServeToEnd(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: 'a b\u00e9' }) });
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /cannot go in an HTTP header/);
  });

  test('checkClientOptions applies the library rules and sends nothing', async () => {
    const before = upstream.total();
    assert.deepEqual(await checkClientOptions({ token: TOKEN, baseUrl: upstream.url }), { baseUrl: upstream.url, hasToken: true });
    assert.deepEqual(await checkClientOptions({ baseUrl: 'http://proxy.example' }), { baseUrl: 'http://proxy.example', hasToken: false });
    for (const baseUrl of ['http://x.localhost:1', 'http://0.0.0.0:1', 'ftp://a', 'http://127.1']) {
      await assert.rejects(checkClientOptions({ token: TOKEN, baseUrl }), TypeError, baseUrl);
    }
    await assert.rejects(checkClientOptions({ baseUrl: 'https://api.prolific.com' }), /no token/);
    await assert.rejects(checkClientOptions({ token: TOKEN, bogus: 1 }), /unknown option/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(upstream.total(), before, 'nothing was sent');
  });
});

describe('serve: upstream reads', () => {
  test('/healthz answers without touching upstream, even when upstream is down', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: 'http://127.0.0.1:9' }) });
    try {
      const health = await get(server.port, '/healthz', { Host: `localhost:${server.port}` });
      assert.equal(health.status, 200);
      const down = await get(server.port, STATUS('x'), { Host: `localhost:${server.port}` });
      assert.equal(down.status, 502);
    } finally {
      await server.stop();
    }
  });

  test('concurrent and repeated reads of one dataset within the window are one upstream read', async () => {
    const server = await startServeProcess(['--port', '0', '--coalesce', '30', '--quiet'],
      { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url }) });
    const host = `127.0.0.1:${server.port}`;
    try {
      const answers = await Promise.all(Array.from({ length: 25 }, () => get(server.port, STATUS('slow'), { Host: host })));
      assert.ok(answers.every((answer) => answer.status === 200 && JSON.parse(answer.body).status === 'PROCESSING'));
      const again = await get(server.port, STATUS('slow'), { Host: host });
      assert.equal(again.status, 200);
      assert.equal(upstream.reads.get(STATUS('slow')), 1);
      await get(server.port, STATUS('other-1'), { Host: host });
      assert.equal(upstream.reads.get(STATUS('other-1')), 1, 'another dataset is its own read');
    } finally {
      await server.stop();
    }
    assert.equal(server.stdout().split('\n').filter((line) => / GET /.test(line)).length, 0, '--quiet logs nothing');
  });
});

describe('serve: access log', () => {
  test('a viewer that leaves before the answer still gets its line, marked closed', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url }) });
    try {
      await new Promise((resolve) => {
        const request = http.get({ host: '127.0.0.1', port: server.port, path: STATUS('slow'), agent: false });
        request.on('error', resolve);
        setTimeout(() => { request.destroy(); resolve(); }, 50);
      });
      const line = new RegExp(` GET ${STATUS('slow').replace(/[/.]/g, '\\$&')} closed 0 `);
      for (let i = 0; i < 100 && !line.test(server.stdout()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(server.stdout(), line);
    } finally {
      await server.stop();
    }
  });

  test('a delivered answer is logged with the viewer address, its status and the body bytes sent', async () => {
    const server = await startServeProcess(['--port', '0'], { env: serverEnv({ PROLIFIC_TOKEN: TOKEN, PROLIFIC_URL: upstream.url }) });
    const host = `127.0.0.1:${server.port}`;
    // Like curl: hang up the moment the whole body (Content-Length bytes) is in.
    const fetchAndHangUp = (path) => new Promise((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`));
      let answer = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        answer = Buffer.concat([answer, chunk]);
        const end = answer.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(answer.subarray(0, end).toString('latin1'));
        if (end >= 0 && length && answer.length - end - 4 >= Number(length[1])) {
          socket.destroy();
          resolve(Number(length[1]));
        }
      });
      socket.on('error', reject);
    });
    try {
      const sizes = {};
      for (let i = 0; i < 5; i++) {
        for (const path of ['/index.html', '/', '/style.css', STATUS('status-READY')]) sizes[path] = await fetchAndHangUp(path);
      }
      const api = await get(server.port, STATUS('other-2'), { Host: host });
      assert.equal(api.status, 200);
      const expected = Object.entries(sizes).map(([path, size]) => ` GET ${path} 200 ${size} `)
        .concat(` GET ${STATUS('other-2')} 200 ${Buffer.byteLength(api.body, 'latin1')} `);
      const logged = () => server.stdout().split('\n').filter((line) => / GET /.test(line));
      for (let i = 0; i < 100 && logged().length < 21; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const lines = logged();
      assert.equal(lines.length, 21, lines.join('\n'));
      for (const line of lines) {
        assert.match(line, /^\S+ 127\.0\.0\.1 GET /, line);
        assert.ok(expected.some((part) => line.includes(part)), `unexpected line: ${line}`);
        assert.doesNotMatch(line, / (closed|200 0) /, line);
      }
    } finally {
      await server.stop();
    }
  });
});

describe('serve: arguments', () => {
  test('usage errors exit 2 before anything starts; PORT is the default port; --help exits 0', async () => {
    for (const args of [['--bogus'], ['--port', 'x'], ['--port', '70000'], ['extra'], ['--coalesce', '-1'], ['--upstream-rate', '0']]) {
      const run = await runServeToEnd(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^prolific-dataset-status serve: /, args.join(' '));
    }
    const help = await runServeToEnd(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--allowed-host <name>/);
    const server = await startServeProcess([], { env: serverEnv({ PORT: '0' }) });
    assert.ok(server.port > 0);
    await server.stop();
  });

  test('npm start --port N without "--" gets a hint instead of a server on another port', async () => {
    const script = fileURLToPath(new URL('../scripts/serve.mjs', import.meta.url));
    // What npm does with `npm start --port 9123`: npm_config_port=true, and 9123 as a bare argument.
    const run = await new Promise((resolve) => {
      const child = spawn(process.execPath, [script, '9123'], {
        env: serverEnv({ npm_config_port: 'true', npm_lifecycle_event: 'start' }), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /npm start -- --port 9123/);
  });
});

describe('README: Host it for your team', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('## Host it for your team'), readme.indexOf('\n## ', readme.indexOf('## Host it for your team') + 5));

  test('every serve command line of the section is accepted by the command', () => {
    const lines = section.split('\n').filter((line) => /prolific-dataset-status serve( |$)/.test(line) && !line.includes('--help'));
    assert.ok(lines.length >= 2, 'no serve command found');
    for (const line of lines) {
      const args = line.split('prolific-dataset-status serve')[1].trim().split(/\s+/).filter(Boolean);
      assert.doesNotThrow(() => parseServeArgs(args, {}), line);
    }
  });

  test('the systemd unit runs: its environment and ExecStart serve the page to status.lab.example behind Basic auth', async () => {
    const unit = /```ini\n([\s\S]*?)```/.exec(section)[1];
    const environment = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=%d\/(\w+)$/gm)].map(([, name, file]) => [name, path.join(dir, `unit-${file}`)]));
    assert.deepEqual(Object.keys(environment).sort(), ['DASHBOARD_BASIC_AUTH_FILE', 'PROLIFIC_TOKEN_FILE']);
    await writeFile(environment.PROLIFIC_TOKEN_FILE, `${TOKEN}\n`);
    await writeFile(environment.DASHBOARD_BASIC_AUTH_FILE, 'ann:unit-pass\n');
    const args = /^ExecStart=.*prolific-dataset-status serve (.*)$/m.exec(unit)[1].split(/\s+/)
      .map((arg, i, all) => (all[i - 1] === '--port' ? '0' : arg));
    const server = await startServeProcess(args, { env: serverEnv({ ...environment, PROLIFIC_URL: upstream.url }) });
    try {
      const auth = `Basic ${Buffer.from('ann:unit-pass').toString('base64')}`;
      assert.equal((await get(server.port, '/', { Host: 'status.lab.example', Authorization: auth })).status, 200);
      assert.equal((await get(server.port, '/', { Host: 'status.lab.example' })).status, 401);
      const health = await get(server.port, '/healthz', { Host: `127.0.0.1:${server.port}` });
      assert.equal(health.body, '{"ok":true}');
    } finally {
      await server.stop();
    }
  });
});
