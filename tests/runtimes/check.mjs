// Run by tests/runtimes.test.mjs in Deno and Bun: a status read, a waitForDataset and a
// cross-origin redirect through the entry named by the first argument, against the mock Prolific
// API (second argument) and a redirecting server (third argument). Prints one JSON line.
const [entry, baseUrl, redirectUrl] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const token = 'test-token-0123456789';
const { getDatasetStatus, waitForDataset, ProlificApiError } = await import(entry);
const read = await getDatasetStatus('status-READY', { token, baseUrl });
const waited = await waitForDataset('demo-ready', { token, baseUrl, intervalMs: 20, maxIntervalMs: 50 });
let redirected;
try {
  redirected = await getDatasetStatus('redirected', { token, baseUrl: redirectUrl, maxRetries: 0 });
} catch (error) {
  redirected = { name: error.name, httpStatus: error.httpStatus, isApiError: error instanceof ProlificApiError };
}
console.log(JSON.stringify({ read, waited, redirected }));
