/**
 * Settings of the dashboard server that come from the environment: the token (PROLIFIC_TOKEN or
 * the file named by PROLIFIC_TOKEN_FILE), the upstream API (PROLIFIC_URL), and the HTTP Basic
 * credentials (DASHBOARD_BASIC_AUTH or the file named by DASHBOARD_BASIC_AUTH_FILE). Secrets never
 * come from the command line, and no message here holds one.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { checkClientOptions } from '../js/node.js';

/** Prolific's own API, the default upstream. */
export const DEFAULT_API_URL = 'https://api.prolific.com';

/** A settings problem found at start (a TypeError: a bad value); `message` never holds a secret. */
export class SettingsError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Reads a secret from the variable `name`, or from the file named by `${name}_FILE` (its text
 * without the final line break).
 * @param {Record<string, string|undefined>} env
 * @param {string} name variable name, e.g. PROLIFIC_TOKEN
 * @returns {Promise<string | undefined>} undefined when neither is set (or both are empty)
 * @throws {SettingsError} (rejects) when both are set, or the file cannot be read or is empty
 */
export async function readSecret(env, name) {
  const direct = env[name] || undefined;
  const file = env[`${name}_FILE`] || undefined;
  if (direct !== undefined && file !== undefined) {
    throw new SettingsError(`set ${name} or ${name}_FILE, not both`);
  }
  if (file === undefined) return direct;
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SettingsError(`cannot read ${name}_FILE (${error.code ?? 'error'}: ${file})`);
  }
  text = text.replace(/\r?\n$/, '');
  if (text === '') throw new SettingsError(`${name}_FILE names an empty file (${file})`);
  return text;
}

/**
 * The upstream API from the environment, checked by the library (checkClientOptions: the module's
 * own rules for the token's characters, http(s), and plain http only to exactly `localhost`,
 * `127.0.0.0/8` or `[::1]`).
 * @param {Record<string, string|undefined>} env reads PROLIFIC_TOKEN / PROLIFIC_TOKEN_FILE and PROLIFIC_URL
 * @returns {Promise<{ baseUrl: URL, token: string, description: string } | null>} null: no token,
 *   use the built-in mock
 * @throws {SettingsError} (rejects) for a token or URL the library refuses, with its reason
 */
export async function upstreamFromEnv(env) {
  const token = await readSecret(env, 'PROLIFIC_TOKEN');
  if (token === undefined) return null;
  const baseUrl = env.PROLIFIC_URL || DEFAULT_API_URL;
  try {
    await checkClientOptions({ token, baseUrl });
  } catch (error) {
    if (error instanceof TypeError) throw new SettingsError(`PROLIFIC_URL or PROLIFIC_TOKEN refused: ${error.message}`);
    throw error;
  }
  const url = new URL(baseUrl);
  return { baseUrl: url, token, description: `${url.origin}${url.pathname.replace(/\/$/, '')}` };
}

/**
 * HTTP Basic credentials from DASHBOARD_BASIC_AUTH ("user:password") or the file named by
 * DASHBOARD_BASIC_AUTH_FILE (one "user:password" per line; blank lines and lines starting with
 * "#" are skipped).
 * @param {Record<string, string|undefined>} env
 * @returns {Promise<string[] | null>} the "user:password" pairs, or null when Basic auth is off
 * @throws {SettingsError} (rejects) for an unreadable file, or a pair without ":", with an empty
 *   user or password, or with characters other than visible ASCII and space
 */
export async function basicAuthFromEnv(env) {
  const text = await readSecret(env, 'DASHBOARD_BASIC_AUTH');
  if (text === undefined) return null;
  const pairs = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  if (pairs.length === 0) throw new SettingsError('DASHBOARD_BASIC_AUTH holds no "user:password" pair');
  pairs.forEach((pair, index) => {
    const colon = pair.indexOf(':');
    if (colon < 1 || colon === pair.length - 1 || !/^[\x20-\x7e]+$/.test(pair)) {
      throw new SettingsError(`DASHBOARD_BASIC_AUTH: entry ${index + 1} is not "user:password" (visible ASCII, neither part empty)`);
    }
  });
  return pairs;
}
