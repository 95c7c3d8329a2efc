// Identity of the demo with auth off: a random user id and a display name, both kept in
// localStorage, and the list of recently opened papers. (With auth on, the main backend would
// hand the page a token instead.)
import { newId } from '/client/rolling-paper.js';

const USER_KEY = 'rollingPaper.user';
const NAME_KEY = 'rollingPaper.name';
const RECENT_KEY = 'rollingPaper.recent';

function get(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}
function set(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode: not kept */ }
}

/** this browser's user id (random, kept) */
export function loadUser() {
  let u = get(USER_KEY);
  if (!u || !/^[A-Za-z0-9_-]{1,64}$/.test(u)) {
    u = `u-${newId(10)}`;
    set(USER_KEY, u);
  }
  return u;
}

/** the display name, '' if none was given */
export function loadName() {
  return (get(NAME_KEY) || '').slice(0, 40);
}

export function saveName(name) {
  set(NAME_KEY, String(name || '').trim().slice(0, 40));
}

/** the name to show for this browser: the saved name or "Guest 1a2b" */
export function displayName(user) {
  return loadName() || `Guest ${user.slice(-4)}`;
}

export function recentPapers() {
  try {
    const list = JSON.parse(get(RECENT_KEY) || '[]');
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string').slice(0, 8) : [];
  } catch {
    return [];
  }
}

export function rememberPaper(id) {
  const list = [id, ...recentPapers().filter((x) => x !== id)].slice(0, 8);
  set(RECENT_KEY, JSON.stringify(list));
}
