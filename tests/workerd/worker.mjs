// A Cloudflare Worker that uses the package, bundled by esbuild for tests/workerd.test.mjs:
// GET /?base=<mock URL>&redirect=<redirecting server URL> answers one JSON object with a status
// read, a waitForDataset and a read through a cross-origin redirect.
import { getDatasetStatus, waitForDataset } from 'prolific-dataset-status';

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const token = env.PROLIFIC_TOKEN;
    const baseUrl = params.get('base');
    const outcome = {};
    try {
      outcome.read = await getDatasetStatus('status-READY', { token, baseUrl });
      outcome.waited = await waitForDataset('demo-ready', { token, baseUrl, intervalMs: 20, maxIntervalMs: 50 });
      outcome.redirected = await getDatasetStatus('redirected', { token, baseUrl: params.get('redirect'), maxRetries: 0 })
        .catch((error) => ({ name: error.name, message: error.message }));
    } catch (error) {
      outcome.error = { name: error.name, message: error.message };
    }
    return Response.json(outcome);
  },
};
