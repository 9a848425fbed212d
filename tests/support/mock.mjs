// Shared set-up for the Node tests: one mock Prolific API per test file, on 127.0.0.1.
import { startMockProlific } from '../../scripts/mock-prolific.mjs';

export const TOKEN = 'test-token-0123456789';

/**
 * Starts the mock Prolific API with TOKEN, and returns it with the options that reach it.
 * @param {object} [settings] passed to startMockProlific (timeScale, token)
 * @returns {Promise<{ mock: object, options: { token: string, baseUrl: string } }>}
 */
export async function startMock(settings = {}) {
  const mock = await startMockProlific({ token: TOKEN, timeScale: 0.02, ...settings });
  return { mock, options: { token: TOKEN, baseUrl: mock.url } };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asserts that nothing in a thrown value (message, stack, fields, cause) holds `secret`.
 * @param {unknown} value an error or a result
 * @param {string} secret
 */
export function assertNoSecret(assert, value, secret) {
  const seen = new Set();
  const texts = [];
  const walk = (item) => {
    if (item === null || item === undefined || seen.has(item)) return;
    if (typeof item === 'string') { texts.push(item); return; }
    if (typeof item !== 'object') { texts.push(String(item)); return; }
    seen.add(item);
    if (item instanceof Error) { texts.push(item.message, item.stack ?? ''); walk(item.cause); }
    for (const key of Object.getOwnPropertyNames(item)) walk(item[key]);
  };
  walk(value);
  for (const text of texts) assert.ok(!text.includes(secret), `secret found in: ${text.slice(0, 200)}`);
}
