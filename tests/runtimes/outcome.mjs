// The checks every runtime test runs inside its runtime (Deno, Bun, workerd, Chromium workers):
// a status read, a waitForDataset, and a read through a redirect to another origin, with the
// package given as `pkg`. Returns a plain object the test process compares.

/**
 * @param {object} pkg the package's exports, as the runtime loaded them
 * @param {{ baseUrl: string, redirectUrl: string, token: string }} where the mock Prolific API and
 *   the cross-origin redirect (tests/support/cross-origin.mjs) are
 * @returns {Promise<{ read?: object, waited?: object, redirected?: object, error?: object }>}
 */
export async function runChecks(pkg, { baseUrl, redirectUrl, token }) {
  const { getDatasetStatus, waitForDataset } = pkg;
  const describe = (error) => ({ name: error?.name, message: String(error?.message ?? error) });
  const outcome = {};
  try {
    outcome.read = await getDatasetStatus('status-READY', { token, baseUrl });
    outcome.waited = await waitForDataset('demo-ready', { token, baseUrl, intervalMs: 20, maxIntervalMs: 50 });
    outcome.redirected = await getDatasetStatus('redirected', { token, baseUrl: redirectUrl, maxRetries: 0 })
      .catch(describe);
  } catch (error) {
    outcome.error = describe(error);
  }
  return outcome;
}
