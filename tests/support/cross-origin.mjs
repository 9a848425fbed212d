// A redirect to another origin, for the token rule "never to another origin, not even through a
// redirect": `redirectUrl` answers every request with a 302 to the same path on another origin
// (localhost instead of 127.0.0.1, another port), which answers {"status":"READY"} and records
// every Authorization header that reached it.
import http from 'node:http';

/**
 * Starts both servers on loopback.
 * @returns {Promise<{ redirectUrl: string, leaked: string[], close: () => Promise<void> }>}
 */
export async function startCrossOriginRedirect() {
  const leaked = [];
  const other = http.createServer((req, res) => {
    if (req.headers.authorization) leaked.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end('{"status":"READY"}');
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  const redirector = http.createServer((req, res) => {
    res.writeHead(302, { location: `http://localhost:${other.address().port}${req.url}`,
      'access-control-allow-origin': '*' });
    res.end();
  });
  await new Promise((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  return {
    redirectUrl: `http://127.0.0.1:${redirector.address().port}`,
    leaked,
    async close() {
      for (const server of [other, redirector]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

/**
 * Checks the outcome of a read through the redirect: followed without the token (the other
 * origin answered READY) or refused with a NetworkError; never with the token.
 */
export function assertNoTokenCrossedOrigins(assert, redirected, leaked) {
  assert.ok(redirected?.status === 'READY' || redirected?.name === 'NetworkError', JSON.stringify(redirected));
  assert.deepEqual(leaked, [], 'the token reached another origin');
}
