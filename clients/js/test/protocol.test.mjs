// The client library's state machine against a scripted socket (no server): what a real node
// promises never to do (gaps, duplicates), close codes, resume replays, re-sends. The behaviour
// against the real node is in client.test.mjs and reconnect.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIENT_URL } from './support/node-server.mjs';

const { connect, RollingPaperError } = await import(CLIENT_URL);

const T = { timeout: 10000 };

/** a WebSocket look-alike driven by the test */
function socketKind() {
  const sockets = [];
  class ScriptedSocket {
    constructor(url) {
      this.url = new URL(url);
      this.readyState = 1;
      this.sent = [];
      this.closedWith = null;
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code, reason) { this.readyState = 3; this.closedWith = { code, reason }; }
    frame(obj) { this.onmessage({ data: JSON.stringify(obj) }); }
    serverClose(code, reason = '') { this.readyState = 3; this.onclose({ code, reason }); }
    ops() { return this.sent.filter((f) => f.type === 'op'); }
  }
  return { ScriptedSocket, sockets };
}

function setup(opts = {}) {
  const { ScriptedSocket, sockets } = socketKind();
  const rec = { states: [], statuses: [], errors: [], signals: [], presences: [] };
  const h = connect('http://example.test:8080/', 'p1', {
    WebSocket: ScriptedSocket,
    user: 'me',
    name: 'Me Myself',
    initialBackoff: 40,
    maxBackoff: 200,
    onState: (s, c) => rec.states.push(c),
    onStatus: (s, info) => rec.statuses.push({ s, info }),
    onError: (e) => rec.errors.push(e),
    onSignal: (x) => rec.signals.push(x),
    onPresence: (p, c) => rec.presences.push({ p, c }),
    ...opts,
  });
  return { h, sockets, rec };
}

const snapshot = (over = {}) => ({ type: 'snapshot', paper: 'p1', epoch: 'E1', seq: 0, status: 'open', notes: [], presence: [{ user: 'me', name: 'Me Myself' }], ...over });
const delta = (seq, op, cid = null, by = 'other') => ({ type: 'delta', paper: 'p1', seq, by, cid, op });
const put = (id, fields = {}) => ({ kind: 'note.put', note: { id, ...fields } });

test('the endpoint url and the identity parameters', T, () => {
  const { h, sockets } = setup();
  const u = sockets[0].url;
  assert.equal(u.protocol, 'ws:');
  assert.equal(u.host, 'example.test:8080');
  assert.equal(u.pathname, '/ws/p1');
  assert.equal(u.searchParams.get('user'), 'me');
  assert.equal(u.searchParams.get('name'), 'Me Myself');
  assert.equal(u.searchParams.has('since'), false);
  h.close();

  const { ScriptedSocket, sockets: s2 } = socketKind();
  const token = 'x.' + Buffer.from(JSON.stringify({ sub: 'u-7' })).toString('base64url') + '.y';
  const h2 = connect('https://example.test/prefix', 'p2', { WebSocket: ScriptedSocket, token });
  assert.equal(s2[0].url.href, `wss://example.test/prefix/ws/p2?access_token=${token}`);
  assert.equal(h2.user, 'u-7');
  h2.close();
  assert.throws(() => connect('ws://x', 'bad id', { WebSocket: ScriptedSocket }), { code: 'bad_paper_id' });
  assert.throws(() => connect('ws://x', 'p', {}), { code: 'no_websocket' });
});

test('deltas apply strictly in seq order; duplicates are ignored', T, () => {
  const { h, sockets, rec } = setup();
  const s = sockets[0];
  s.frame(snapshot({ seq: 3, notes: [{ id: 'a', text: 'A', author: 'x' }] }));
  assert.equal(h.seq, 3);
  s.frame(delta(3, put('dup'))); // duplicate: ignored
  s.frame(delta(2, put('old')));
  assert.equal(h.notes.has('dup'), false);
  assert.equal(h.notes.has('old'), false);
  s.frame(delta(4, { kind: 'note.patch', id: 'a', fields: { text: 'A2', color: 'red' } }));
  s.frame(delta(5, put('b', { text: 'B', author: 'other' })));
  s.frame(delta(5, put('b', { text: 'again' }))); // duplicate
  s.frame(delta(6, { kind: 'note.patch', id: 'a', fields: { color: null } }));
  assert.equal(h.seq, 6);
  assert.deepEqual(h.notes.get('a'), { id: 'a', text: 'A2', author: 'x' });
  assert.equal(h.notes.get('b').text, 'B');
  s.frame(delta(7, { kind: 'note.delete', id: 'b' }));
  assert.equal(h.notes.has('b'), false);
  assert.equal(rec.states.filter((c) => c.type === 'delta').length, 4);
  assert.equal(sockets.length, 1);
  h.close();
});

