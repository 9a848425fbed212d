// The dashboard server's shared reads (src/server/coalesce.js) with a read function that counts
// its calls: sharing, reuse window, stale answers when the budget is spent, the queue limit, and
// the memory bound, with a clock the test moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetExhaustedError, ReadCoalescer, UpstreamBudget } from '../src/server/coalesce.js';

function setup({ rate = Infinity, burst, concurrency = 8, maxQueue, windowMs = 1000, maxBytes, bodyBytes = 10, delayMs = 0 } = {}) {
  let clock = 0;
  const now = () => clock;
  const calls = [];
  const read = async (key) => {
    calls.push(key);
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return { status: 200, headers: {}, body: Buffer.alloc(bodyBytes, 'x'), key };
  };
  const budget = new UpstreamBudget({ ratePerSecond: rate, burst, concurrency, maxQueue, now });
  const coalescer = new ReadCoalescer({ read, budget, windowMs, maxBytes, now });
  return { coalescer, budget, calls, tick: (ms) => { clock += ms; } };
}

test('concurrent reads of one key share one read; within the window the answer is reused, after it refreshed', async () => {
  const { coalescer, calls, tick } = setup({ delayMs: 20 });
  const answers = await Promise.all(Array.from({ length: 10 }, () => coalescer.get('a')));
  assert.equal(calls.length, 1);
  assert.deepEqual(answers.map((a) => a.source).sort(), ['shared', 'shared', 'shared', 'shared', 'shared', 'shared', 'shared', 'shared', 'shared', 'upstream']);
  tick(999);
  assert.equal((await coalescer.get('a')).source, 'fresh');
  tick(1);
  assert.equal((await coalescer.get('a')).source, 'upstream');
  assert.equal(calls.length, 2);
  assert.deepEqual(coalescer.stats(), { requests: 12, upstream: 2, shared: 9, fresh: 1, stale: 0, keys: 1, bytes: 10 });
});

test('with the budget spent, a key read before gets its last answer; a new key waits for the budget', async () => {
  const { coalescer, calls, tick } = setup({ rate: 1, burst: 1, windowMs: 0 });
  assert.equal((await coalescer.get('a')).source, 'upstream');
  const stale = await coalescer.get('a');
  assert.equal(stale.source, 'stale');
  assert.equal(calls.length, 1);
  let settled = false;
  const waiting = coalescer.get('b').then((result) => { settled = true; return result; });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, false, 'b waits for a token');
  tick(1000);
  const result = await waiting;
  assert.equal(result.source, 'upstream');
  assert.deepEqual(calls, ['a', 'b']);
});

test('a full queue refuses with BudgetExhaustedError and a Retry-After in seconds', async () => {
  const { budget } = setup({ rate: 1, burst: 1, maxQueue: 2 });
  await budget.acquire();
  const queued = [budget.acquire(), budget.acquire()];
  await assert.rejects(budget.acquire(), (error) => error instanceof BudgetExhaustedError && error.retryAfterSeconds >= 1);
  budget.close();
  assert.equal(queued.length, 2);
});

test('answers kept stay within maxBytes, whatever keys are asked for', async () => {
  const { coalescer } = setup({ windowMs: 60_000, maxBytes: 10_000, bodyBytes: 1000 });
  for (let i = 0; i < 50; i++) await coalescer.get(`k${i}`);
  const stats = coalescer.stats();
  assert.ok(stats.bytes <= 10_000, `${stats.bytes} bytes kept`);
  assert.equal(stats.keys, 10);
  assert.equal((await coalescer.get('k49')).source, 'fresh', 'the newest stays');
  assert.equal((await coalescer.get('k0')).source, 'upstream', 'the oldest went');
});

test('a read is dropped only when every viewer waiting for it has gone, and its answer is not kept', async () => {
  const signals = [];
  let release;
  const read = (key, signal) => new Promise((resolve) => {
    signals.push(signal);
    release = () => resolve({ status: 200, headers: {}, body: Buffer.from('late') });
    signal.addEventListener('abort', () => resolve({ status: 499, headers: {}, body: Buffer.alloc(0) }));
  });
  const coalescer = new ReadCoalescer({ read, budget: new UpstreamBudget({ ratePerSecond: Infinity }), windowMs: 60_000 });
  const first = new AbortController();
  const second = new AbortController();
  const a = coalescer.get('k', first.signal);
  const b = coalescer.get('k', second.signal);
  await new Promise((resolve) => setImmediate(resolve));
  first.abort();
  await assert.rejects(a, { name: 'AbortError' });
  assert.equal(signals[0].aborted, false, 'one viewer still waits');
  second.abort();
  await assert.rejects(b, { name: 'AbortError' });
  assert.equal(signals[0].aborted, true, 'the last viewer left');
  release();
  const thirdRead = coalescer.get('k');
  await new Promise((resolve) => setImmediate(resolve));
  release();
  const third = await thirdRead;
  assert.equal(third.source, 'upstream', 'the dropped read left no answer behind');
  assert.equal(signals.length, 2);
});
