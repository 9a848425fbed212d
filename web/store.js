/**
 * What survives a reload: the list of ids and whether Watch was on, in localStorage (never a
 * token). The `#ids=` link wins over it when present (see app.js).
 * @module
 */

const KEY = 'prolific-dataset-status:dashboard';

/**
 * The saved state.
 * @returns {{ ids: string[], watch: boolean }} empty when nothing (or nothing readable) is saved
 */
export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    const ids = Array.isArray(saved?.ids) ? saved.ids.filter((id) => typeof id === 'string') : [];
    return { ids, watch: saved?.watch === true };
  } catch {
    // Storage refused (private mode, a policy) or a hand-edited value: start empty.
    return { ids: [], watch: false };
  }
}

/**
 * Saves the state.
 * @param {{ ids: string[], watch: boolean }} state
 */
export function save({ ids, watch }) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ids, watch }));
  } catch {
    // Storage full or refused: the link still holds the list.
  }
}
