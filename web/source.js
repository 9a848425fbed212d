/**
 * Where reads go, and the page saying so: this page's server (which adds the token, and answers
 * `/server.json` with `{ api: "mock" | "prolific", upstream }`), or direct mode (a typed base URL
 * and token, the token in this tab's memory only). The library checks the typed settings
 * (checkClientOptions); the page keeps no rule of its own about tokens, hosts or loopback.
 * @module
 */
import { checkClientOptions } from './pkg/src/js/index.js';
import { byId, announce } from './dom.js';
import { clip } from './describe.js';

const PROLIFIC_API_URL = 'https://api.prolific.com';

/** Hosts the page's Content-Security-Policy (connect-src) lets plain http reach. */
const CSP_HTTP_HOSTS = ['localhost', '127.0.0.1'];

const els = {
  mode: byId('mode'),
  modeLabel: byId('mode-label'),
  modeDetail: byId('mode-detail'),
  directForm: byId('direct-form'),
  directBaseUrl: byId('direct-base-url'),
  directToken: byId('direct-token'),
  directTokenHint: byId('direct-token-hint'),
  directStop: byId('direct-stop'),
  directUse: byId('direct-use'),
  directMessage: byId('direct-message'),
};

/** @type {{ api: string, upstream: string } | null} what the page's server said */
let server = null;
/** Direct-mode settings, in memory only. @type {{ baseUrl: string, token: string | undefined } | null} */
let direct = null;
/** Called after the source changed (the list is read again from the new source). */
let changed = () => {};

/**
 * Options for every library call: the source's base URL and token.
 * @returns {{ baseUrl: string, token?: string }}
 */
export function requestOptions() {
  if (direct) return direct.token === undefined ? { baseUrl: direct.baseUrl } : { baseUrl: direct.baseUrl, token: direct.token };
  return { baseUrl: location.origin };
}

/** True in direct mode. */
export function isDirect() {
  return direct !== null;
}

/** True when the page's server said it serves the built-in mock API (demo offers are shown then only). */
export function isDemo() {
  return !direct && server?.api === 'mock';
}

function showMode() {
  els.mode.classList.remove('mode--demo', 'mode--prolific', 'mode--direct', 'mode--unknown');
  if (direct) {
    els.mode.classList.add('mode--direct');
    els.modeLabel.textContent = 'Direct mode';
    els.modeDetail.textContent = `Requests go straight to ${new URL(direct.baseUrl).origin}${direct.token ? ' with the token you typed (in this tab\'s memory only)' : ' without a token'}.`;
  } else if (server?.api === 'mock') {
    els.mode.classList.add('mode--demo');
    els.modeLabel.textContent = 'Demo: built-in mock API';
    els.modeDetail.textContent = 'No Prolific token is set on the server: statuses come from its mock API, not from Prolific.';
  } else if (server?.api === 'prolific') {
    els.mode.classList.add('mode--prolific');
    els.modeLabel.textContent = 'Prolific API (token on the server)';
    els.modeDetail.textContent = `This page's server reads ${clip(server.upstream, 120)} and adds the token: it never reaches this page.`;
  } else {
    els.mode.classList.add('mode--unknown');
    els.modeLabel.textContent = 'This page\'s server';
    els.modeDetail.textContent = 'Requests go through this page\'s server, which adds the API token (it did not say which API it reads).';
  }
  document.documentElement.dataset.api = direct ? 'direct' : server?.api ?? 'unknown';
}

/**
 * Asks the page's server what it serves, and shows it.
 * @returns {Promise<void>}
 */
async function loadServerInfo() {
  try {
    const response = await fetch('server.json', { headers: { Accept: 'application/json' } });
    const info = response.ok ? await response.json() : null;
    if (info && (info.api === 'mock' || info.api === 'prolific')) {
      server = { api: info.api, upstream: typeof info.upstream === 'string' ? info.upstream : '' };
    }
  } catch {
    // An older server, or none: the indicator says it does not know.
  }
}

function say(message, error = false) {
  els.directMessage.textContent = message;
  els.directMessage.classList.toggle('form-message--error', error);
}

/**
 * Reads the direct-mode form: a base URL, and a token typed now or kept from before (same origin
 * only: a token typed for one address is never sent to another without being typed again).
 * @returns {Promise<{ baseUrl: string, token: string | undefined, kept: boolean } | string>} the
 *   settings, or a message saying what is wrong
 */
async function settingsFromForm() {
  const typed = els.directBaseUrl.value.trim() || PROLIFIC_API_URL;
  let url;
  try {
    url = new URL(typed);
  } catch {
    return 'The base URL is not a valid address (example: https://api.prolific.com).';
  }
  url.search = '';
  url.hash = '';
  const baseUrl = url.href.replace(/\/+$/, '');
  let token = els.directToken.value.trim() || undefined;
  let kept = false;
  if (token === undefined && direct?.token !== undefined) {
    if (new URL(direct.baseUrl).origin !== url.origin) {
      return `Type the token again: the token you typed for ${new URL(direct.baseUrl).origin} is not sent to ${url.origin} unless you type it for it.`;
    }
    token = direct.token;
    kept = true;
  }
  try {
    await checkClientOptions(token === undefined ? { baseUrl } : { baseUrl, token });
  } catch (error) {
    return error instanceof TypeError ? `Not usable: ${clip(error.message, 200)}` : 'The settings could not be checked.';
  }
  // The page's security policy (connect-src) lets plain http reach two host names only.
  if (url.protocol === 'http:' && !CSP_HTTP_HOSTS.includes(url.hostname)) {
    return `This page's security policy allows plain http only to localhost and 127.0.0.1: use http://localhost${url.port ? `:${url.port}` : ''} instead of ${url.hostname}.`;
  }
  return { baseUrl, token, kept };
}

async function useDirectMode(event) {
  event.preventDefault();
  const settings = await settingsFromForm();
  if (typeof settings === 'string') {
    say(settings, true);
    return;
  }
  direct = Object.freeze({ baseUrl: settings.baseUrl, token: settings.token });
  // The token now lives in `direct` only; the field is emptied so the page holds no copy.
  els.directToken.value = '';
  const origin = new URL(settings.baseUrl).origin;
  say(settings.token
    ? `Direct mode on: requests go to ${origin} with ${settings.kept ? 'the token you typed before' : 'your token'}, kept in this tab's memory until you stop or reload (then it must be typed again).`
    : `Direct mode on: requests go to ${origin} without a token.`);
  els.directStop.hidden = false;
  els.directUse.textContent = 'Update direct mode';
  els.directTokenHint.textContent = settings.token
    ? 'A token is kept for this address: leave the field empty to keep it, or type another one.'
    : 'No token is used.';
  showMode();
  announce('Direct mode on. The list is read again from the new address.');
  changed();
}

function stopDirectMode() {
  direct = null;
  els.directToken.value = '';
  els.directStop.hidden = true;
  els.directUse.textContent = 'Use direct mode';
  els.directTokenHint.textContent = '';
  say('Direct mode off; the token is forgotten. Requests go to this page\'s server again.');
  showMode();
  els.directUse.focus();
  changed();
}

/**
 * Wires the indicator and direct mode, and asks the server what it serves.
 * @param {{ onChange: () => void }} hooks `onChange` runs after the source changed
 * @returns {Promise<void>} once the indicator says what the page shows
 */
export async function initSource({ onChange }) {
  changed = onChange;
  els.directForm.addEventListener('submit', (event) => void useDirectMode(event));
  els.directStop.addEventListener('click', stopDirectMode);
  await loadServerInfo();
  showMode();
}
