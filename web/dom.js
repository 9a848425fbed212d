/**
 * Building elements. Text is always set as text (textContent), never parsed as HTML.
 * @module
 */

/**
 * Creates an element.
 * @param {string} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string> }} [init]
 * @returns {HTMLElement}
 */
export function el(tag, { className, text, attrs } = {}) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  return element;
}

/**
 * The element with this id.
 * @param {string} id
 * @returns {HTMLElement}
 * @throws {Error} when the page has none
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page is missing #${id}`);
  return element;
}

/**
 * "1 dataset", "3 datasets".
 * @param {number} count
 * @param {string} one
 * @param {string} [many]
 * @returns {string}
 */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

let pending = [];
let timer = 0;

/**
 * Says `message` to screen readers (the page's aria-live region), batching what is said at once.
 * @param {string} message
 */
export function announce(message) {
  pending.push(message);
  if (timer) return;
  timer = setTimeout(() => {
    timer = 0;
    const region = document.getElementById('announcer');
    if (region) region.textContent = pending.join(' ');
    pending = [];
  }, 50);
}