test('a gap makes the client reconnect and resume from its last seq', T, async () => {
  const { h, sockets, rec } = setup();
  sockets[0].frame(snapshot({ seq: 10 }));
  sockets[0].frame(delta(11, put('x')));
  sockets[0].frame(delta(13, put('y'))); // 12 is missing
  assert.equal(h.seq, 11);
  assert.equal(h.notes.has('y'), false);
  assert.equal(sockets[0].closedWith.code, 4000);
  assert.ok(rec.errors.some((e) => e.code === 'resync'));
  await sleep(150);
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url.searchParams.get('since'), '11');
  assert.equal(sockets[1].url.searchParams.get('epoch'), 'E1');
  sockets[1].frame({ type: 'resumed', paper: 'p1', epoch: 'E1', from: 11, seq: 13, presence: [] });
  sockets[1].frame(delta(12, put('w')));
  sockets[1].frame(delta(13, put('y')));
  assert.equal(h.seq, 13);
  assert.deepEqual([...h.notes.keys()], ['x', 'w', 'y']);
  // a late frame of the abandoned socket is ignored
  sockets[0].onmessage?.({ data: JSON.stringify(delta(14, put('ghost'))) });
  assert.equal(h.notes.has('ghost'), false);
  h.close();
});

test('close codes: 1012 reconnects at once, 1011 and 1013 after a growing back-off', T, async () => {
  const { h, sockets, rec } = setup({ initialBackoff: 300, maxBackoff: 1000 });
  sockets[0].frame(snapshot());
  sockets[0].serverClose(1012, 'draining');
  await sleep(120);
  assert.equal(sockets.length, 2, '1012: reconnected at once');
  assert.equal(sockets[1].url.searchParams.get('since'), '0');
  assert.equal(sockets[1].url.searchParams.get('epoch'), 'E1');

  // the reconnect fails twice with 1011: the delays grow (300 -> 600 base, equal jitter)
  sockets[1].serverClose(1011, 'internal');
  await sleep(100);
  assert.equal(sockets.length, 2, '1011: waits');
  await sleep(250);
  assert.equal(sockets.length, 3);
  sockets[2].serverClose(1013, 'slow');
  const delays = rec.statuses.filter((x) => x.s === 'reconnecting').map((x) => x.info.delay);
  assert.equal(delays.length, 3);
  assert.ok(delays[0] <= 100, `1012 delay ${delays[0]}`);
  assert.ok(delays[1] >= 150 && delays[1] <= 300, `first back-off ${delays[1]}`);
  assert.ok(delays[2] >= 300 && delays[2] <= 600, `second back-off ${delays[2]}`);
  assert.equal(h.connection, 'reconnecting');
  await sleep(650);
  assert.equal(sockets.length, 4);
  sockets[3].frame({ type: 'resumed', paper: 'p1', epoch: 'E1', from: 0, seq: 0, presence: [] });
  assert.equal(h.connection, 'live');
  h.close();
  assert.equal(h.connection, 'closed');
  assert.equal(sockets[3].closedWith.code, 1000);
});

