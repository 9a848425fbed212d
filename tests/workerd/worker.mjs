// A Cloudflare Worker that uses the package, bundled by esbuild for tests/workerd.test.mjs.
// GET /?id=<dataset id> is README's "Cloudflare Workers" snippet; GET /?base=<mock URL>&redirect=
// <cross-origin redirect URL> answers the outcome of tests/runtimes/outcome.mjs as JSON.
import * as pkg from 'prolific-dataset-status';
import { getDatasetStatus } from 'prolific-dataset-status';
import { runChecks } from '../runtimes/outcome.mjs';

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    if (params.has('id')) {
      const { status } = await getDatasetStatus(params.get('id'), { token: env.PROLIFIC_TOKEN, baseUrl: env.PROLIFIC_URL });
      return Response.json({ status });
    }
    return Response.json(await runChecks(pkg, {
      baseUrl: params.get('base'), redirectUrl: params.get('redirect'), token: env.PROLIFIC_TOKEN,
    }));
  },
};
