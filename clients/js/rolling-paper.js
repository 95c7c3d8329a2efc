// Rolling Paper Live: the client library (protocol v1.1, see docs/PROTOCOL.md).
//
// An ES module with no dependencies: the npm package @rolling-paper/client, also served by every
// node at /client/rolling-paper.js (copied into the node's jar at build time from clients/js).
// Works in browsers and in Node 20+ (pass a WebSocket implementation, e.g. the `ws` package,
// as the `WebSocket` option there).
//
//   import { connect } from '/client/rolling-paper.js';
//   const paper = connect(location.origin, 'my-paper', {
//     user: 'u-42', name: 'Ada',
//     onState: (state, change) => render(state.notes),
//   });
//   paper.on('status', (status) => { badge.textContent = status; });
//   await paper.ready;
//   await paper.putNote({ id: 'n1', text: 'Happy birthday!', x: 10, y: 20 });
//   await paper.patchNote('n1', { text: 'Happy birthday, Bob!' });
//   paper.sendSignal({ cursor: { x: 100, y: 80 } });
//   paper.close();

const PAPER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const NOTE_ID_RE = PAPER_ID_RE;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const encoder = new TextEncoder();

/** The events of {@link PaperConnection#on} and the constructor option that also receives each. */
const EVENT_OPTIONS = Object.freeze({
  state: 'onState', status: 'onStatus', presence: 'onPresence', signal: 'onSignal', error: 'onError',
});

/** Close codes that refuse a join in-band (PROTOCOL.md "Endpoint"), and their error codes. */
const REFUSAL_CODES = Object.freeze({ 4401: 'unauthorized', 4403: 'forbidden', 4404: 'not_found', 4429: 'rate_limited' });

/**
 * An error of the client library: an `error` frame refused an op or a join (its `code` is one
 * of PROTOCOL.md's codes: `bad_op`, `not_found`, `paper_completed`, `rate_limited`,
 * `unauthorized`, `forbidden`, …), or a condition found by the client itself (`paper_completed`
 * known locally, `too_large`, `bad_op`, `closed`, `policy_violation`, `message_too_big`,
 * `connection_failed`, `resync`, `heartbeat`). A refused join also carries `closeCode`.
 */
export class RollingPaperError extends Error {
  /**
   * @param {string} code machine-readable code
   * @param {string} message human-readable message
   * @param {object} [extra] more fields (`cid`, `op`, `closeCode`, …) copied onto the error
   */
  constructor(code, message, extra) {
    super(message || code);
    this.name = 'RollingPaperError';
    /** @type {string} */
    this.code = code;
    /** @type {string|null|undefined} the `cid` of the refused op, when an op was refused */
    this.cid = undefined;
    /** @type {object|undefined} the refused op */
    this.op = undefined;
    /** @type {number|undefined} the WebSocket close code, when a close caused this error */
    this.closeCode = undefined;
    if (extra) Object.assign(this, extra);
  }
}

/**
 * A random id made of `[A-Za-z0-9]`, usable as a note id, a paper id or a user id.
 * @param {number} [length=12]
 * @returns {string}
 */
