// Run by tests/runtimes.test.mjs in Deno and Bun: the checks of outcome.mjs through the entry
// named by the first argument, against the mock Prolific API (second argument) and a redirect to
// another origin (third argument). Prints one JSON line.
import { runChecks } from './outcome.mjs';

const [entry, baseUrl, redirectUrl] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const outcome = await runChecks(await import(entry), { baseUrl, redirectUrl, token: 'test-token-0123456789' });
console.log(JSON.stringify(outcome));
