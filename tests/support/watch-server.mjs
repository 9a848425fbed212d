// A programmable Prolific API on 127.0.0.1 for watch tests: each dataset id answers as its plan
// says (status sequence, delay, HTTP errors, V4 import jobs), and the server counts the requests
// in flight at once. Shapes are those of Prolific's API reference.
import http from 'node:http';

export const WATCH_TOKEN = 'watch-token-0123456789';

/**
 * Starts the server.
 * @param {(datasetId: string, read: { kind: 'status'|'dataset'|'import', importId?: string, count: number })
 *   => { status?: number, body?: unknown, delayMs?: number, headers?: object }} plan the answer
 *   for each request; `count` is the number of earlier requests of that kind for that id
 * @returns {Promise<{ url: string, requests: object[], maxInFlight: number, inFlight: number,
 *   setPlan: Function, reset: Function, close: Function }>}
 */
export async function startWatchServer(plan) {
  const state = { requests: [], maxInFlight: 0, inFlight: 0, plan };
  const counts = new Map();
  const server = http.createServer((request, response) => {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      state.inFlight -= 1;
    };
    response.on('close', finish);
    const path = new URL(request.url, 'http://x').pathname;
    const match = /^\/api\/v1\/data-collection\/datasets\/([^/]+)(\/status|\/imports\/([^/]+))?$/.exec(path);
    state.requests.push({ path, at: Date.now() });
    if (request.headers.authorization !== `Token ${WATCH_TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { status: 401, error_code: 140100, title: 'Unauthorized',
        detail: 'Invalid token.' } }));
      return;
    }
    if (!match) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"status":404,"title":"Not found","detail":"no such path"}}');
      return;
    }
    const datasetId = decodeURIComponent(match[1]);
    const kind = match[2] === '/status' ? 'status' : match[3] ? 'import' : 'dataset';
    const importId = match[3] && decodeURIComponent(match[3]);
    const key = `${kind} ${datasetId} ${importId ?? ''}`;
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    const answer = state.plan(datasetId, { kind, importId, count });
    setTimeout(() => {
      if (response.destroyed) return;
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body ?? {}));
    }, answer.delayMs ?? 0);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() { return state.requests; },
    get maxInFlight() { return state.maxInFlight; },
    get inFlight() { return state.inFlight; },
    setPlan(next) { state.plan = next; },
    reset() {
      state.requests = [];
      state.maxInFlight = state.inFlight;
      counts.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A V4 import job in the published shape (GET .../datasets/{id}/imports/{import_id}). */
export function importJob(datasetId, importId, status, extra = {}) {
  return {
    import_id: importId, id: importId, dataset_id: datasetId, type: 'file', status,
    accepted_count: status === 'complete' ? 2 : 0, rejected_count: 0, duplicate_count: 0, errors: [],
    reason: status === 'failed' ? 'The file could not be read' : null,
    created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z', ...extra,
  };
}

/** A V4 dataset (GET .../datasets/{id}) listing `imports`. */
export function v4Dataset(datasetId, imports) {
  return { id: datasetId, name: `Dataset ${datasetId}`, workspace_id: 'w1', schema_version: 4, status: null,
    created_at: '2025-01-01T00:00:00Z', imports };
}