export function newId(length = 12) {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

/** @param {string} id @returns {boolean} true for a valid paper id (1 to 64 of `[A-Za-z0-9_-]`) */
export function isValidPaperId(id) {
  return typeof id === 'string' && PAPER_ID_RE.test(id);
}

/**
 * A note: `id` (1 to 64 characters of `[A-Za-z0-9_-]`), `author` (set by the server: the user
 * id that created it) and any other field the application wants (`text`, `x`, `y`, `color`, …).
 * @typedef {{ id: string, author?: string } & Record<string, any>} Note
 */

/**
 * A note to put: as {@link Note}, but `id` may be left out (a random one is given) and
 * `author` is ignored.
 * @typedef {{ id?: string } & Record<string, any>} NoteInput
 */

/**
 * An op (PROTOCOL.md "Client to server").
 * @typedef {{ kind: 'note.put', note: Note }
 *   | { kind: 'note.patch', id: string, fields: Record<string, any> }
 *   | { kind: 'note.delete', id: string }} Op
 */

/**
 * An accepted op, as the `delta` frame that acknowledged it.
 * @typedef {object} Delta
 * @property {number} seq its seq
 * @property {string} by the user id that sent it
 * @property {string|null} cid the sender's correlation id
 * @property {Op} op the op as applied (a `note.put` carries the note as stored, `author` included)
 */

/**
 * @typedef {object} PresenceEntry
 * @property {string} user
 * @property {string} [name]
 */

/**
 * The paper as the client shows it.
 * @typedef {object} PaperState
 * @property {string} paper the paper id
 * @property {string|null} epoch the history the seq belongs to (null before the first snapshot)
 * @property {number} seq the last applied seq
 * @property {'open'|'completed'|null} status the paper's status (null before the first snapshot)
 * @property {Map<string, Note>} notes the notes shown: the server's state with this
 *   client's pending ops applied on top (optimistic). Read-only; note objects are frozen
 *   and replaced (not mutated) when they change.
 * @property {Map<string, Note>} confirmed the server's state as of `seq`, without pending ops
 * @property {PresenceEntry[]} presence who is on the paper (this client included)
 * @property {ConnectionStatus} connection the connection status
 * @property {number} pending how many ops wait for their ack
 */

/**
 * `connecting` (first attempt), `live` (joined: snapshot or resume received),
 * `reconnecting` (waiting to retry or retrying), `offline` (the browser is offline,
 * or stopped after a 1008/1009 close or too many retries: call `reconnect()`),
 * `closed` (after `close()` or a 1000 close from the server, e.g. the paper was deleted).
 * The join was refused and the client stopped: `unauthorized` (4401: no, bad or expired
 * token, and the `token` function gave no better one; `reconnect({token})` to go on),
 * `forbidden` (4403: the token does not cover this paper), `not_found` (4404: the paper was
 * deleted, or a viewer joined a paper that does not exist).
 * @typedef {'connecting'|'live'|'reconnecting'|'offline'|'closed'|'unauthorized'|'forbidden'|'not_found'} ConnectionStatus
 */

/**
 * The second argument of a `status` listener.
 * @typedef {object} StatusInfo
 * @property {number} [code] the close code that caused this status
 * @property {string} [reason] the close reason
 * @property {number} [attempt] failed tries in a row (when `reconnecting`)
 * @property {number} [delay] ms until the next try (when `reconnecting`)
 * @property {boolean} [snapshot] `live` after a snapshot
 * @property {boolean} [resumed] `live` after a resume
 * @property {boolean} [epochChanged] `live` after a snapshot of another epoch
 * @property {string} [epoch]
 * @property {number} [seq]
 * @property {number} [from]
 */

/**
 * The second argument of a `presence` listener: who came and went (`reset`: the whole list
 * was replaced, after a snapshot or a resume).
 * @typedef {object} PresenceChange
 * @property {PresenceEntry[]} joined
 * @property {string[]} left user ids
 * @property {boolean} [reset]
 */

/**
 * Another session's signal.
 * @typedef {object} Signal
 * @property {string} by the sender's user id
 * @property {any} data what it sent
 */

/**
 * The events of a {@link PaperConnection} and their listeners (see `on`). The constructor
 * options `onState`, `onStatus`, `onPresence`, `onSignal` and `onError` receive the same.
 * @typedef {object} PaperEvents
 * @property {(state: PaperState, change: StateChange) => void} state the paper state changed
 * @property {(status: ConnectionStatus, info: StatusInfo) => void} status the connection status changed
 * @property {(presence: PresenceEntry[], change: PresenceChange) => void} presence who is on the paper changed
 * @property {(signal: Signal) => void} signal another session's signal
 * @property {(error: RollingPaperError) => void} error every `error` frame (an op's too, besides
 *   rejecting its Promise) and connection problems (refusals, 1008, 1009, 1000 close, resyncs)
 */

/**
 * What changed, the second argument of `onState`.
 * @typedef {object} StateChange
 * @property {'snapshot'|'delta'|'local'|'ack'|'rejected'|'completed'} type
 *   `snapshot`: the whole state was replaced (first join, new epoch, or a node's fresh
 *   snapshot); `delta`: an accepted op was applied (`mine` true for this client's own);
 *   `local`: an op of this client was queued and is shown optimistically;
 *   `rejected`: an op of this client was refused and its optimistic effect undone;
 *   `completed`: the paper was finalized.
 * @property {string[]} [ids] the note ids whose shown value may have changed
 * @property {object} [delta] for `delta`: the delta frame
 * @property {boolean} [mine] for `delta`: the op is one of this client's
 * @property {boolean} [epochChanged] for `snapshot`: the epoch differs from the previous one
 * @property {RollingPaperError} [error] for `rejected`
 */

/**
 * @typedef {object} ConnectOptions
 * @property {string|(() => string|Promise<string>)} [token] the JWT (auth on); a function is
 *   called before every (re)connect, so a refusal as `unauthorized` (4401) or a 1008 close
 *   (token expired) is retried once with the token it returns (not at all if it returns the
 *   same token); refused again, the client stops
 * @property {string} [user] the user id when auth is off
 * @property {string} [name] the user's display name when auth is off
 * @property {new (url: string) => object} [WebSocket] the WebSocket implementation (default: the
 *   global one; required in Node 20, e.g. `import WebSocket from 'ws'`)
 * @property {PaperEvents['state']} [onState] a first `state` listener (see {@link PaperEvents})
 * @property {PaperEvents['presence']} [onPresence] a first `presence` listener
 * @property {PaperEvents['signal']} [onSignal] a first `signal` listener
 * @property {PaperEvents['status']} [onStatus] a first `status` listener
 * @property {PaperEvents['error']} [onError] a first `error` listener
 * @property {number} [signalInterval=50] the least time between two signals sent, in ms (~20/s);
 *   the latest signal of a burst is sent at the end of it
 * @property {number} [initialBackoff=500] the first reconnect delay, in ms (doubled each failed try)
 * @property {number} [maxBackoff=15000] the greatest reconnect delay, in ms
 * @property {number} [maxRetries=Infinity] failed tries in a row before giving up (status `offline`)
 * @property {number} [ackTimeout=20000] an op not acknowledged within this time, while live, makes
 *   the client reconnect and resume (0: never)
 * @property {number} [maxFrameBytes=65536] frames larger than this are not sent: the op is rejected
 *   with `too_large` instead of provoking a 1009 close
 * @property {number} [heartbeatInterval=25000] the server's heartbeat interval, in ms: a socket on
 *   which nothing at all (not even a `ping` frame) arrived for two intervals is dropped and the
 *   client resumes on a new one (0: never)
 */

/**
 * Joins a paper and keeps it in sync: applies the snapshot and the deltas in seq order,
 * reconnects with jittered exponential back-off and resumes with `since`/`epoch`.
 *
 * @param {string|null|undefined} url the node or balancer: `ws://host:port`, `wss://host`, `http(s)://…`
 *   (turned into ws(s)), optionally with a path prefix; the endpoint is `{url}/ws/{paperId}`.
 *   In a browser, null or undefined means the page's origin.
 * @param {string} paperId 1 to 64 characters of `[A-Za-z0-9_-]`
 * @param {ConnectOptions} [options]
 * @returns {PaperConnection}
 */
export function connect(url, paperId, options = {}) {
  return new PaperConnection(url, paperId, options);
}

/** The handle returned by {@link connect}. */
export class PaperConnection {
  /** @private */
  constructor(url, paperId, options = {}) {
    if (!isValidPaperId(paperId)) {
      throw new RollingPaperError('bad_paper_id', `invalid paper id: ${JSON.stringify(paperId)}`);
    }
    const WS = options.WebSocket || globalThis.WebSocket;
    if (typeof WS !== 'function') {
      throw new RollingPaperError('no_websocket',
        'no WebSocket implementation: pass one as the WebSocket option (e.g. the ws package in Node)');
    }
    /** @private */ this._WS = WS;
    /** @private */ this._opts = {
      signalInterval: 50, initialBackoff: 500, maxBackoff: 15000, maxRetries: Infinity,
      ackTimeout: 20000, maxFrameBytes: 65536, heartbeatInterval: 25000, ...options,
    };
    /** @private @type {Map<string, Set<Function>>} the listeners added with `on`, per event */
    this._listeners = new Map();
    /** @private */ this._endpoint = endpointUrl(url, paperId);
    /** @private */ this._paperId = paperId;
    /** @private */ this._selfUser = options.user || (typeof options.token === 'string' ? jwtSubject(options.token) : null);

    /** @private */ this._socket = null;
    /** @private */ this._gen = 0; // bumped whenever a socket is abandoned, so its late events are ignored
    /** @private */ this._connection = 'connecting';
    /** @private */ this._joined = false; // the current socket got its snapshot or resumed frame
    /** @private */ this._catchUpTo = null; // after `resumed`: the seq the replay reaches

    /** @private */ this._epoch = null;
    /** @private */ this._seq = 0;
    /** @private */ this._status = null;
    /** @private */ this._hasState = false;
    /** @private */ this._confirmed = new Map();
    /** @private */ this._view = new Map();
    /** @private */ this._presence = new Map();

    /** @private @type {Array<PendingOp>} */
    this._pending = [];
    /** @private */ this._pendingByCid = new Map();
    /** @private */ this._cidPrefix = newId(8);
    /** @private */ this._cidCounter = 0;

    /** @private */ this._attempt = 0; // failed tries in a row
    /** @private */ this._fastRetryUsed = false; // the one immediate retry allowed since the last join
    /** @private */ this._tokenRetried = false; // the token function was asked for a new token since the last join
    /** @private */ this._needNewToken = null; // after a 4401/1008: how to stop if the token function's token is the same
    /** @private */ this._lastToken = undefined; // the token the current socket was opened with
    /** @private */ this._refusal = null; // the `error` frame (cid null) received before the join, if any
    /** @private */ this._retryTimer = null;
    /** @private */ this._ackTimer = null;
    /** @private */ this._heartbeatTimer = null;
    /** @private */ this._closed = false;
    /** @private */ this._sig = { last: 0, timer: null, has: false, data: undefined };

    /** @private @type {(state: PaperState) => void} */
    this._readyResolve = () => {};
    /** @private @type {(error: RollingPaperError) => void} */
    this._readyReject = () => {};
    /**
     * Resolves with the state once the first snapshot (or resume) arrived; rejects if the
     * connection stops for good before that (a refused join, a 1000, 1008 or 1009 close,
     * `close()`) with a {@link RollingPaperError} whose `code` says why (`unauthorized`,
     * `forbidden`, `not_found`, `closed`, …).
     * @type {Promise<PaperState>}
     */
    this.ready = new Promise((resolve, reject) => { this._readyResolve = resolve; this._readyReject = reject; });
    this.ready.catch(() => {});

    /** @private */ this._onOnline = () => {
      if (this._retryTimer && !this._closed) { clearTimeout(this._retryTimer); this._retryTimer = null; this._open(); }
    };
    if (typeof globalThis.addEventListener === 'function' && typeof globalThis.navigator === 'object') {
      globalThis.addEventListener('online', this._onOnline);
    }
    this._open();
  }

  // ------------------------------------------------------------------ public API

  /** @returns {string} the paper id */
  get paperId() { return this._paperId; }
  /** @returns {Map<string, Note>} the notes shown (optimistic): read-only */
  get notes() { return this._view; }
  /** @returns {number} the last applied seq */
  get seq() { return this._seq; }
  /** @returns {string|null} the epoch of the state */
  get epoch() { return this._epoch; }
  /** @returns {'open'|'completed'|null} the paper's status */
  get status() { return this._status; }
  /** @returns {ConnectionStatus} the connection status */
  get connection() { return this._connection; }
  /** @returns {PresenceEntry[]} who is on the paper */
  get presence() { return [...this._presence.values()]; }
  /** @returns {string|null} this client's user id, when known (the `user` option or the token's `sub`) */
  get user() { return this._selfUser; }
  /**
   * @returns {any} the current socket, an instance of the `WebSocket` option, or null (for
   *   diagnostics and tests; do not send on it). Typed loosely so that the types need no DOM.
   */
  get socket() { return this._socket; }

  /** @returns {PaperState} a view of the whole state */
  get state() {
    return {
      paper: this._paperId,
      epoch: this._epoch,
      seq: this._seq,
      status: this._status,
      notes: this._view,
      confirmed: this._confirmed,
      presence: this.presence,
      connection: this._connection,
      pending: this._pending.length,
    };
  }

  /**
   * Adds a listener of an event: `state`, `status`, `presence`, `signal` or `error` (see
   * {@link PaperEvents} for what each receives). An event may have several listeners; adding
   * the same function twice has no effect. The constructor's `onState`, … options are called
   * before them. A listener that throws does not disturb the others or the connection.
   * @template {keyof PaperEvents} K
   * @param {K} event
   * @param {PaperEvents[K]} listener
   * @returns {this}
   */
  on(event, listener) {
    checkEvent(event);
    if (typeof listener !== 'function') throw new RollingPaperError('bad_listener', 'a listener must be a function');
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /**
   * Removes a listener added with {@link PaperConnection#on}; nothing happens if it was not added.
   * @template {keyof PaperEvents} K
   * @param {K} event
   * @param {PaperEvents[K]} listener
   * @returns {this}
   */
  off(event, listener) {
    checkEvent(event);
    const set = this._listeners.get(event);
    if (set) set.delete(listener);
    return this;
  }

  /**
   * Creates a note or replaces it whole. Shown at once (optimistic); the Promise resolves with
   * the delta that acknowledged it (`{seq, by, cid, op}`, `op.note` as stored, `author`
   * included) or rejects with a {@link RollingPaperError} (`paper_completed`, `paper_full`,
   * `too_large`, `forbidden`, …). A note without `id` gets a random one.
   * @param {NoteInput} note
   * @returns {Promise<Delta>}
   */
  putNote(note) {
    if (!note || typeof note !== 'object' || Array.isArray(note)) {
      return this._refuse('bad_op', 'putNote needs a note object');
    }
    const n = { ...note };
    if (n.id === undefined) n.id = newId();
    if (typeof n.id !== 'string' || !NOTE_ID_RE.test(n.id)) {
      return this._refuse('bad_op', `invalid note id: ${JSON.stringify(n.id)}`);
    }
    delete n.author;
    return this._submit({ kind: 'note.put', note: n }, n.id);
  }

  /**
   * Merges top-level fields into an existing note; a field set to `null` is removed.
   * Rejects with `not_found` if the note does not exist, `bad_op` if `fields` holds `id` or `author`.
   * @param {string} id
   * @param {Record<string, any>} fields
   * @returns {Promise<Delta>} the acknowledging delta
   */
  patchNote(id, fields) {
    if (typeof id !== 'string' || !NOTE_ID_RE.test(id)) {
      return this._refuse('bad_op', `invalid note id: ${JSON.stringify(id)}`);
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
      return this._refuse('bad_op', 'patchNote needs a fields object');
    }
    if ('id' in fields || 'author' in fields) {
      return this._refuse('bad_op', 'a patch may not change id or author');
    }
    return this._submit({ kind: 'note.patch', id, fields: { ...fields } }, id);
  }

  /**
   * Removes a note. Rejects with `not_found` if it does not exist.
   * @param {string} id
   * @returns {Promise<Delta>} the acknowledging delta
   */
  deleteNote(id) {
    if (typeof id !== 'string' || !NOTE_ID_RE.test(id)) {
      return this._refuse('bad_op', `invalid note id: ${JSON.stringify(id)}`);
    }
    return this._submit({ kind: 'note.delete', id }, id);
  }

  /**
   * Relays an ephemeral message (cursor position, typing) to everyone else on the paper.
   * Throttled: at most one signal every `signalInterval` ms; of a burst, the first is sent at
   * once and the latest at the end. Dropped while not live or once the paper is completed.
   * @param {any} data JSON, at most 1 KiB serialized
   * @throws {RollingPaperError} `too_large` over 1 KiB
   */
  sendSignal(data) {
    const text = JSON.stringify(data === undefined ? null : data);
    if (encoder.encode(text).length > 1024) {
      throw new RollingPaperError('too_large', 'a signal is at most 1 KiB serialized');
    }
    if (this._closed) return;
    this._sig.data = data === undefined ? null : data;
    this._sig.has = true;
    if (!this._sig.timer) this._pumpSignal();
  }

  /**
   * Reconnects now: after a stop (`unauthorized` or a 1008 with a new token, 1009, too many
   * retries, `forbidden`/`not_found` if the app knows better), or to skip a back-off wait.
   * Keeps the state and resumes from it.
   * @param {{token?: ConnectOptions['token']}} [options] a new token
   */
  reconnect(options = {}) {
    if (this._closed) throw new RollingPaperError('closed', 'this connection was closed');
    if (options.token !== undefined) {
      this._opts.token = options.token;
      if (typeof options.token === 'string') this._selfUser = jwtSubject(options.token) || this._selfUser;
    }
    this._attempt = 0;
    this._tokenRetried = false;
    this._needNewToken = null;
    this._fastRetryUsed = false;
    this._abandonSocket(4000, 'reconnect');
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._open();
  }

  /**
   * Leaves the paper: closes the socket (1000) and rejects the ops still pending with `closed`.
   */
  close() {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._retryTimer);
    clearTimeout(this._ackTimer);
    clearTimeout(this._sig.timer);
    clearTimeout(this._heartbeatTimer);
    this._retryTimer = this._ackTimer = this._sig.timer = this._heartbeatTimer = null;
    if (typeof globalThis.removeEventListener === 'function') globalThis.removeEventListener('online', this._onOnline);
    this._abandonSocket(1000, 'bye');
    this._rejectAll((p) => true, 'closed', 'the connection was closed');
    this._readyReject(new RollingPaperError('closed', 'the connection was closed'));
    this._setConnection('closed', {});
  }

  // ------------------------------------------------------------------ connection

  /** @private */
  async _open() {
    if (this._closed) return;
    const gen = ++this._gen;
    let token = this._opts.token;
    if (typeof token === 'function') {
      try {
        token = await token();
      } catch (e) {
        if (gen !== this._gen || this._closed) return;
        this._report(new RollingPaperError('connection_failed', `the token function failed: ${e && e.message}`));
        this._scheduleRetry({ code: 1006, reason: 'token function failed' });
        return;
      }
      if (gen !== this._gen || this._closed) return;
      if (typeof token === 'string') this._selfUser = jwtSubject(token) || this._selfUser;
    }
    const refused = this._needNewToken;
    this._needNewToken = null;
    if (refused && token === this._lastToken) {
      // the same token would be refused the same way: stop instead of a pointless retry
      this._stop(refused.status, refused.err, refused.info);
      return;
    }
    this._lastToken = token;
    const params = new URLSearchParams();
    if (this._epoch !== null) {
      params.set('since', String(this._seq));
      params.set('epoch', this._epoch);
    }
    if (token) params.set('access_token', token);
    else if (this._opts.user) params.set('user', this._opts.user);
    if (!token && this._opts.name) params.set('name', this._opts.name);
    const query = params.toString();
    const url = this._endpoint + (query ? '?' + query : '');

    let ws;
    try {
      ws = new this._WS(url);
    } catch (e) {
      this._report(new RollingPaperError('connection_failed', `cannot open ${this._endpoint}: ${e && e.message}`));
      this._scheduleRetry({ code: 1006, reason: String(e && e.message) });
      return;
    }
    this._socket = ws;
    this._joined = false;
    this._catchUpTo = null;
    this._refusal = null;
    this._armHeartbeat(gen);
    ws.onmessage = (ev) => {
      if (gen !== this._gen) return;
      this._armHeartbeat(gen);
      let frame;
      try {
        frame = JSON.parse(typeof ev.data === 'string' ? ev.data : new TextDecoder().decode(ev.data));
      } catch (e) {
        this._report(new RollingPaperError('bad_frame', 'the server sent a frame that is not JSON'));
        return;
      }
      try {
        this._onFrame(frame);
      } catch (e) {
        // a bug in a callback must not kill the connection's state machine
        this._report(e instanceof RollingPaperError ? e : new RollingPaperError('client_error', String(e && e.stack || e)));
      }
    };
    ws.onclose = (ev) => {
      if (gen !== this._gen) return;
      this._onClose(ev.code, ev.reason || '');
    };
    ws.onerror = () => { /* a close event follows */ };
  }

  /**
   * @private (re)starts the watchdog of socket `gen`: the server sends something (at least a
   * `ping` frame) every heartbeat interval, so two intervals of silence mean a dead connection
   * (laptop sleep, a NAT that dropped it) that may never report its close.
   */
  _armHeartbeat(gen) {
    clearTimeout(this._heartbeatTimer);
    this._heartbeatTimer = null;
    const interval = this._opts.heartbeatInterval;
    if (!interval) return;
    this._heartbeatTimer = setTimeout(() => {
      this._heartbeatTimer = null;
      if (gen === this._gen && !this._closed) this._resync(`nothing heard for ${2 * interval} ms`, 'heartbeat');
    }, 2 * interval);
  }

  /** @private drops the current socket without waiting for its close event */
  _abandonSocket(code, reason) {
    this._gen++;
    const ws = this._socket;
    this._socket = null;
    this._joined = false;
    this._catchUpTo = null;
    clearTimeout(this._ackTimer);
    clearTimeout(this._heartbeatTimer);
    this._ackTimer = this._heartbeatTimer = null;
    for (const p of this._pending) p.sent = false;
    if (ws) {
      ws.onmessage = ws.onclose = null;
      ws.onerror = () => {};
      try { ws.close(code, reason); } catch { /* already closed */ }
    }
  }

  /** @private */
  _onClose(code, reason) {
    if (this._closed) return;
    const wasJoined = this._joined;
    this._socket = null;
    this._joined = false;
    this._catchUpTo = null;
    clearTimeout(this._ackTimer);
    clearTimeout(this._heartbeatTimer);
    this._ackTimer = this._heartbeatTimer = null;
    const inFlight = this._pending.filter((p) => p.sent);
    for (const p of this._pending) p.sent = false;
    const info = { code, reason };

    if (code === 1000) {
      // normal close from the server, e.g. the paper was deleted: stop.
      const err = new RollingPaperError('closed', `the server closed the connection (${reason || 'normal close'})`, { closeCode: code });
      this._rejectAll(() => true, 'closed', err.message);
      this._report(err);
      this._readyReject(err);
      this._closed = true;
      clearTimeout(this._sig.timer);
      this._setConnection('closed', info);
      return;
    }
    if (code === 1009) {
      // one of our frames was too large: "fix the client". Drop what was in flight and stop.
      const err = new RollingPaperError('message_too_big', `the server refused a frame as too large (${reason || '1009'})`, { closeCode: code });
      for (const p of inFlight) this._finish(p, err);
      this._report(err);
      this._stopOffline(err, info);
      return;
    }
    if (code === 1008) {
      // policy: token expired, repeated bad frames, rate limit. Retry only with a new token.
      const err = new RollingPaperError('policy_violation', `closed by policy (${reason || '1008'})`, { closeCode: code });
      this._report(err);
      this._retryWithNewToken('offline', err, info);
      return;
    }
    if (REFUSAL_CODES[code]) {
      // a join refused in-band: the node sent an `error` frame (reported already) and closed
      const err = this._refusal || new RollingPaperError(REFUSAL_CODES[code], `the join was refused (${reason || code})`);
      err.closeCode = code;
      if (!this._refusal) this._report(err);
      this._refusal = null;
      if (code === 4401) this._retryWithNewToken('unauthorized', err, info);
      else if (code === 4429) this._scheduleRetry(info); // connection caps: after a back-off
      else this._stop(code === 4404 ? 'not_found' : 'forbidden', err, info);
      return;
    }
    if (wasJoined) this._attempt = 0;
    this._scheduleRetry(info, code === 1012 || code === 1001);
  }

  /**
   * @private after a 4401 or 1008: asks the token function once for a new token and reconnects
   * at once; without a token function, or refused again since the last join, stops as `status`.
   */
  _retryWithNewToken(status, err, info) {
    if (typeof this._opts.token !== 'function' || this._tokenRetried) {
      this._stop(status, err, info);
      return;
    }
    this._tokenRetried = true;
    this._needNewToken = { status, err, info };
    clearTimeout(this._retryTimer);
    this._setConnection('reconnecting', { ...info, attempt: this._attempt, delay: 0 });
    this._retryTimer = setTimeout(() => { this._retryTimer = null; this._open(); }, 0);
  }

  /** @private stops trying until `reconnect()`: `ready` rejects with `err` */
  _stop(status, err, info) {
    this._readyReject(err);
    this._setConnection(status, info);
  }

  /** @private */
  _stopOffline(err, info) {
    this._stop('offline', err, info);
  }

  /** @private */
  _scheduleRetry(info, immediate = false) {
    if (this._closed) return;
    clearTimeout(this._retryTimer);
    if (this._attempt >= this._opts.maxRetries) {
      const err = new RollingPaperError('connection_failed', `gave up after ${this._attempt} failed tries`);
      this._report(err);
      this._stopOffline(err, info);
      return;
    }
    let delay;
    if (immediate && !this._fastRetryUsed) {
      // "at once" (1012, a gap): spread a little so that a drained node's clients do not
      // stampede; once per join, so a balancer that keeps answering 1012 gets back-off
      this._fastRetryUsed = true;
      delay = Math.random() * 100;
    } else {
      const base = Math.min(this._opts.maxBackoff, this._opts.initialBackoff * 2 ** this._attempt);
      delay = base / 2 + Math.random() * base / 2; // equal jitter
      this._attempt++;
    }
    const offline = typeof globalThis.navigator === 'object' && globalThis.navigator && globalThis.navigator.onLine === false;
    this._setConnection(offline ? 'offline' : 'reconnecting', { ...info, attempt: this._attempt, delay: Math.round(delay) });
    this._retryTimer = setTimeout(() => { this._retryTimer = null; this._open(); }, delay);
  }

  /** @private gap, ack timeout, silence, protocol surprise: resume on a new socket soon */
  _resync(reason, code = 'resync') {
    this._report(new RollingPaperError(code, reason));
    this._abandonSocket(4000, 'resync');
    this._scheduleRetry({ code: 4000, reason }, true);
  }

  /** @private */
  _setConnection(status, info) {
    if (this._connection === status && status !== 'reconnecting') return;
    this._connection = status;
    this._emit('status', status, info || {});
  }

  // ------------------------------------------------------------------ frames

  /** @private */
  _onFrame(f) {
    switch (f && f.type) {
      case 'snapshot': return this._onSnapshot(f);
      case 'resumed': return this._onResumed(f);
      case 'delta': return this._onDelta(f);
      case 'signal': return this._emit('signal', { by: f.by, data: f.data });
      case 'presence': return this._onPresence(f);
      case 'completed': return this._onCompleted(f);
      case 'error': return this._onError(f);
      case 'ping': return undefined; // only there to be heard (see _armHeartbeat)
      default: return undefined; // unknown frame types are ignored (forward compatibility)
    }
  }

  /** @private */
  _onSnapshot(f) {
    const epochChanged = this._epoch !== null && this._epoch !== f.epoch;
    const replaced = this._hasState;
    const midConnection = this._joined;
    this._epoch = f.epoch;
    this._seq = f.seq;
    this._status = f.status || 'open';
    this._confirmed = new Map();
    for (const n of f.notes || []) this._confirmed.set(n.id, Object.freeze(n));
    this._presence = new Map((f.presence || []).map((p) => [p.user, p]));
    this._hasState = true;
    this._joined = true;
    this._catchUpTo = null;
    this._tokenRetried = false;
    this._fastRetryUsed = false;
    if (!midConnection) {
      // a fresh join after a drop: whether our in-flight ops were applied is unknown, so all
      // pending ops are (re)sent; a re-sent delete that finds the note gone counts as done.
      for (const p of this._pending) p.sent = false;
    }
    if (this._status === 'completed') {
      this._rejectAll((p) => !p.sent, 'paper_completed', 'the paper is completed');
    }
    this._rebuildView();
    this._setConnection('live', { snapshot: true, epoch: f.epoch, seq: f.seq, epochChanged });
    this._readyResolve(this.state);
    this._emit('state', this.state, { type: 'snapshot', epochChanged, replaced, ids: [...this._view.keys()] });
    this._emit('presence', this.presence, { joined: this.presence, left: [], reset: true });
    this._flush();
  }

  /** @private */
  _onResumed(f) {
    if (this._epoch !== null && f.epoch !== this._epoch) {
      this._resync(`resumed in epoch ${f.epoch}, expected ${this._epoch}`);
      return;
    }
    if (typeof f.from === 'number' && f.from !== this._seq) {
      this._resync(`resumed from ${f.from}, expected ${this._seq}`);
      return;
    }
    this._joined = true;
    this._tokenRetried = false;
    this._fastRetryUsed = false;
    this._presence = new Map((f.presence || []).map((p) => [p.user, p]));
    this._catchUpTo = typeof f.seq === 'number' && f.seq > this._seq ? f.seq : null;
    this._setConnection('live', { resumed: true, from: this._seq, seq: f.seq });
    this._readyResolve(this.state);
    this._emit('presence', this.presence, { joined: this.presence, left: [], reset: true });
    if (this._catchUpTo === null) this._flush();
  }

  /** @private */
  _onDelta(f) {
    if (!this._joined) return; // a delta before the snapshot/resumed frame: not ours to apply
    if (typeof f.seq !== 'number' || f.seq <= this._seq) return; // duplicate
    if (f.seq > this._seq + 1) {
      this._resync(`gap: got seq ${f.seq} after ${this._seq}`);
      return;
    }
    const op = f.op || {};
    if (op.kind === 'note.put' && op.note) op.note = Object.freeze(op.note);
    applyOp(this._confirmed, op);
    this._seq = f.seq;
    const ids = new Set(opNoteIds(op));
    let mine = false;
    const p = f.cid != null ? this._pendingByCid.get(f.cid) : undefined;
    if (p) {
      mine = true;
      this._finish(p, null, f);
    }
    this._recompute(ids);
    this._emit('state', this.state, { type: 'delta', delta: f, mine, ids: [...ids] });
    if (this._catchUpTo !== null && this._seq >= this._catchUpTo) {
      this._catchUpTo = null;
      this._flush();
    }
    this._armAckTimer();
  }

  /** @private */
  _onPresence(f) {
    const joined = f.joined || [];
    const left = f.left || [];
    for (const u of left) this._presence.delete(u);
    for (const p of joined) this._presence.set(p.user, p);
    this._emit('presence', this.presence, { joined, left });
  }

  /** @private */
  _onCompleted(f) {
    this._status = 'completed';
    this._rejectAll((p) => !p.sent, 'paper_completed', 'the paper is completed');
    this._emit('state', this.state, { type: 'completed', seq: f.seq, ids: [] });
  }

  /** @private */
  _onError(f) {
    const p = f.cid != null ? this._pendingByCid.get(f.cid) : undefined;
    const err = new RollingPaperError(f.code || 'error', f.message || f.code || 'error', { cid: f.cid ?? null, op: p ? p.op : undefined });
    if (f.code === 'paper_completed' && this._status !== 'completed') {
      this._status = 'completed';
      this._emit('state', this.state, { type: 'completed', ids: [] });
    }
    if (!p) {
      // before the join, an error without cid is the reason of an in-band refusal; its close follows
      if (!this._joined && f.cid == null) this._refusal = err;
      this._report(err);
      return;
    }
    if (f.code === 'not_found' && p.op.kind === 'note.delete' && p.sends > 1) {
      // a re-sent delete whose first send was applied before the connection dropped
      this._finish(p, null, { seq: this._seq, by: this._selfUser, cid: p.cid, op: p.op, resent: true });
      this._recompute(new Set([p.noteId]));
      this._emit('state', this.state, { type: 'ack', ids: [p.noteId] });
    } else {
      this._finish(p, err);
      this._recompute(new Set([p.noteId]));
      this._report(err);
      this._emit('state', this.state, { type: 'rejected', error: err, ids: [p.noteId] });
    }
    if (f.code === 'paper_completed') this._rejectAll((q) => !q.sent, 'paper_completed', 'the paper is completed');
    this._armAckTimer();
  }

  // ------------------------------------------------------------------ ops

  /** @private */
  _refuse(code, message) {
    const p = Promise.reject(new RollingPaperError(code, message));
    p.catch(() => {});
    return p;
  }

  /** @private */
  _submit(op, noteId) {
    if (this._closed) return this._refuse('closed', 'the connection was closed');
    if (this._status === 'completed') return this._refuse('paper_completed', 'the paper is completed: it is read-only');
    const cid = `${this._cidPrefix}-${(++this._cidCounter).toString(36)}`;
    const frame = JSON.stringify({ type: 'op', cid, op });
    if (encoder.encode(frame).length > this._opts.maxFrameBytes) {
      return this._refuse('too_large', `the op is larger than ${this._opts.maxFrameBytes} bytes`);
    }
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => {}); // errors are also reported to onError: an unobserved rejection is not fatal
    /** @type {PendingOp} */
    const p = { cid, op, noteId, frame, resolve, reject, sent: false, sends: 0, sentAt: 0 };
    this._pending.push(p);
    this._pendingByCid.set(cid, p);
    this._recompute(new Set([noteId]));
    this._emit('state', this.state, { type: 'local', ids: [noteId] });
    this._flush();
    return promise;
  }

  /** @private sends the pending ops not sent yet, in order, if the connection can take them */
  _flush() {
    const ws = this._socket;
    if (!ws || !this._joined || this._catchUpTo !== null || ws.readyState !== 1) return;
    for (const p of this._pending) {
      if (p.sent) continue;
      try {
        ws.send(p.frame);
      } catch {
        return; // the close event follows
      }
      p.sent = true;
      p.sends++;
      p.sentAt = Date.now();
    }
    this._armAckTimer();
  }

  /** @private */
  _armAckTimer() {
    clearTimeout(this._ackTimer);
    this._ackTimer = null;
    const timeout = this._opts.ackTimeout;
    if (!timeout) return;
    const oldest = this._pending.find((p) => p.sent);
    if (!oldest) return;
    const wait = Math.max(0, oldest.sentAt + timeout - Date.now());
    this._ackTimer = setTimeout(() => {
      this._ackTimer = null;
      if (this._pending.includes(oldest) && oldest.sent) this._resync(`no ack for ${oldest.cid} within ${timeout} ms`);
    }, wait);
  }

  /** @private */
  _finish(p, err, result) {
    const i = this._pending.indexOf(p);
    if (i >= 0) this._pending.splice(i, 1);
    this._pendingByCid.delete(p.cid);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  /** @private */
  _rejectAll(pred, code, message) {
    const victims = this._pending.filter(pred);
    if (!victims.length) return;
    const ids = new Set();
    for (const p of victims) {
      ids.add(p.noteId);
      this._finish(p, new RollingPaperError(code, message, { cid: p.cid, op: p.op }));
    }
    this._recompute(ids);
    this._emit('state', this.state, { type: 'rejected', error: new RollingPaperError(code, message), ids: [...ids] });
  }

  /** @private the shown value of some notes: confirmed, then the pending ops in order */
  _recompute(ids) {
    for (const id of ids) {
      const m = new Map();
      const c = this._confirmed.get(id);
      if (c) m.set(id, c);
      for (const p of this._pending) {
        if (p.noteId === id) applyOp(m, p.op, this._selfUser, true);
      }
      const v = m.get(id);
      if (v) this._view.set(id, v);
      else this._view.delete(id);
    }
  }

  /** @private */
  _rebuildView() {
    this._view = new Map(this._confirmed);
    const ids = new Set(this._pending.map((p) => p.noteId));
    this._recompute(ids);
  }

  // ------------------------------------------------------------------ signals

  /** @private */
  _pumpSignal() {
    const interval = this._opts.signalInterval;
    const wait = this._sig.last + interval - Date.now();
    if (wait > 0) {
      this._sig.timer = setTimeout(() => { this._sig.timer = null; this._pumpSignal(); }, wait);
      return;
    }
    if (!this._sig.has) return;
    this._sig.has = false;
    const ws = this._socket;
    if (ws && this._joined && ws.readyState === 1 && this._status !== 'completed') {
      try { ws.send(JSON.stringify({ type: 'signal', data: this._sig.data })); } catch { /* dropped */ }
    }
    this._sig.last = Date.now();
    this._sig.timer = setTimeout(() => { this._sig.timer = null; if (this._sig.has) this._pumpSignal(); }, interval);
  }

  /** @private */
  _report(err) {
    this._emit('error', err);
  }

  /** @private calls the constructor's callback of `event`, then every listener added with `on` */
  _emit(event, ...args) {
    call(this._opts[EVENT_OPTIONS[event]], ...args);
    const set = this._listeners.get(event);
    if (set) for (const fn of [...set]) call(fn, ...args);
  }
}

/**
 * @typedef {object} PendingOp
 * @property {string} cid
 * @property {object} op
 * @property {string} noteId
 * @property {string} frame
 * @property {boolean} sent sent on the current socket
 * @property {number} sends how many times it was sent
 * @property {number} sentAt
 * @property {(v: any) => void} resolve
 * @property {(e: Error) => void} reject
 */

// ------------------------------------------------------------------ helpers

function call(fn, ...args) {
  if (typeof fn !== 'function') return;
  try {
    fn(...args);
  } catch (e) {
    // never let an application callback break the client; show it like an uncaught error
    setTimeout(() => { throw e; }, 0);
  }
}

function checkEvent(event) {
  if (!Object.hasOwn(EVENT_OPTIONS, event)) {
    throw new RollingPaperError('bad_event', `no event ${JSON.stringify(event)}: one of ${Object.keys(EVENT_OPTIONS).join(', ')}`);
  }
}

function endpointUrl(url, paperId) {
  let base = url;
  if (!base) {
    if (typeof location === 'undefined') throw new RollingPaperError('bad_url', 'connect needs a url outside a browser');
    base = location.origin;
  }
  base = String(base).replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
  if (!/^wss?:\/\//i.test(base)) throw new RollingPaperError('bad_url', `not a ws(s) or http(s) url: ${url}`);
  return `${base}/ws/${encodeURIComponent(paperId)}`;
}

function opNoteIds(op) {
  if (op.kind === 'note.put') return op.note && op.note.id ? [op.note.id] : [];
  return op.id ? [op.id] : [];
}

/** applies one op to a map of notes; `local` is the optimistic variant (author guessed) */
function applyOp(map, op, selfUser, local = false) {
  switch (op.kind) {
    case 'note.put': {
      if (!op.note || typeof op.note.id !== 'string') return;
      let note = op.note;
      if (local) {
        const prev = map.get(note.id);
        const author = prev && prev.author !== undefined ? prev.author : selfUser;
        note = author != null ? { ...note, author } : { ...note };
        Object.freeze(note);
      }
      map.set(note.id, note);
      return;
    }
    case 'note.patch': {
      const prev = map.get(op.id);
      if (!prev) return;
      const next = { ...prev };
      for (const [k, v] of Object.entries(op.fields || {})) {
        if (k === 'id' || k === 'author') continue;
        if (v === null) delete next[k];
        else setOwn(next, k, v);
      }
      map.set(op.id, Object.freeze(next));
      return;
    }
    case 'note.delete':
      map.delete(op.id);
      return;
    default:
      return;
  }
}

/**
 * Sets a field as an own data property. `obj[key] = value` would call the `__proto__` setter
 * for a field named `__proto__` and change the note's prototype to a sender's object.
 */
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function jwtSubject(token) {
  try {
    const part = token.split('.')[1];
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4);
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
