/**
 * Coalesced upstream reads for the dashboard server: many viewers reading the same dataset share
 * one upstream read, and the upstream reads of all viewers together stay within a budget. Nothing
 * here knows about tokens or HTTP; the proxy half hands in the function that reads upstream.
 * @module
 */

/** Thrown by UpstreamBudget.acquire when its queue is full. */
export class BudgetExhaustedError extends Error {
  constructor(retryAfterSeconds) {
    super('The upstream read budget is exhausted');
    this.name = 'BudgetExhaustedError';
    /** Seconds after which a new read has a chance, for a Retry-After header. */
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A token bucket with a limit on reads in flight: at most `ratePerSecond` upstream reads per
 * second on average, `burst` at once after a quiet period, `concurrency` in flight. Reads over
 * the budget wait in order; at most `maxQueue` wait, further ones are refused.
 */
export class UpstreamBudget {
  /**
   * @param {object} options
   * @param {number} options.ratePerSecond average reads per second (> 0; Infinity: no rate limit)
   * @param {number} [options.burst] reads allowed at once after a quiet period (default: the rate,
   *   at least 1)
   * @param {number} [options.concurrency=8] reads in flight at most (whole number ≥ 1)
   * @param {number} [options.maxQueue=10000] reads waiting at most
   * @param {() => number} [options.now] clock in ms (default performance.now)
   * @throws {TypeError} for values out of range
   */
  constructor({ ratePerSecond, burst, concurrency = 8, maxQueue = 10_000, now = () => performance.now() }) {
    if (!(ratePerSecond > 0)) throw new TypeError('ratePerSecond must be above 0');
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('concurrency must be a whole number of at least 1');
    this.ratePerSecond = ratePerSecond;
    this.burst = burst ?? (Number.isFinite(ratePerSecond) ? Math.max(1, ratePerSecond) : Infinity);
    if (!(this.burst >= 1)) throw new TypeError('burst must be at least 1');
    this.concurrency = concurrency;
    this.maxQueue = maxQueue;
    this.now = now;
    this.tokens = this.burst;
    this.refilledAt = now();
    this.inFlight = 0;
    this.queue = [];
    this.timer = null;
  }

  refill() {
    const now = this.now();
    if (Number.isFinite(this.ratePerSecond)) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    } else {
      this.tokens = Infinity;
    }
    this.refilledAt = now;
  }

  /** True when a read could start at once (nothing waiting, a slot and a token free). */
  canStartNow() {
    this.refill();
    return this.queue.length === 0 && this.inFlight < this.concurrency && this.tokens >= 1;
  }

  /**
   * Waits for a slot and a token, in order of arrival.
   * @returns {Promise<void>} resolves when the read may start; call release() when it ends.
   * @throws {BudgetExhaustedError} (rejects) when `maxQueue` reads already wait.
   */
  acquire() {
    if (this.canStartNow()) {
      this.tokens -= 1;
      this.inFlight += 1;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) {
      const seconds = Number.isFinite(this.ratePerSecond) ? Math.ceil(this.queue.length / this.ratePerSecond) : 1;
      return Promise.reject(new BudgetExhaustedError(Math.max(1, seconds)));
    }
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.pump();
    });
  }

  /** Ends a read started after acquire(). */
  release() {
    this.inFlight -= 1;
    this.pump();
  }

  /** Starts waiting reads while slots and tokens allow; arms a timer for the next token. */
  pump() {
    this.refill();
    while (this.queue.length > 0 && this.inFlight < this.concurrency && this.tokens >= 1) {
      this.tokens -= 1;
      this.inFlight += 1;
      this.queue.shift()();
    }
    if (this.queue.length > 0 && this.inFlight < this.concurrency && this.timer === null) {
      const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, waitMs);
      this.timer.unref?.();
    }
  }

  /** Stops the timer (the queue is left as it is). */
  close() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Shares upstream reads by key (the upstream path). Concurrent reads of one key share one upstream
 * request; an answer is reused for `windowMs` after it arrived; after that a new read refreshes it
 * when the budget allows at once, and otherwise gets the last answer (at most `staleMs` old) rather
 * than waiting. A key never read waits for the budget.
 */
export class ReadCoalescer {
  /**
   * @param {object} options
   * @param {(key: string) => Promise<object>} options.read reads one key upstream; must always
   *   resolve (errors as answers), never reject
   * @param {UpstreamBudget} options.budget shared budget of upstream reads
   * @param {number} [options.windowMs=2000] how long an answer is reused, in ms (0: only
   *   concurrent reads are shared)
   * @param {number} [options.staleMs=300000] how old an answer may be when served because the
   *   budget is spent, in ms
   * @param {number} [options.maxEntries=10000] answers kept at most (oldest dropped first)
   * @param {() => number} [options.now] clock in ms
   */
  constructor({ read, budget, windowMs = 2000, staleMs = 300_000, maxEntries = 10_000, now = () => performance.now() }) {
    this.readUpstream = read;
    this.budget = budget;
    this.windowMs = windowMs;
    this.staleMs = staleMs;
    this.maxEntries = maxEntries;
    this.now = now;
    /** key → { answer?, at?, pending? } in order of last refresh. */
    this.entries = new Map();
    this.counts = { requests: 0, upstream: 0, shared: 0, fresh: 0, stale: 0 };
  }

  /**
   * The answer for `key`.
   * @param {string} key
   * @returns {Promise<{ answer: object, ageMs: number, source: 'upstream'|'shared'|'fresh'|'stale' }>}
   * @throws {BudgetExhaustedError} (rejects) when the key has no answer and the budget queue is full
   */
  async get(key) {
    this.counts.requests += 1;
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry?.pending) {
      this.counts.shared += 1;
      const answer = await entry.pending;
      return { answer, ageMs: 0, source: 'shared' };
    }
    if (entry?.answer) {
      const ageMs = now - entry.at;
      if (ageMs < this.windowMs) {
        this.counts.fresh += 1;
        return { answer: entry.answer, ageMs, source: 'fresh' };
      }
      if (ageMs < this.staleMs && !this.budget.canStartNow()) {
        this.counts.stale += 1;
        return { answer: entry.answer, ageMs, source: 'stale' };
      }
    }
    const answer = await this.refresh(key);
    return { answer, ageMs: 0, source: 'upstream' };
  }

  refresh(key) {
    const entry = this.entries.get(key) ?? {};
    const pending = this.budget.acquire().then(async () => {
      this.counts.upstream += 1;
      try {
        return await this.readUpstream(key);
      } finally {
        this.budget.release();
      }
    });
    entry.pending = pending;
    this.entries.delete(key);
    this.entries.set(key, entry);
    pending.then((answer) => {
      entry.answer = answer;
      entry.at = this.now();
    }, () => {}).finally(() => {
      entry.pending = null;
      if (!entry.answer) this.entries.delete(key);
      this.trim();
    });
    return pending;
  }

  trim() {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (!entry.pending) this.entries.delete(key);
    }
  }

  /** Counters since start: requests, upstream reads, shared, fresh and stale answers. */
  stats() {
    return { ...this.counts, keys: this.entries.size };
  }
}
