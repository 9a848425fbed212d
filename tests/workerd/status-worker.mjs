// A Cloudflare Worker that uses prolific-dataset-status/status (its "workerd" condition), bundled
// by esbuild for tests/workerd.test.mjs: the checks of tests/runtimes/outcome.mjs, then a
// watchDatasets call and whether a lifecycle call is there, as JSON.
import * as pkg from 'prolific-dataset-status/status';
import { runChecks } from '../runtimes/outcome.mjs';

export default {
  async fetch(request, env) {
    const params = new URL(request.url).searchParams;
    const options = { token: env.PROLIFIC_TOKEN, baseUrl: params.get('base') };
    const outcome = await runChecks(pkg, { ...options, redirectUrl: params.get('redirect') });
    outcome.watched = await pkg.watchDatasets(['status-READY', 'null-status'], { ...options, intervalMs: 20 })
      .then((results) => results.map(({ datasetId, status, error }) => ({ datasetId, status, error: error?.name })));
    outcome.lifecycle = 'createDataset' in pkg;
    return Response.json(outcome);
  },
};
