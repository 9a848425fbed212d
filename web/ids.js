/**
 * Dataset ids as people type, paste and share them: splitting pasted text, taking the id out of a
 * Prolific app URL, refusing what no dataset id could be, and the `#ids=` part of the address.
 * Pure functions, no page state.
 * @module
 */

/** Longest id the list takes, in characters (Prolific ids are 24 hex digits or a 36-character UUID). */
export const MAX_ID_LENGTH = 256;

/** Most ids the list holds. */
export const MAX_IDS = 500;

/**
 * What separates ids in pasted text: white space (tabs and new lines included), commas,
 * semicolons and quotes of any kind (a pasted spreadsheet column or JSON array).
 */
const SEPARATORS = /[\s,;"'`\u2018\u2019\u201c\u201d]+/u;

/**
 * Characters a dataset id can hold: letters, digits and `-`, `_`, `.`, `~` (the unreserved
 * characters of a URL path segment). Prolific's ids are hex or UUIDs; anything else (a `/`, `..`,
 * `?`, `%`, `<`) cannot be one and would only ever be refused or misread.
 */
const ID_PATTERN = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

/**
 * Splits pasted text into pieces that may be ids or links.
 * @param {string} input text typed or pasted by the user
 * @returns {string[]} the non-empty pieces, in order
 */
export function splitInput(input) {
  return String(input).split(SEPARATORS).filter((piece) => piece !== '');
}

/**
 * The dataset id named by a Prolific app link: the path segment after the last `datasets`
 * (`…/datasets/<id>`, `…/ai-task-builder/datasets/<id>/…`).
 * @param {string} piece one piece of pasted text
 * @returns {string | null | undefined} the id; null for a link that names no dataset; undefined
 *   when `piece` is not a link at all
 */
export function idFromLink(piece) {
  if (!/^https?:\/\//i.test(piece) && !/^(app\.)?prolific\.(com|co)\//i.test(piece)) return undefined;
  let url;
  try {
    url = new URL(/^https?:/i.test(piece) ? piece : `https://${piece}`);
  } catch {
    return null;
  }
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const at = segments.lastIndexOf('datasets');
  if (at === -1 || at + 1 >= segments.length) return null;
  let id;
  try {
    id = decodeURIComponent(segments[at + 1]);
  } catch {
    return null;
  }
  return isPossibleId(id) ? id : null;
}

/**
 * Whether a dataset could have this id.
 * @param {string} id
 * @returns {boolean} false for an empty or too long id, `.` and `..`, and any character outside
 *   letters, digits, `-`, `_`, `.`, `~`
 */
export function isPossibleId(id) {
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH && id !== '.' && id !== '..' && ID_PATTERN.test(id);
}

/**
 * Turns pasted text into ids.
 * @param {string} input
 * @returns {{ ids: string[], fromLinks: number, refused: string[], badLinks: string[] }} the ids
 *   in order (links replaced by their id), how many came from links, and the pieces refused
 */
export function parseInput(input) {
  const ids = [];
  const refused = [];
  const badLinks = [];
  let fromLinks = 0;
  for (const piece of splitInput(input)) {
    const linked = idFromLink(piece);
    if (linked === null) {
      badLinks.push(piece);
    } else if (linked !== undefined) {
      ids.push(linked);
      fromLinks += 1;
    } else if (isPossibleId(piece)) {
      ids.push(piece);
    } else {
      refused.push(piece);
    }
  }
  return { ids, fromLinks, refused, badLinks };
}

/**
 * Whether the address fragment holds an `ids=` part (possibly empty).
 * @param {string} hash `location.hash`
 * @returns {boolean}
 */
export function hashHasIds(hash) {
  return (hash.startsWith('#') ? hash.slice(1) : hash).split('&').some((part) => part.startsWith('ids='));
}

/**
 * The ids of the `#ids=a,b,c` fragment (each piece percent-decoded; badly encoded pieces are
 * returned as written, so that the caller refuses them with a message).
 * @param {string} hash `location.hash`
 * @returns {string[]}
 */
export function idsFromHash(hash) {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of fragment.split('&')) {
    if (!part.startsWith('ids=')) continue;
    return part.slice(4).split(',').filter((encoded) => encoded !== '').map((encoded) => {
      try {
        return decodeURIComponent(encoded);
      } catch {
        return encoded;
      }
    });
  }
  return [];
}

/**
 * The fragment for a list of ids.
 * @param {string[]} ids
 * @returns {string} `#ids=…`, or '' for no ids
 */
export function hashFor(ids) {
  return ids.length ? `#ids=${ids.map(encodeURIComponent).join(',')}` : '';
}

/**
 * A short, printable form of a refused piece for a message (the page sets it as text).
 * @param {string} piece
 * @returns {string}
 */
export function shown(piece) {
  const clean = String(piece).replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}
