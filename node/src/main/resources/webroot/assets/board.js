// The demo board: one paper's notes as cards, written by everyone at once.
// Plain ES module, no build step; all server traffic goes through /client/rolling-paper.js.
import { connect, newId, isValidPaperId } from '/client/rolling-paper.js';
import { loadName, saveName, rememberPaper } from '/assets/identity.js';
import { sessionFor } from '/assets/session.js';

const PALETTE = [
  ['yellow', '#fff3a0'], ['pink', '#ffc8dd'], ['blue', '#bde0fe'],
  ['green', '#caffbf'], ['orange', '#ffd6a5'], ['purple', '#e2c2ff'],
];
const COLORS = new Map(PALETTE);
const BOARD_W = 2400;
const BOARD_H = 1600;
const TEXT_PATCH_MS = 150; // typing: at most one text patch per 150 ms, the latest text last
const MOVE_PATCH_MS = 100; // dragging: at most one x/y patch per 100 ms, the final one on drop
const NUDGE = 10;
const NUDGE_BIG = 50;
const MAX_TEXT = 2000;
const CURSOR_IDLE_MS = 8000;
const LIST_MODE = window.matchMedia('(max-width: 640px)'); // phones: the board is a list (board.css)
const TYPING_IDLE_MS = 2500;

// ------------------------------------------------------------------ page and identity

const $ = (id) => document.getElementById(id);
const els = {
  title: $('paper-title'), badge: $('badge'), add: $('add-note'), complete: $('complete'),
  presence: $('presence'), rename: $('rename'), banner: $('banner'), scroller: $('scroller'),
  board: $('board'), empty: $('empty'), toast: $('toast'), copy: $('copy-link'),
  present: $('present'), print: $('print'), exitPresent: $('exit-present'), presentTitle: $('presentation-title'),
};

function paperIdFromLocation() {
  const m = location.pathname.match(/^\/p\/([^/]+)\/?$/);
  const raw = m ? m[1] : new URLSearchParams(location.search).get('paper') || '';
  try { return decodeURIComponent(raw); } catch { return ''; }
}

const paperId = paperIdFromLocation();
/** who this page is (user, name, role), from the token with auth on: session.js */
const session = sessionFor(paperId);

// ------------------------------------------------------------------ small helpers

/** leading + trailing throttle: `send()` reads the latest values itself */
function throttler(ms, send) {
  let timer = null;
  let pending = false;
  const fire = () => {
    pending = false;
    send();
    timer = setTimeout(() => { timer = null; if (pending) fire(); }, ms);
  };
  return {
    schedule() { if (timer) pending = true; else fire(); },
    flush() { if (pending) { clearTimeout(timer); timer = null; fire(); } },
    cancel() { clearTimeout(timer); timer = null; pending = false; },
    get pending() { return pending; },
  };
}

