// Redaction that cannot be spelled around, and the retry floor, through the real module against
// real HTTP servers on 127.0.0.1 (local to this file). Delays are checked only from below: a
// retry may not come early; nothing here measures speed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { inspect } from 'node:util';
import {
  getDatasetStatus, waitForDataset, createDataset, loadModuleForDiagnostics,
  ProlificApiError, InvalidResponseError, TimeoutError,
  LIFECYCLE_SKIP, MODULE_VARIANT,
} from './support/entry.mjs';

/**
 * A hostile Prolific API: it answers what `answer(place, token)` says for
 * `/api/v1/data-collection/datasets/<place>/status` (and `place` "create" for the dataset POST),
 * echoing the token it was sent in the Authorization header. Every request is recorded.
 * @param {(place: string, token: string) => { status: number, headers?: object, body: string }} answer
 */
async function startServer(answer) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Token /, '');
    const match = /^\/api\/v1\/data-collection\/datasets\/([^/]+)\/status$/.exec(req.url);
    const place = req.method === 'POST' ? 'create' : match ? decodeURIComponent(match[1]) : '';
    requests.push({ place, time: performance.now() });
    req.resume();
    req.on('end', () => {
      const { status, headers = {}, body } = answer(place, token);
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    requestsFor: (place) => requests.filter((request) => request.place === place),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Every text a caller can see of `value`: message, stack, fields, cause, util.inspect. */
function visibleTexts(value) {
  const texts = [inspect(value, { depth: 5 }), inspect(value, { depth: 5, showHidden: true })];
  const seen = new Set();
  const walk = (item) => {
    if (item === null || item === undefined || seen.has(item)) return;
    if (typeof item !== 'object') { texts.push(String(item)); return; }
    seen.add(item);
    if (item instanceof Error) { texts.push(item.message, item.stack ?? '', String(item)); walk(item.cause); }
    for (const key of Object.getOwnPropertyNames(item)) walk(item[key]);
  };
  walk(value);
  return texts;
}

/** Asserts that no visible text of `value` holds `token`, in any letter case. */
function assertTokenNowhere(value, token, where) {
  const needle = token.toLowerCase();
  for (const text of visibleTexts(value)) {
    assert.ok(!text.toLowerCase().includes(needle), `${where}: token ${JSON.stringify(token)} found in ${text.slice(0, 300)}`);
  }
}

describe('retry floor: a server asking for less than the backoff gets the backoff', () => {
  const pastDate = new Date(Date.UTC(2001, 0, 1)).toUTCString();
  let server;
  before(async () => {
    server = await startServer((place) => ({
      status: 429,
      headers: { 'Retry-After': place.startsWith('past') ? pastDate : '0' },
      body: JSON.stringify({ error: { status: 429, title: 'Too Many Requests', detail: 'Request was throttled.' } }),
    }));
  });
  after(() => server.close());

  test('waitForDataset against an always-429 Retry-After: 0 server sends a handful of requests, not hundreds', async () => {
    const options = { baseUrl: server.url, token: 'floor-token-1234', deadlineMs: 5000 };
    const results = await Promise.all(['zero-wait', 'past-wait'].map((id) => waitForDataset(id, options).catch((error) => error)));
    for (const [index, id] of ['zero-wait', 'past-wait'].entries()) {
      assert.ok(results[index] instanceof TimeoutError, `${id}: ${results[index]}`);
      // Backoff 500 ms ×2 with at most 25 % jitter off: sends at 0, ≥375, ≥1125, ≥2625 ms; the
      // next would come at ≥5625 ms, past the 5 s deadline.
      const sent = server.requestsFor(id);
      assert.ok(sent.length >= 2 && sent.length <= 4, `${id}: ${sent.length} requests in 5 s`);
    }
  });

  test('getDatasetStatus with maxRetries 2 still takes the backoff delays; retryAfterMs is what was asked', async () => {
    for (const id of ['zero-read', 'past-read']) {
      const error = await getDatasetStatus(id, { baseUrl: server.url, token: 'floor-token-1234', maxRetries: 2 })
        .catch((caught) => caught);
      assert.ok(error instanceof ProlificApiError, String(error));
      assert.equal(error.httpStatus, 429);
      assert.equal(error.retryAfterMs, 0);
      const sent = server.requestsFor(id);
      assert.equal(sent.length, 3);
      // 500 × 0.75 and 1000 × 0.75 at least (a few ms of timer slack allowed).
      assert.ok(sent[1].time - sent[0].time >= 370, `${id}: first retry after ${sent[1].time - sent[0].time} ms`);
      assert.ok(sent[2].time - sent[1].time >= 745, `${id}: second retry after ${sent[2].time - sent[1].time} ms`);
    }
  });

  test('lifecycle calls get the floor too (createDataset retries a 429)', { skip: LIFECYCLE_SKIP }, async () => {
    const error = await createDataset({ name: 'n', workspaceId: 'w' },
      { baseUrl: server.url, token: 'floor-token-1234', maxRetries: 1 }).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError, String(error));
    assert.equal(error.retryAfterMs, 0);
    const sent = server.requestsFor('create');
    assert.equal(sent.length, 2);
    assert.ok(sent[1].time - sent[0].time >= 370, `retried after ${sent[1].time - sent[0].time} ms`);
  });
});

// Header-safe tokens that decoded text used to hide: "\/", "\u0041" and "\\" read as JSON escapes.
const BACKSLASH_TOKENS = [
  'Ab3\\/cD9zYx-0123456789',
  'Ab3\\u0041cD9zYx-0123456789',
  'Ab3\\\\cD9zYx-0123456789',
  'Ab3cD9zYx-0123456789\\',
];

describe('an echoed token never reaches the caller', () => {
  let server;
  before(async () => {
    server = await startServer((place, token) => {
      switch (place) {
        case 'detail': return { status: 400, body: JSON.stringify({ error: { title: 'Bad Request', detail: `bad token ${token}` } }) };
        case 'title': return { status: 422, body: JSON.stringify({ error: { title: `${token} refused`, detail: ['x'] } }) };
        case 'info': return { status: 404, body: JSON.stringify({ error: { title: 'Not found', additional_information: token } }) };
        case 'message': return { status: 401, body: JSON.stringify({ message: token, detail: { [token]: [token] } }) };
        case 'text': return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: `echo: ${token} /` };
        case 'text-500': return { status: 500, headers: { 'Content-Type': 'text/html' }, body: `<p>${token}</p>` };
        case 'status': return { status: 200, body: JSON.stringify({ status: `PROCESSING ${token}` }) };
        case 'split': {
          // Each half harmless alone; joined by the message's ": " they would spell the token.
          const [title, detail] = token.split(': ');
          return { status: 400, body: JSON.stringify({ error: { title, detail } }) };
        }
        default: return { status: 404, body: '{}' };
      }
    });
  });
  after(() => server.close());

  const places = ['detail', 'title', 'info', 'message', 'text', 'text-500', 'status'];

  test('tokens holding \\/, \\u0041 or \\\\ echoed raw in every place', async () => {
    for (const token of BACKSLASH_TOKENS) {
      for (const place of places) {
        const outcome = await getDatasetStatus(place, { baseUrl: server.url, token, maxRetries: 0 })
          .catch((caught) => caught);
        if (place === 'text') assert.ok(outcome instanceof InvalidResponseError, `${place}: ${outcome}`);
        else if (place !== 'status') assert.ok(outcome instanceof ProlificApiError, `${place}: ${outcome}`);
        else assert.equal(outcome.status, 'PROCESSING [REDACTED]');
        assertTokenNowhere(outcome, token, `${token} in ${place}`);
      }
    }
  });

  test('a token split across title and detail is not rebuilt in the message', async () => {
    const token = 'AbCdEf: GhIjKl1234567890';
    const error = await getDatasetStatus('split', { baseUrl: server.url, token, maxRetries: 0 }).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.title, 'AbCdEf');
    assertTokenNowhere(error, token, 'split token');
  });

  test('property: random header-safe tokens in every place server text goes', async () => {
    const random = seededRandom(11);
    let checked = 0;
    for (let round = 0; round < 60; ++round) {
      const token = randomToken(random);
      for (const place of places) {
        const outcome = await getDatasetStatus(place, { baseUrl: server.url, token, maxRetries: 0 })
          .catch((caught) => caught);
        assertTokenNowhere(outcome, token, `${JSON.stringify(token)} in ${place}`);
        ++checked;
      }
    }
    assert.equal(checked, 60 * places.length);
  });
});

