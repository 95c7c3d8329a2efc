// Who this page is on the paper, and what it may do there.
//
// Auth off (the demo): a random user id kept in localStorage, and every connection is an owner.
// Auth on: the main backend hands the page a JWT, either in the URL fragment (`/p/ID#token=JWT`,
// read once and removed from the address bar, so it is neither bookmarked nor shown; kept in
// sessionStorage for reloads of this tab) or through a hook the embedding page defines before
// board.js runs:
//
//   window.rollingPaperBoard = {
//     token: (paperId) => fetch(...).then(r => r.text()),   // called before every (re)connect
//     complete: (paperId) => fetch(...),                    // "Complete paper", via your backend
//   };
//
// The token's claims only shape the page (whose notes are "you", whether "Complete paper" shows);
// the node checks the signature and enforces the role whatever the page shows.
import { loadUser, displayName } from '/assets/identity.js';

const TOKEN_KEY = 'rollingPaper.token.';

function stored(paperId) {
  try { return sessionStorage.getItem(TOKEN_KEY + paperId); } catch { return null; }
}
function store(paperId, token) {
  try { sessionStorage.setItem(TOKEN_KEY + paperId, token); } catch { /* private mode: not kept */ }
}

/** the token in `#token=…`, removed from the address bar; null if there is none */
function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  return token;
}

/** the JWT's claims, unverified (the node verifies); {} when it is no readable JWT */
export function claimsOf(token) {
  try {
    const part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(part), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

const ROLES = new Set(['viewer', 'writer', 'owner']);

/**
 * This page's identity on `paperId`: `{ user, name, role, auth, token, complete, withToken }`.
 * `auth` is true when a token came from the fragment or the hook; `token` is the function for
 * connect(...) (undefined with auth off); `withToken(t)` records a newer token's claims.
 */
export function sessionFor(paperId) {
  const hook = typeof window.rollingPaperBoard === 'object' && window.rollingPaperBoard ? window.rollingPaperBoard : {};
  let token = takeTokenFromFragment() || stored(paperId);
  const hookToken = typeof hook.token === 'function' ? hook.token : null;
  const session = {
    auth: Boolean(token || hookToken),
    user: null,
    name: '',
    role: 'owner', // auth off: every connection is an owner (PROTOCOL.md, Roles)
    complete: typeof hook.complete === 'function' ? hook.complete : null,
    token: undefined,
    withToken(t) {
      const c = claimsOf(t);
      if (typeof c.sub === 'string') session.user = c.sub;
      session.name = typeof c.name === 'string' && c.name.trim() ? c.name.trim().slice(0, 40) : session.user || '';
      session.role = ROLES.has(c.role) ? c.role : 'viewer';
    },
  };
  if (!session.auth) {
    session.user = loadUser();
    session.name = displayName(session.user);
    return session;
  }
  session.role = 'viewer'; // until a token tells more: nothing to offer that the node would refuse
  if (token) {
    store(paperId, token);
    session.withToken(token);
  }
  // With a hook, the fragment's token is used first and the hook asked for every later one.
  session.token = async () => {
    if (token) { const t = token; token = null; return t; }
    const t = await hookToken(paperId);
    if (t) { store(paperId, t); session.withToken(t); }
    return t;
  };
  if (!hookToken) {
    const only = stored(paperId);
    session.token = () => only;
  }
  return session;
}