function hue(user) {
  let h = 0;
  for (const ch of String(user)) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const num = (v, d) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

function colorOf(note) {
  const c = note.color;
  if (COLORS.has(c)) return COLORS.get(c);
  if (typeof c === 'string' && /^#[0-9a-f]{3,8}$/i.test(c)) return c;
  return COLORS.get('yellow');
}

let toastTimer = null;
function toast(message) {
  els.toast.textContent = message;
  els.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { els.toast.hidden = true; }, 4000);
}

const FRIENDLY = {
  paper_completed: 'This paper is completed: it is read-only.',
  rate_limited: 'Too fast: the server is slowing you down a little.',
  paper_full: 'This paper is full: no more notes fit.',
  too_large: 'That note is too long.',
  not_found: 'That note was deleted meanwhile.',
  forbidden: 'You may not change that note.',
  unavailable: 'The server could not save that change; try again.',
  policy_violation: 'The server disconnected this page. Reload to join again.',
  message_too_big: 'The server refused a message as too large.',
};

// ------------------------------------------------------------------ state of this page

/** note id -> {el, bar, author, typing, colorBtn, delBtn, text} */
const cards = new Map();
/** note id -> {text: throttler, move: throttler, pos: {x,y} | null} */
const local = new Map();
let dragging = null; // {id, pointerId, offX, offY, moved}
let readOnly = false; // this page may not write: the paper is completed, or the role is viewer
let completed = false;
let zTop = 1;
let paper = null;
const people = new Map(); // user -> name, from presence (kept after they leave, for labels)
const cursors = new Map(); // user -> {el, timer}
const typingTimers = new Map(); // noteId -> timer
const mySignal = { cursor: null, typing: null };

function localOf(id) {
  let l = local.get(id);
  if (!l) {
    l = {
      pos: null,
      text: throttler(TEXT_PATCH_MS, () => {
        const c = cards.get(id);
        if (!c || readOnly || !paper.notes.has(id)) return;
        paper.patchNote(id, { text: c.text.value }).catch(() => {});
      }),
      move: throttler(MOVE_PATCH_MS, () => {
        if (!l.pos || readOnly || !paper.notes.has(id)) return;
        paper.patchNote(id, { x: Math.round(l.pos.x), y: Math.round(l.pos.y) }).catch(() => {});
      }),
    };
    local.set(id, l);
  }
  return l;
}

function nameOf(user, fallback) {
  if (user === session.user) return `${session.name} (you)`;
  return people.get(user) || fallback || guestName(user);
}

/** A readable name for someone we have no name for: the board's own random ids become "Guest 1a2b". */
function guestName(user) {
  const id = String(user);
  return id.startsWith('u-') ? `Guest ${id.slice(-4)}` : id;
}

function sendMySignal() {
  if (paper && !readOnly) paper.sendSignal({ cursor: mySignal.cursor, typing: mySignal.typing, name: session.name });
}

function boardPoint(ev) {
  const r = els.board.getBoundingClientRect();
  return { x: ev.clientX - r.left, y: ev.clientY - r.top };
}

// ------------------------------------------------------------------ cards

function createCard(id) {
  const el = document.createElement('article');
  el.className = 'note';
  el.tabIndex = 0;
  el.dataset.testid = 'note-card';
  el.dataset.noteId = id;
  el.setAttribute('aria-roledescription', 'note');

  const bar = document.createElement('div');
  bar.className = 'note-bar';
  bar.dataset.testid = 'note-handle';
  bar.title = 'Drag to move';

  const author = document.createElement('span');
  author.className = 'note-author';
  const typing = document.createElement('span');
  typing.className = 'note-typing';
  typing.dataset.testid = 'note-typing';
  typing.hidden = true;

  const colorBtn = document.createElement('button');
  colorBtn.type = 'button';
  colorBtn.className = 'note-btn note-color';
  colorBtn.dataset.testid = 'note-color-button';
  colorBtn.setAttribute('aria-label', 'Change the colour');
  colorBtn.title = 'Change the colour (C)';
  colorBtn.textContent = '●';

  const delBtn = document.createElement('button');
  delBtn.type = 'button';
  delBtn.className = 'note-btn note-delete';
  delBtn.dataset.testid = 'note-delete-button';
  delBtn.setAttribute('aria-label', 'Delete the note');
  delBtn.title = 'Delete (Delete key)';
  delBtn.textContent = '×';

  const text = document.createElement('textarea');
  text.className = 'note-text';
  text.dataset.testid = 'note-text';
  text.maxLength = MAX_TEXT;
  text.placeholder = 'Write something…';
  text.setAttribute('aria-label', 'Note text');
  text.spellcheck = true;

  // The text as plain text: shown instead of the textarea on a completed paper, where it also
  // prints whole (a textarea prints only its visible rows).
  const body = document.createElement('div');
  body.className = 'note-body';
  body.dataset.testid = 'note-body';

  bar.append(author, typing, colorBtn, delBtn);
  el.append(bar, text, body);
  els.board.append(el);
  const c = { el, bar, author, typing, colorBtn, delBtn, text, body };
  cards.set(id, c);

  text.addEventListener('input', () => {
    if (readOnly) return;
    localOf(id).text.schedule();
    if (mySignal.typing !== id) { mySignal.typing = id; }
    sendMySignal();
  });
  text.addEventListener('blur', () => {
    localOf(id).text.flush();
    if (mySignal.typing === id) { mySignal.typing = null; sendMySignal(); }
  });
  text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { ev.preventDefault(); el.focus(); }
  });
  el.addEventListener('keydown', (ev) => onCardKey(id, ev));
  colorBtn.addEventListener('click', () => recolor(id));
  delBtn.addEventListener('click', () => removeNote(id));
  bar.addEventListener('pointerdown', (ev) => startDrag(id, ev));
  bar.addEventListener('pointermove', (ev) => moveDrag(id, ev));
  bar.addEventListener('pointerup', (ev) => endDrag(id, ev));
  bar.addEventListener('pointercancel', (ev) => endDrag(id, ev));
  el.addEventListener('pointerdown', () => { el.style.zIndex = String(++zTop); });
  return c;
}