test('1009 stops (in-flight ops rejected), 1008 stops unless a token function gives a new token', T, async () => {
  {
    const { h, sockets, rec } = setup();
    sockets[0].frame(snapshot());
    const p = h.putNote({ id: 'n', text: 'x' });
    sockets[0].serverClose(1009, 'too big');
    await assert.rejects(p, { code: 'message_too_big' });
    assert.equal(h.connection, 'offline');
    await sleep(200);
    assert.equal(sockets.length, 1);
    assert.ok(rec.errors.some((e) => e.code === 'message_too_big'));
    h.close();
  }
  {
    const { h, sockets } = setup();
    sockets[0].frame(snapshot());
    const p = h.putNote({ id: 'n', text: 'x' });
    sockets[0].serverClose(1008, 'policy');
    await sleep(200);
    assert.equal(sockets.length, 1, 'no blind retry');
    assert.equal(h.connection, 'offline');
    assert.equal(h.state.pending, 1, 'the op stays queued for an explicit reconnect');
    h.reconnect();
    assert.equal(sockets.length, 2);
    sockets[1].frame({ type: 'resumed', paper: 'p1', epoch: 'E1', from: 0, seq: 0, presence: [] });
    const cid = sockets[1].ops()[0].cid;
    sockets[1].frame(delta(1, put('n', { text: 'x', author: 'me' }), cid, 'me'));
    assert.equal((await p).seq, 1);
    h.close();
  }
  {
    let n = 0;
    const { h, sockets } = setup({ user: undefined, token: async () => `tok${++n}` });
    await sleep(10);
    assert.equal(sockets[0].url.searchParams.get('access_token'), 'tok1');
    sockets[0].frame(snapshot());
    sockets[0].serverClose(1008, 'token expired');
    await sleep(150);
    assert.equal(sockets.length, 2);
    assert.equal(sockets[1].url.searchParams.get('access_token'), 'tok2');
    sockets[1].serverClose(1008, 'token expired'); // the new token fails too: stop
    await sleep(200);
    assert.equal(sockets.length, 2);
    assert.equal(h.connection, 'offline');
    h.close();
  }
});

test('1000 from the server (paper deleted) stops and rejects pending ops', T, async () => {
  const { h, sockets } = setup();
  sockets[0].frame(snapshot());
  const p = h.putNote({ id: 'n' });
  sockets[0].serverClose(1000, 'paper deleted');
  await assert.rejects(p, { code: 'closed' });
  await sleep(150);
  assert.equal(sockets.length, 1);
  assert.equal(h.connection, 'closed');
});

test('a later snapshot replaces the state; pending ops are kept on top of it', T, () => {
  const { h, sockets, rec } = setup();
  const s = sockets[0];
  s.frame(snapshot({ seq: 2, notes: [{ id: 'a' }, { id: 'b' }] }));
  const p = h.putNote({ id: 'mine', text: 'pending' });
  s.frame(snapshot({ seq: 7, notes: [{ id: 'c' }] }));
  assert.equal(h.seq, 7);
  assert.deepEqual([...h.state.confirmed.keys()], ['c']);
  assert.deepEqual([...h.notes.keys()].sort(), ['c', 'mine']);
  assert.equal(rec.states.filter((c) => c.type === 'snapshot').length, 2);
  assert.equal(rec.states.at(-1).replaced, true);
  assert.equal(s.ops().length, 1, 'not re-sent on the same connection');
  s.frame(delta(8, put('mine', { text: 'pending', author: 'me' }), s.ops()[0].cid, 'me'));
  assert.equal(h.state.pending, 0);
  h.close();
  return p;
});

test('resume: the replay acknowledges in-flight ops; the others are re-sent after it, in order', T, async () => {
  const { h, sockets } = setup();
  sockets[0].frame(snapshot({ seq: 5, notes: [{ id: 'd', author: 'me' }] }));
  const p1 = h.putNote({ id: 'n1' });
  const p2 = h.patchNote('n1', { text: 'two' });
  const p3 = h.deleteNote('d');
  const [c1, c2, c3] = sockets[0].ops().map((f) => f.cid);
  assert.equal(new Set([c1, c2, c3]).size, 3);
  sockets[0].serverClose(1006);
  const p4 = h.putNote({ id: 'n4' }); // made while reconnecting: queued
  await sleep(120);
  const s = sockets[1];
  assert.equal(s.url.searchParams.get('since'), '5');
  s.frame({ type: 'resumed', paper: 'p1', epoch: 'E1', from: 5, seq: 7, presence: [] });
  assert.equal(s.ops().length, 0, 'nothing sent before the replay caught up');
  s.frame(delta(6, put('x'), null, 'other'));
  s.frame(delta(7, put('n1', { author: 'me' }), c1, 'me')); // n1 made it before the drop
  assert.equal((await p1).seq, 7);
  // caught up: the rest is re-sent in order, with the same cids
  assert.deepEqual(s.ops().slice(0, 2).map((f) => f.cid), [c2, c3]);
  assert.deepEqual(s.ops().map((f) => f.op.kind), ['note.patch', 'note.delete', 'note.put']);
  s.frame(delta(8, { kind: 'note.patch', id: 'n1', fields: { text: 'two' } }, c2, 'me'));
  // the delete was applied before the drop after all (seen here as not_found): it counts as done
  s.frame({ type: 'error', cid: c3, code: 'not_found', message: 'no such note' });
  const c4 = s.ops()[2].cid;
  s.frame(delta(9, put('n4', { author: 'me' }), c4, 'me'));
  assert.equal((await p2).seq, 8);
  await p3;
  assert.equal((await p4).seq, 9);
  assert.equal(h.state.pending, 0);
  h.close();
});

