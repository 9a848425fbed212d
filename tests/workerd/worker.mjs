// A Cloudflare Worker that uses the package, bundled by esbuild for tests/workerd.test.mjs:
// GET /?base=<mock URL>&redirect=<cross-origin redirect URL> answers the outcome of
// tests/runtimes/outcome.mjs as JSON. The token comes from the Worker's environment.
import * as pkg from 'prolific-dataset-status';
import { runChecks } from '../runtimes/outcome.mjs';

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    return Response.json(await runChecks(pkg, {
      baseUrl: params.get('base'), redirectUrl: params.get('redirect'), token: env.PROLIFIC_TOKEN,
    }));
  },
};