function renderCard(note, remote) {
  const id = note.id;
  const c = cards.get(id) || createCard(id);
  const l = local.get(id);
  const movingHere = (dragging && dragging.id === id) || (l && l.move.pending);
  if (!movingHere) {
    const x = clamp(num(note.x, 20), 0, BOARD_W - 60);
    const y = clamp(num(note.y, 20), 0, BOARD_H - 60);
    const prevX = c.el.style.left;
    const prevY = c.el.style.top;
    c.el.style.left = `${x}px`;
    c.el.style.top = `${y}px`;
    c.el.style.order = String(Math.round(y) * 10000 + Math.round(x)); // the list order on phones
    if (l) l.pos = { x, y };
    if (remote && (prevX !== `${x}px` || prevY !== `${y}px`) && prevX) c.el.style.zIndex = String(++zTop);
  }
  c.el.style.setProperty('--note-bg', colorOf(note));
  c.el.dataset.color = typeof note.color === 'string' ? note.color : 'yellow';
  const value = typeof note.text === 'string' ? note.text : '';
  if (c.text.value !== value) {
    const focused = document.activeElement === c.text;
    const dirty = l && l.text.pending;
    if (!focused) {
      c.text.value = value;
    } else if (remote && !dirty) {
      // someone else changed the text we are looking at: take it, keep the caret where it was
      const { selectionStart, selectionEnd } = c.text;
      c.text.value = value;
      c.text.setSelectionRange(Math.min(selectionStart, value.length), Math.min(selectionEnd, value.length));
    }
  }
  c.body.textContent = value;
  const by = note.author ? nameOf(note.author, note.authorName) : note.authorName || '';
  c.author.textContent = by;
  c.el.setAttribute('aria-label', `Note${by ? ` by ${by}` : ''}: ${value.slice(0, 60) || 'empty'}`);
  lockCard(c, note);
}

/** A writer changes only its own notes (the node refuses the rest): others' notes are shown locked. */
function lockCard(c, note) {
  // (a note of ours shown before its ack has no author yet)
  const locked = readOnly || (session.role === 'writer' && Boolean(note) && note.author !== undefined
    && note.author !== session.user);
  c.el.classList.toggle('locked', locked);
  c.text.readOnly = locked;
  c.colorBtn.disabled = locked;
  c.delBtn.disabled = locked;
}

function removeCard(id) {
  const c = cards.get(id);
  if (!c) return;
  if (dragging && dragging.id === id) dragging = null;
  const hadFocus = c.el.contains(document.activeElement);
  const next = c.el.nextElementSibling && c.el.nextElementSibling.classList.contains('note')
    ? c.el.nextElementSibling : c.el.previousElementSibling;
  c.el.remove();
  cards.delete(id);
  const l = local.get(id);
  if (l) { l.text.cancel(); l.move.cancel(); local.delete(id); }
  if (hadFocus) (next && next.classList.contains('note') ? next : els.add).focus();
}

