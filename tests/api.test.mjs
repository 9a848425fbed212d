// getDatasetStatus end to end: the real WebAssembly module, the Node stand-in transport and a
// real mock Prolific API on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  getDatasetStatus, createClient, DATASET_STATUSES, isTerminalStatus, ProlificError, ProlificApiError,
  NetworkError, TimeoutError, InvalidResponseError, DatasetProcessingError,
} from './support/entry.mjs';
import { TOKEN, assertNoSecret, startMock } from './support/mock.mjs';

let mock;
let options;

before(async () => ({ mock, options } = await startMock()));
after(() => mock.close());

describe('getDatasetStatus', () => {
  test('resolves { datasetId, status } and sends the documented request', async () => {
    mock.reset();
    const result = await getDatasetStatus('status-READY', options);
    assert.deepEqual(result, { datasetId: 'status-READY', status: 'READY' });
    assert.equal(mock.requests.length, 1);
    const [request] = mock.requests;
    assert.equal(request.method, 'GET');
    assert.equal(request.path, '/api/v1/data-collection/datasets/status-READY/status');
    assert.equal(request.headers.authorization, `Token ${TOKEN}`);
  });

  test('passes every documented status and new ones through unchanged', async () => {
    for (const status of [...DATASET_STATUSES, 'SOMETHING_NEW']) {
      assert.equal((await getDatasetStatus(`status-${status}`, options)).status, status);
    }
  });

  test('percent-encodes the dataset id as one path segment', async () => {
    mock.reset();
    await assert.rejects(getDatasetStatus('../../../x?y=1#z', options), ProlificApiError);
    await assert.rejects(getDatasetStatus('a/b c%', options), ProlificApiError);
    assert.deepEqual(mock.requests.map((request) => request.path), [
      '/api/v1/data-collection/datasets/..%2F..%2F..%2Fx%3Fy%3D1%23z/status',
      '/api/v1/data-collection/datasets/a%2Fb%20c%25/status',
    ]);
  });

  test('404 rejects with ProlificApiError and the fields of the error body', async () => {
    const error = await getDatasetStatus('no-such-dataset', options).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.ok(error instanceof ProlificError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ProlificApiError');
    assert.equal(error.httpStatus, 404);
    assert.equal(error.errorCode, 140400);
    assert.equal(error.title, 'Not found');
    assert.equal(error.detail, 'Dataset not found or you do not have permissions.');
    assert.equal(error.retryAfterMs, undefined);
    assert.match(error.message, /404/);
    assert.match(error.message, /no-such-dataset/);
  });

  test('401 rejects with ProlificApiError and never shows the token', async () => {
    const wrong = 'wrong-token-abcdef';
    const error = await getDatasetStatus('status-READY', { ...options, token: wrong }).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 401);
    assert.equal(error.title, 'Not authenticated');
    assert.equal(error.detail, 'Invalid token.');
    assertNoSecret(assert, error, wrong);
  });

  test('a server echoing the token gets it replaced by [REDACTED]', async () => {
    const error = await getDatasetStatus('echo-token', options).catch((caught) => caught);
    assert.ok(error instanceof ProlificApiError);
    assert.match(error.detail, /\[REDACTED\]/);
    assertNoSecret(assert, error, TOKEN);
  });

  test('detail arrays, field maps and the message shape are flattened to text', async () => {
    const array = await getDatasetStatus('detail-array', options).catch((caught) => caught);
    assert.equal(array.detail, 'First problem.; Second problem.');
    const object = await getDatasetStatus('detail-object', options).catch((caught) => caught);
    assert.equal(object.httpStatus, 422);
    assert.match(object.detail, /^name: This field is required\.; workspace_id: Not a valid id\., Required\.$/);
    assert.equal(object.additionalInformation, 'See the API reference.');
    const message = await getDatasetStatus('message-shape', options).catch((caught) => caught);
    assert.equal(message.title, 'Bad request');
    assert.equal(message.detail, 'The message shape.');
    assert.equal(message.errorCode, undefined);
    const html = await getDatasetStatus('html-502', { ...options, maxRetries: 0 }).catch((caught) => caught);
    assert.equal(html.httpStatus, 502);
    assert.equal(html.title, 'Bad Gateway');
  });

  test('a dataset without a status of its own ({"status": null} or {}) resolves with status null', async () => {
    for (const datasetId of ['null-status', 'no-status']) {
      assert.deepEqual(await getDatasetStatus(datasetId, options), { datasetId, status: null });
    }
  });

  test('a 200 that is not the documented shape rejects with InvalidResponseError', async () => {
    for (const datasetId of ['empty-status', 'not-json', 'truncated', 'wrong-type', 'html-200', 'array-body']) {
      const error = await getDatasetStatus(datasetId, options).catch((caught) => caught);
      assert.ok(error instanceof InvalidResponseError, datasetId);
      assert.equal(error.httpStatus, 200);
      assert.equal(typeof error.bodySnippet, 'string');
      assert.ok(error.bodySnippet.length <= 200);
    }
  });

  test('a closed port rejects with NetworkError', async () => {
    const error = await getDatasetStatus('x', { ...options, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 })
      .catch((caught) => caught);
    assert.ok(error instanceof NetworkError);
    assert.equal(error.name, 'NetworkError');
    assert.match(String(error.cause?.message), /ECONNREFUSED/);
  });

  test('timeoutMs rejects with TimeoutError', async () => {
    const error = await getDatasetStatus('slow-headers', { ...options, timeoutMs: 150, maxRetries: 0 })
      .catch((caught) => caught);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.timeoutMs, 150);
  });

  test('an aborted signal rejects with its reason, before or during the request', async () => {
    const before = AbortSignal.abort();
    await assert.rejects(getDatasetStatus('status-READY', { ...options, signal: before }),
      (error) => error === before.reason && error.name === 'AbortError');
    const controller = new AbortController();
    const pending = getDatasetStatus('slow-headers', { ...options, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (error) => error.name === 'AbortError');
    const reason = new Error('custom reason');
    const custom = new AbortController();
    const third = getDatasetStatus('slow-headers', { ...options, signal: custom.signal });
    setTimeout(() => custom.abort(reason), 20);
    await assert.rejects(third, (error) => error === reason);
  });

  test('bad arguments reject with TypeError and send nothing', async () => {
    mock.reset();
    const cases = [
      ['', options],
      [42, options],
      [undefined, options],
      ['.', options],
      ['..', options],
      ['x', { ...options, token: 'line\nbreak' }],
      ['x', { ...options, token: 'carriage\rreturn' }],
      ['x', { ...options, token: 'caf\u00e9' }],
      ['x', { ...options, token: 42 }],
      ['x', { ...options, token: null }],
      ['x', { ...options, baseUrl: 'http://example.com' }],
      ['x', { ...options, baseUrl: 'http://0.0.0.0:8080' }],
      ['x', { ...options, baseUrl: 'ftp://127.0.0.1' }],
      ['x', { ...options, baseUrl: 'not a url' }],
      ['x', { ...options, baseUrl: 'https://user:pass@example.com' }],
      ['x', { ...options, timeoutMs: -1 }],
      ['x', { ...options, timeoutMs: '100' }],
      ['x', { ...options, maxRetries: 1.5 }],
      ['x', { ...options, signal: {} }],
      ['x', { ...options, tokn: 'typo' }],
      ['x', { baseUrl: 'https://api.prolific.com', token: undefined }],
      ['x', 'options'],
    ];
    const saved = process.env.PROLIFIC_TOKEN;
    delete process.env.PROLIFIC_TOKEN;
    try {
      for (const [datasetId, callOptions] of cases) {
        await assert.rejects(getDatasetStatus(datasetId, callOptions), TypeError,
          `${inspect(datasetId)} ${inspect(callOptions)}`);
      }
    } finally {
      if (saved !== undefined) process.env.PROLIFIC_TOKEN = saved;
    }
    assert.equal(mock.requests.length, 0);
    const error = await getDatasetStatus('x', { ...options, token: `${TOKEN}\n` }).catch((caught) => caught);
    assertNoSecret(assert, error, TOKEN);
  });

  test('without a token and with a proxy base URL, no Authorization header is sent', async () => {
    const { mock: open, options: openOptions } = await startMock({ token: null });
    try {
      const saved = process.env.PROLIFIC_TOKEN;
      delete process.env.PROLIFIC_TOKEN;
      try {
        assert.equal((await getDatasetStatus('status-READY', { baseUrl: openOptions.baseUrl })).status, 'READY');
      } finally {
        if (saved !== undefined) process.env.PROLIFIC_TOKEN = saved;
      }
      assert.equal(open.requests[0].headers.authorization, undefined);
    } finally {
      await open.close();
    }
  });

  test('token and base URL default to PROLIFIC_TOKEN and PROLIFIC_URL', async () => {
    const saved = { token: process.env.PROLIFIC_TOKEN, url: process.env.PROLIFIC_URL };
    process.env.PROLIFIC_TOKEN = TOKEN;
    process.env.PROLIFIC_URL = mock.url;
    try {
      assert.equal((await getDatasetStatus('status-PROCESSING')).status, 'PROCESSING');
    } finally {
      for (const [name, value] of [['PROLIFIC_TOKEN', saved.token], ['PROLIFIC_URL', saved.url]]) {
        if (value === undefined) delete process.env[name]; else process.env[name] = value;
      }
    }
  });

  test('after every kind of failure the next call still works', async () => {
    const failures = ['no-such', 'not-json', 'html-502', 'reset', 'deep', 'bad-utf8'];
    for (const datasetId of failures) {
      await assert.rejects(getDatasetStatus(datasetId, { ...options, maxRetries: 0 }));
      assert.equal((await getDatasetStatus('status-READY', options)).status, 'READY', `after ${datasetId}`);
    }
  });

  test('the token never reaches another origin, not even through a redirect', async () => {
    mock.reset();
    const error = await getDatasetStatus('redirect-cross', options).catch((caught) => caught);
    // The second hop reaches the same server under its other loopback name, without the token.
    assert.ok(error instanceof ProlificApiError);
    assert.equal(error.httpStatus, 401);
    assert.equal(mock.requests.length, 2);
    assert.equal(mock.requests[1].headers.authorization, undefined);
    mock.reset();
    assert.equal((await getDatasetStatus('redirect-same', options)).status, 'READY');
    assert.equal(mock.requests[1].headers.authorization, `Token ${TOKEN}`);
  });

  test('a redirect loop ends in NetworkError', async () => {
    const error = await getDatasetStatus('redirect-loop', { ...options, maxRetries: 0 }).catch((caught) => caught);
    assert.ok(error instanceof NetworkError);
    assert.match(error.message, /redirect/i);
  });
});