describe('the module\'s redact export', { skip: MODULE_VARIANT === 'status' && 'the status-only module has no redact export (the dashboard server uses the full module)' }, () => {
  test('property: 100,000 random tokens embedded raw in random text, zero survivors', async () => {
    const module = await loadModuleForDiagnostics();
    const random = seededRandom(20261202);
    const survivors = [];
    for (let round = 0; round < 100000; ++round) {
      const token = randomToken(random);
      let text = randomText(random, 60);
      const at = Math.floor(random() * (text.length + 1));
      text = text.slice(0, at) + token + text.slice(at);
      const out = module.redact(text, token);
      if (out.toLowerCase().includes(token.toLowerCase()) && survivors.push({ token, text, out }) >= 5) break;
    }
    assert.deepEqual(survivors, []);
  });

  test('JSON spellings are still found in JSON source', async () => {
    const module = await loadModuleForDiagnostics();
    assert.equal(module.redact('{"d":"ab\\/cd","e":"\\u0061b/cd"}', 'ab/cd'), '{"d":"[REDACTED]","e":"[REDACTED]"}');
    assert.equal(module.redact(JSON.stringify({ d: 'a\\b' }), 'a\\b'), '{"d":"[REDACTED]"}');
  });
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = '\\\\\\/"u0041aAbB:;, []{}RED';

/** Printable ASCII, half of it drawn from the characters that make spellings tricky. */
function randomText(random, maxLength) {
  const length = Math.floor(random() * (maxLength + 1));
  let out = '';
  for (let i = 0; i < length; ++i) {
    out += random() < 0.5 ? TRICKY[Math.floor(random() * TRICKY.length)] : String.fromCharCode(0x20 + Math.floor(random() * 95));
  }
  return out;
}

/** A header-safe token of 8 to 40 characters that "[REDACTED]" does not itself hold. */
function randomToken(random) {
  for (;;) {
    const token = randomText(random, 40);
    if (token.length < 8 || token.startsWith(' ') || token.endsWith(' ')) continue;
    if ('[redacted]'.includes(token.toLowerCase())) continue;
    return token;
  }
}