function render(state, change) {
  const remote = change.type === 'snapshot' || (change.type === 'delta' && !change.mine);
  const ids = change.type === 'snapshot' ? new Set([...cards.keys(), ...state.notes.keys()]) : new Set(change.ids || []);
  for (const id of ids) {
    const note = state.notes.get(id);
    if (note) renderCard(note, remote);
    else removeCard(id);
  }
  els.empty.hidden = state.notes.size > 0;
  if (state.status === 'completed' && !completed) {
    completed = true;
    applyMode();
  }
}

// ------------------------------------------------------------------ actions

function addNote() {
  if (readOnly || !paper) return;
  const sc = els.scroller;
  const jitter = () => Math.round((Math.random() - 0.5) * 80);
  const w = els.board.querySelector('.note')?.offsetWidth || 200;
  let x = clamp(sc.scrollLeft + sc.clientWidth / 2 - w / 2 + jitter(), 0, BOARD_W - w);
  let y = clamp(sc.scrollTop + sc.clientHeight / 3 + jitter(), 0, BOARD_H - 120);
  // Cascade away from notes already there, so a new note never hides another.
  const taken = [...paper.notes.values()].filter((n) => typeof n.x === 'number' && typeof n.y === 'number');
  for (let i = 0; i < 12 && taken.some((p) => Math.abs(p.x - x) < 60 && Math.abs(p.y - y) < 60); i++) {
    x = clamp(x + 48, 0, BOARD_W - w);
    y = clamp(y + 36, 0, BOARD_H - 120);
  }
  const id = newId(10);
  const color = PALETTE[Math.floor(Math.random() * PALETTE.length)][0];
  paper.putNote({ id, text: '', x: Math.round(x), y: Math.round(y), color, authorName: session.name }).catch(() => {});
  const c = cards.get(id); // shown at once (optimistic)
  if (c) {
    c.el.style.zIndex = String(++zTop);
    c.text.focus();
  }
}

function recolor(id) {
  if (readOnly) return;
  const note = paper.notes.get(id);
  if (!note) return;
  const i = PALETTE.findIndex(([k]) => k === note.color);
  const next = PALETTE[(i + 1) % PALETTE.length][0];
  paper.patchNote(id, { color: next }).catch(() => {});
  const c = cards.get(id);
  if (c) c.colorBtn.setAttribute('aria-label', `Change the colour (now ${next})`);
}

function removeNote(id) {
  if (readOnly) return;
  const l = local.get(id);
  if (l) { l.text.cancel(); l.move.cancel(); }
  paper.deleteNote(id).catch(() => {});
}

function moveTo(id, x, y) {
  const c = cards.get(id);
  if (!c) return;
  const l = localOf(id);
  l.pos = { x: clamp(x, 0, BOARD_W - c.el.offsetWidth), y: clamp(y, 0, BOARD_H - 40) };
  c.el.style.left = `${l.pos.x}px`;
  c.el.style.top = `${l.pos.y}px`;
  c.el.style.order = String(Math.round(l.pos.y) * 10000 + Math.round(l.pos.x));
  l.move.schedule();
}

function onCardKey(id, ev) {
  if (ev.target !== cards.get(id)?.el) return; // keys inside the textarea or on buttons are theirs
  if (cards.get(id).el.classList.contains('locked') && ev.key !== 'Enter') return;
  const step = ev.shiftKey ? NUDGE_BIG : NUDGE;
  const c = cards.get(id);
  const x = parseFloat(c.el.style.left) || 0;
  const y = parseFloat(c.el.style.top) || 0;
  switch (ev.key) {
    case 'Enter':
      ev.preventDefault();
      c.text.focus();
      c.text.setSelectionRange(c.text.value.length, c.text.value.length);
      return;
    case 'Delete':
    case 'Backspace':
      ev.preventDefault();
      removeNote(id);
      return;
    case 'c':
    case 'C':
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      ev.preventDefault();
      recolor(id);
      return;
    case 'ArrowLeft': case 'ArrowRight': case 'ArrowUp': case 'ArrowDown': {
      if (readOnly) return;
      ev.preventDefault();
      const dx = ev.key === 'ArrowLeft' ? -step : ev.key === 'ArrowRight' ? step : 0;
      const dy = ev.key === 'ArrowUp' ? -step : ev.key === 'ArrowDown' ? step : 0;
      moveTo(id, x + dx, y + dy);
      c.el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      return;
    }
    default:
  }
}