test('a snapshot after a reconnect re-sends every pending op', T, async () => {
  const { h, sockets } = setup();
  sockets[0].frame(snapshot({ seq: 1, notes: [{ id: 'a' }] }));
  const p = h.patchNote('a', { text: 'x' });
  sockets[0].serverClose(1011);
  await sleep(100);
  sockets[1].frame(snapshot({ epoch: 'E2', seq: 0, notes: [] })); // another epoch: the note is gone
  assert.equal(h.notes.has('a'), false);
  assert.equal(sockets[1].ops().length, 1);
  sockets[1].frame({ type: 'error', cid: sockets[1].ops()[0].cid, code: 'not_found', message: 'gone' });
  await assert.rejects(p, (e) => e instanceof RollingPaperError && e.code === 'not_found');
  h.close();
});

test('completed: queued ops are rejected, new ones refused locally, sessions stay open', T, async () => {
  const { h, sockets, rec } = setup();
  sockets[0].frame(snapshot({ notes: [{ id: 'a' }] }));
  const inflight = h.patchNote('a', { text: 'x' });
  sockets[0].frame({ type: 'completed', paper: 'p1', seq: 0 });
  assert.equal(h.status, 'completed');
  assert.equal(rec.states.at(-1).type, 'completed');
  await assert.rejects(h.putNote({ id: 'b' }), { code: 'paper_completed' });
  sockets[0].frame({ type: 'error', cid: sockets[0].ops()[0].cid, code: 'paper_completed', message: 'completed' });
  await assert.rejects(inflight, { code: 'paper_completed' });
  assert.equal(h.connection, 'live');
  h.sendSignal({ x: 1 });
  await sleep(20);
  assert.equal(sockets[0].sent.filter((f) => f.type === 'signal').length, 0, 'no signals after completion');
  h.close();
});

test('presence frames and incoming signals', T, () => {
  const { h, sockets, rec } = setup();
  sockets[0].frame(snapshot());
  sockets[0].frame({ type: 'presence', paper: 'p1', joined: [{ user: 'u2', name: 'Two' }], left: [] });
  assert.deepEqual(h.presence.map((p) => p.user), ['me', 'u2']);
  sockets[0].frame({ type: 'signal', paper: 'p1', by: 'u2', data: { cursor: { x: 1, y: 2 } } });
  assert.deepEqual(rec.signals, [{ by: 'u2', data: { cursor: { x: 1, y: 2 } } }]);
  sockets[0].frame({ type: 'presence', paper: 'p1', joined: [], left: ['u2'] });
  assert.deepEqual(h.presence.map((p) => p.user), ['me']);
  assert.equal(rec.presences.length, 3);
  sockets[0].frame({ type: 'error', cid: null, code: 'bad_frame', message: 'x' });
  assert.equal(rec.errors.at(-1).code, 'bad_frame');
  h.close();
});

test('an op without its ack in time makes the client resume on a new socket', T, async () => {
  const { h, sockets } = setup({ ackTimeout: 100 });
  sockets[0].frame(snapshot());
  const p = h.putNote({ id: 'n' });
  await sleep(250);
  assert.equal(sockets[0].closedWith?.code, 4000);
  assert.equal(sockets.length, 2);
  sockets[1].frame({ type: 'resumed', paper: 'p1', epoch: 'E1', from: 0, seq: 0, presence: [] });
  const cid = sockets[1].ops()[0].cid;
  sockets[1].frame(delta(1, put('n', { author: 'me' }), cid, 'me'));
  assert.equal((await p).seq, 1);
  h.close();
});
