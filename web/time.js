/**
 * Times people can read: "12 s ago", "3 min ago" with the full date and time on hover, and how
 * long a dataset has been in its status.
 * @module
 */

const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/**
 * The full date and time, for a title attribute.
 * @param {Date} date
 * @returns {string}
 */
export function fullDate(date) {
  return fullFormat.format(date);
}

/**
 * A duration in words: "5 s", "3 min", "2 h 5 min", "3 d".
 * @param {number} ms a duration in milliseconds (negative counts as 0)
 * @returns {string}
 */
export function duration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/**
 * "now", "12 s ago", "3 min ago", "2 hr. ago" (the browser's own words for its language).
 * @param {Date} date a time in the past
 * @param {number} [now=Date.now()] the current time, in ms since the epoch
 * @returns {string}
 */
export function relative(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (seconds > -5) return 'just now';
  if (seconds > -60) return relativeFormat.format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes > -60) return relativeFormat.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (hours > -24) return relativeFormat.format(hours, 'hour');
  return relativeFormat.format(Math.round(hours / 24), 'day');
}

/**
 * A <time> element showing `date` relative to now, with the full date as its title; refreshed by
 * refreshTimes().
 * @param {Date} date
 * @returns {HTMLTimeElement}
 */
export function timeElement(date) {
  const element = document.createElement('time');
  element.dateTime = date.toISOString();
  element.title = fullDate(date);
  element.dataset.relative = 'true';
  element.textContent = relative(date);
  return element;
}

/**
 * Brings every relative time under `root` up to date.
 * @param {ParentNode} root
 */
export function refreshTimes(root) {
  const now = Date.now();
  for (const element of root.querySelectorAll('time[data-relative]')) {
    const text = relative(new Date(element.dateTime), now);
    if (element.textContent !== text) element.textContent = text;
  }
  for (const element of root.querySelectorAll('[data-since]')) {
    const text = `for ${duration(now - Number(element.dataset.since))}`;
    if (element.textContent !== text) element.textContent = text;
  }
}