function startDrag(id, ev) {
  const c = cards.get(id);
  if (readOnly || c.el.classList.contains('locked') || LIST_MODE.matches || ev.button !== 0 || ev.target.closest('button')) return;
  ev.preventDefault();
  c.bar.setPointerCapture(ev.pointerId);
  const p = boardPoint(ev);
  dragging = { id, pointerId: ev.pointerId, offX: p.x - (parseFloat(c.el.style.left) || 0), offY: p.y - (parseFloat(c.el.style.top) || 0), moved: false };
  c.el.classList.add('dragging');
  c.el.style.zIndex = String(++zTop);
}

function moveDrag(id, ev) {
  if (!dragging || dragging.id !== id || dragging.pointerId !== ev.pointerId) return;
  const p = boardPoint(ev);
  dragging.moved = true;
  moveTo(id, p.x - dragging.offX, p.y - dragging.offY);
  mySignal.cursor = { x: Math.round(p.x), y: Math.round(p.y) };
  sendMySignal();
}

function endDrag(id, ev) {
  if (!dragging || dragging.id !== id || dragging.pointerId !== ev.pointerId) return;
  const c = cards.get(id);
  dragging = null;
  if (c) {
    c.el.classList.remove('dragging');
    try { c.bar.releasePointerCapture(ev.pointerId); } catch { /* released */ }
  }
  localOf(id).move.flush(); // the final position
}

/**
 * Shows what this page may do: writing controls only while the paper is open and the role writes,
 * "Complete paper" only to owners, the presentation view only once the paper is completed.
 */
function applyMode() {
  const on = completed || session.role === 'viewer';
  document.body.classList.toggle('completed', completed);
  document.body.dataset.role = session.role;
  els.add.hidden = on;
  els.add.disabled = on;
  els.complete.hidden = completed || session.role !== 'owner';
  els.complete.disabled = els.complete.hidden;
  els.rename.hidden = session.auth; // with auth on the name comes from the token
  els.present.hidden = !completed;
  if (completed) {
    els.banner.textContent = 'This paper is completed. It is read-only now.';
    els.banner.hidden = false;
  } else if (session.role === 'viewer' && session.user) { // (no user yet: the hook's token is on its way)
    els.banner.textContent = 'You can read this paper; writing on it is for its writers.';
    els.banner.hidden = false;
  } else {
    els.banner.hidden = true;
  }
  if (on === readOnly) return;
  readOnly = on;
  if (on) {
    for (const l of local.values()) { l.text.cancel(); l.move.cancel(); }
    dragging = null;
  }
  for (const [id, c] of cards) lockCard(c, paper && paper.notes.get(id));
}

// ------------------------------------------------------------------ presentation view

/** Full screen (where the browser allows it), the notes laid out for reading, printable. */
function present(on) {
  document.body.classList.toggle('presenting', on);
  const fullscreen = document.fullscreenElement;
  if (on && !fullscreen && document.documentElement.requestFullscreen) {
    document.documentElement.requestFullscreen().catch(() => { /* refused: the page view is enough */ });
  } else if (!on && fullscreen && document.exitFullscreen) {
    document.exitFullscreen().catch(() => {});
  }
  (on ? els.exitPresent : els.present).focus();
}