describe('error classes and helpers', () => {
  test('every class has its own name and extends ProlificError', () => {
    for (const ErrorClass of [ProlificApiError, NetworkError, TimeoutError, InvalidResponseError,
      DatasetProcessingError]) {
      assert.equal(ErrorClass.prototype.name, ErrorClass.name);
      assert.ok(ErrorClass.prototype instanceof ProlificError);
    }
    assert.equal(new ProlificError('x').name, 'ProlificError');
  });

  test('isTerminalStatus and DATASET_STATUSES', () => {
    assert.deepEqual([...DATASET_STATUSES], ['UNINITIALISED', 'PROCESSING', 'READY', 'ERROR']);
    assert.ok(Object.isFrozen(DATASET_STATUSES));
    assert.equal(isTerminalStatus('READY'), true);
    assert.equal(isTerminalStatus('ERROR'), true);
    assert.equal(isTerminalStatus('PROCESSING'), false);
    assert.equal(isTerminalStatus('UNINITIALISED'), false);
    assert.equal(isTerminalStatus('ready'), false);
    assert.equal(isTerminalStatus(undefined), false);
  });

  test('createClient binds options, lets calls override them, and does not show the token', async () => {
    const client = createClient(options);
    assert.equal((await client.getDatasetStatus('status-READY')).status, 'READY');
    await assert.rejects(client.getDatasetStatus('status-READY', { token: 'other-token' }),
      (error) => error instanceof ProlificApiError && error.httpStatus === 401);
    const printed = `${inspect(client, { showHidden: true, depth: 5 })} ${JSON.stringify(client)}`;
    assert.ok(!printed.includes(TOKEN));
    assert.throws(() => createClient({ tokn: 'x' }), TypeError);
    assert.throws(() => createClient({ timeoutMs: -5 }), TypeError);
  });
});