async function completePaper() {
  if (readOnly) return;
  if (!confirm('Complete this paper? Nobody can change it afterwards.')) return;
  els.complete.disabled = true;
  try {
    // With auth off (the demo), the page calls the node's HTTP API itself. When an API key guards
    // the HTTP API, this must go through the main backend instead (it checks that the user owns
    // the paper and calls POST /api/papers/{id}/complete with the key).
    if (session.complete) {
      await session.complete(paperId);
      completed = true;
      applyMode();
      return;
    }
    const res = await fetch(`/api/papers/${encodeURIComponent(paperId)}/complete`, { method: 'POST' });
    if (res.status === 401) throw new Error('the node\'s API is guarded: your app\'s backend completes papers');
    if (!res.ok) {
      let msg = `${res.status}`;
      try { const body = await res.json(); msg = body.message || body.code || msg; } catch { /* no body */ }
      throw new Error(msg);
    }
    completed = true; // the completed frame follows anyway
    applyMode();
  } catch (e) {
    els.complete.disabled = false;
    toast(`Could not complete the paper: ${e.message}`);
  }
}

// ------------------------------------------------------------------ presence, cursors, signals

function renderPresence(list) {
  for (const p of list) people.set(p.user, p.name || guestName(p.user));
  const me = session.user;
  const sorted = [...list].sort((a, b) => (a.user === me ? -1 : b.user === me ? 1 : nameOf(a.user).localeCompare(nameOf(b.user))));
  els.presence.replaceChildren(...sorted.map((p) => {
    const li = document.createElement('li');
    li.dataset.testid = 'presence-item';
    li.dataset.user = p.user;
    li.style.setProperty('--user-hue', String(hue(p.user)));
    li.textContent = nameOf(p.user, p.name);
    return li;
  }));
  els.presence.setAttribute('aria-label', `${list.length} ${list.length === 1 ? 'person' : 'people'} here`);
  const here = new Set(list.map((p) => p.user));
  for (const user of cursors.keys()) if (!here.has(user)) dropCursor(user);
}

function dropCursor(user) {
  const cur = cursors.get(user);
  if (!cur) return;
  clearTimeout(cur.timer);
  cur.el.remove();
  cursors.delete(user);
}

function onSignal({ by, data }) {
  if (!data || typeof data !== 'object' || by === undefined) return;
  if (typeof data.name === 'string' && !people.has(by)) people.set(by, data.name.slice(0, 40));
  if (data.cursor && Number.isFinite(data.cursor.x) && Number.isFinite(data.cursor.y)) {
    let cur = cursors.get(by);
    if (!cur) {
      const el = document.createElement('div');
      el.className = 'cursor';
      el.dataset.testid = 'remote-cursor';
      el.dataset.user = by;
      el.setAttribute('aria-hidden', 'true');
      el.style.setProperty('--user-hue', String(hue(by)));
      const label = document.createElement('span');
      el.append(label);
      els.board.append(el);
      cur = { el, label, timer: null };
      cursors.set(by, cur);
    }
    cur.label.textContent = nameOf(by, data.name);
    cur.el.style.transform = `translate(${clamp(data.cursor.x, 0, BOARD_W)}px, ${clamp(data.cursor.y, 0, BOARD_H)}px)`;
    cur.el.hidden = false;
    clearTimeout(cur.timer);
    cur.timer = setTimeout(() => { cur.el.hidden = true; }, CURSOR_IDLE_MS);
  } else if (data.cursor === null && cursors.has(by)) {
    cursors.get(by).el.hidden = true;
  }
  if (typeof data.typing === 'string' && cards.has(data.typing)) {
    const id = data.typing;
    const c = cards.get(id);
    c.typing.textContent = `${nameOf(by, data.name)} is typing…`;
    c.typing.hidden = false;
    clearTimeout(typingTimers.get(id));
    typingTimers.set(id, setTimeout(() => { const cc = cards.get(id); if (cc) cc.typing.hidden = true; }, TYPING_IDLE_MS));
  }
}

// ------------------------------------------------------------------ connection badge

const BADGE = {
  connecting: ['reconnecting', 'Connecting…'],
  live: ['live', 'Live'],
  reconnecting: ['reconnecting', 'Reconnecting…'],
  offline: ['offline', 'Offline'],
  closed: ['offline', 'Offline'],
  unauthorized: ['offline', 'Not signed in'],
  forbidden: ['offline', 'No access'],
  not_found: ['offline', 'Not found'],
};

/** what a refused join means for the person looking at the page */
const REFUSED = {
  unauthorized: 'This paper needs a sign-in: open it from the link your app gave you (it carries your access).',
  forbidden: 'Your access does not cover this paper.',
  not_found: 'This paper does not exist (any more).',
};

function setBadge(status) {
  const [state, label] = BADGE[status] || ['offline', status];
  els.badge.dataset.state = state;
  els.badge.dataset.connection = status;
  els.badge.className = `badge ${state}`;
  els.badge.textContent = label;
}

// ------------------------------------------------------------------ start

function start() {
  if (!isValidPaperId(paperId)) {
    els.title.textContent = 'No such paper';
    els.banner.textContent = 'This address does not name a paper. Paper ids are 1 to 64 letters, digits, "-" or "_".';
    els.banner.hidden = false;
    setBadge('offline');
    els.add.disabled = true;
    els.complete.disabled = true;
    return;
  }
  document.title = `${paperId} · Rolling Paper Live`;
  els.title.textContent = paperId;
  els.board.style.width = `${BOARD_W}px`;
  els.board.style.height = `${BOARD_H}px`;
  rememberPaper(paperId);
  if (!session.auth && !loadName()) saveName(session.name);
  applyMode();

  paper = connect(location.origin, paperId, {
    ...(session.auth ? { token: session.token } : { user: session.user, name: session.name }),
    onState: render,
    onPresence: renderPresence,
    onSignal,
    onStatus: (status, info) => {
      setBadge(status);
      document.body.classList.toggle('refused', Boolean(REFUSED[status]));
      if (REFUSED[status]) {
        els.banner.textContent = REFUSED[status];
        els.banner.hidden = false;
        els.add.disabled = true;
        els.complete.disabled = true;
      }
      if (status === 'live') applyMode(); // a hook's token may have told the role just now
      if (status === 'closed' && info && info.code === 1000) {
        els.banner.textContent = 'This paper is no longer available (it was deleted).';
        els.banner.hidden = false;
        els.add.disabled = true;
        els.complete.disabled = true;
      }
      if (status === 'live' && info && info.epochChanged) toast('The paper was reloaded from the server.');
    },
    onError: (err) => {
      if (err.cid == null && REFUSED[err.code]) return; // a refused join: the banner says it
      if (FRIENDLY[err.code]) toast(FRIENDLY[err.code]);
      else console.warn('rolling paper:', err.code, err.message);
    },
  });
  window.rollingPaper = paper; // for debugging in the console and for browser tests

  els.add.addEventListener('click', addNote);
  els.complete.addEventListener('click', completePaper);
  els.presentTitle.textContent = paperId;
  els.present.addEventListener('click', () => present(true));
  els.exitPresent.addEventListener('click', () => present(false));
  els.print.addEventListener('click', () => window.print());
  document.addEventListener('fullscreenchange', () => {
    if (!document.fullscreenElement && document.body.classList.contains('presenting')) present(false);
  });
  els.rename.addEventListener('click', () => {
    const name = prompt('Your name, as the others see it:', loadName() || session.name);
    if (name === null) return;
    saveName(name);
    location.reload();
  });
  els.copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      toast('Link copied: send it to the others.');
    } catch {
      toast(location.href);
    }
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(t.tagName));
    if (ev.key === 'Escape' && document.body.classList.contains('presenting')) {
      present(false);
      return;
    }
    if ((ev.key === 'n' || ev.key === 'N') && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      addNote();
    }
  });
  els.board.addEventListener('pointermove', (ev) => {
    if ((ev.pointerType === 'touch' && !dragging) || LIST_MODE.matches) return;
    const p = boardPoint(ev);
    mySignal.cursor = { x: Math.round(p.x), y: Math.round(p.y) };
    sendMySignal();
  });
  els.board.addEventListener('pointerleave', () => {
    if (dragging) return;
    mySignal.cursor = null;
    sendMySignal();
  });
  window.addEventListener('pagehide', () => {
    for (const l of local.values()) { l.text.flush(); l.move.flush(); }
  });
}

start();
