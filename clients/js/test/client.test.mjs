// The client library (clients/js/rolling-paper.js) against a real node: join, ops and their
// acks, convergence of two clients, errors, optimistic state, signals, presence, completion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNode, waitFor, paperId, CLIENT_URL, WebSocket } from './support/node-server.mjs';

const { connect, RollingPaperError } = await import(CLIENT_URL);

const T = { timeout: 20000 };
let node;
const open = [];

before(async () => { node = await startNode(); }, { timeout: 90000 });
after(async () => {
  for (const h of open) h.close();
  if (node) await node.stop();
});

/** connects a client and records every callback */
function client(paper, user, extra = {}) {
  const rec = { states: [], statuses: [], presences: [], signals: [], errors: [] };
  const h = connect(node.wsUrl, paper, {
    WebSocket,
    user,
    name: `Name of ${user}`,
    onState: (s, c) => rec.states.push(c),
    onStatus: (s, info) => rec.statuses.push({ s, info }),
    onPresence: (p, c) => rec.presences.push({ p, c }),
    onSignal: (sig) => rec.signals.push(sig),
    onError: (e) => rec.errors.push(e),
    ...extra,
  });
  h.rec = rec;
  open.push(h);
  return h;
}

test('a join gets the snapshot state of a new paper', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const state = await a.ready;
  assert.equal(state.paper, id);
  assert.equal(state.seq, 0);
  assert.equal(state.status, 'open');
  assert.equal(typeof state.epoch, 'string');
  assert.ok(state.epoch.length > 0);
  assert.equal(state.notes.size, 0);
  assert.equal(a.connection, 'live');
  assert.deepEqual(a.presence.map((p) => p.user), ['alice']);
  assert.equal(a.presence[0].name, 'Name of alice');
  assert.deepEqual(a.rec.statuses.map((x) => x.s), ['live']);
  a.close();
});

test('put, patch and delete resolve on their ack and a second client converges', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);

  const put = await a.putNote({ id: 'n1', text: 'hello', x: 10, y: 20, color: 'yellow' });
  assert.equal(put.seq, 1);
  assert.equal(put.by, 'alice');
  assert.equal(put.op.kind, 'note.put');
  assert.equal(put.op.note.author, 'alice');
  assert.equal(a.seq, 1);
  assert.equal(a.state.pending, 0);
  assert.deepEqual(a.notes.get('n1'), { id: 'n1', text: 'hello', x: 10, y: 20, color: 'yellow', author: 'alice' });

  const patch = await a.patchNote('n1', { text: 'hello world', color: null });
  assert.equal(patch.seq, 2);
  assert.deepEqual(a.notes.get('n1'), { id: 'n1', text: 'hello world', x: 10, y: 20, author: 'alice' });

  // bob writes too; both converge to the same state at the same seq
  await b.putNote({ id: 'n2', text: 'from bob' });
  await b.patchNote('n1', { x: 99 });
  await waitFor(() => a.seq === 4 && b.seq === 4, 5000, 'both at seq 4');
  assert.deepEqual(Object.fromEntries(a.notes), Object.fromEntries(b.notes));
  assert.equal(a.notes.get('n2').author, 'bob');
  assert.equal(a.notes.get('n1').x, 99);

  const del = await b.deleteNote('n2');
  assert.equal(del.op.kind, 'note.delete');
  await waitFor(() => a.seq === 5, 5000, 'alice at seq 5');
  assert.equal(a.notes.has('n2'), false);
  assert.deepEqual(Object.fromEntries(a.notes), Object.fromEntries(b.notes));
  assert.deepEqual(a.epoch, b.epoch);

  // a late joiner gets the same state in its snapshot
  const c = client(id, 'carol');
  const cs = await c.ready;
  assert.equal(cs.seq, 5);
  assert.deepEqual(Object.fromEntries(cs.notes), Object.fromEntries(a.notes));
  for (const h of [a, b, c]) h.close();
});

test('ops sent at once are applied in order (put then patch without waiting)', T, async () => {
  const a = client(paperId(), 'alice');
  await a.ready;
  const ps = [
    a.putNote({ id: 'k', text: '' }),
    a.patchNote('k', { text: 'a' }),
    a.patchNote('k', { text: 'ab' }),
    a.patchNote('k', { text: 'abc' }),
  ];
  const acks = await Promise.all(ps);
  assert.deepEqual(acks.map((d) => d.seq), [1, 2, 3, 4]);
  assert.equal(a.notes.get('k').text, 'abc');
  a.close();
});

test('a refused op rejects with its code and its optimistic effect is undone', T, async () => {
  const a = client(paperId(), 'alice');
  await a.ready;
  await assert.rejects(a.patchNote('missing', { text: 'x' }), (e) => {
    assert.ok(e instanceof RollingPaperError);
    assert.equal(e.code, 'not_found');
    assert.equal(typeof e.message, 'string');
    return true;
  });
  await assert.rejects(a.deleteNote('missing'), { code: 'not_found' });
  assert.equal(a.seq, 0); // a refused op consumes no seq

  // the client refuses locally what the server would refuse as bad_op (no frame sent)
  await assert.rejects(a.patchNote('n', { author: 'mallory' }), { code: 'bad_op' });
  await assert.rejects(a.putNote({ id: 'bad id!' }), { code: 'bad_op' });

  // an optimistic put that the server refuses
  const big = 'x'.repeat(20 * 1024); // over the 16 KiB note limit, under the 64 KiB frame limit
  const p = a.putNote({ id: 'big', text: big });
  assert.equal(a.notes.has('big'), true, 'shown optimistically before the ack');
  await assert.rejects(p, { code: 'too_large' });
  assert.equal(a.notes.has('big'), false, 'undone after the error');
  assert.equal(a.state.pending, 0);
  assert.ok(a.rec.errors.some((e) => e.code === 'not_found'), 'op errors reach onError too');
  assert.equal(a.connection, 'live', 'the connection stays open after op errors');
  a.close();
});

test('own pending ops are shown at once and reconciled on the ack', T, async () => {
  const a = client(paperId(), 'alice');
  await a.ready;
  const p1 = a.putNote({ id: 'o', text: 'draft', x: 1 });
  const p2 = a.patchNote('o', { text: 'draft 2' });
  // synchronously after the calls: shown, not confirmed
  assert.deepEqual(a.notes.get('o'), { id: 'o', text: 'draft 2', x: 1, author: 'alice' });
  assert.equal(a.state.confirmed.has('o'), false);
  assert.equal(a.state.pending, 2);
  assert.equal(a.seq, 0);
  assert.deepEqual(a.rec.states.slice(-2).map((c) => c.type), ['local', 'local']);
  await Promise.all([p1, p2]);
  assert.equal(a.state.pending, 0);
  assert.deepEqual(a.state.confirmed.get('o'), a.notes.get('o'));
  assert.equal(a.notes.get('o').text, 'draft 2');
  const acks = a.rec.states.filter((c) => c.type === 'delta');
  assert.deepEqual(acks.map((c) => c.mine), [true, true]);

  // optimistic delete
  const pd = a.deleteNote('o');
  assert.equal(a.notes.has('o'), false);
  assert.equal(a.state.confirmed.has('o'), true);
  await pd;
  assert.equal(a.state.confirmed.has('o'), false);

  // a pending patch on top of someone else's concurrent change: the shown note is the
  // confirmed one with the pending patch applied, and both converge after the ack
  const b = client(a.paperId, 'bob');
  await b.ready;
  await a.putNote({ id: 'c', text: 't', x: 0 });
  await waitFor(() => b.notes.has('c'), 5000, 'bob sees c');
  const bp = b.patchNote('c', { x: 5 });
  const ap = a.patchNote('c', { text: 'alice' });
  await Promise.all([bp, ap]);
  await waitFor(() => a.seq === b.seq, 5000, 'same seq');
  assert.deepEqual(a.notes.get('c'), b.notes.get('c'));
  assert.equal(a.notes.get('c').x, 5);
  assert.equal(a.notes.get('c').text, 'alice');
  a.close();
  b.close();
});

test('signals are relayed to the others and throttled on the client', T, async () => {
  const id = paperId();
  const a = client(id, 'alice', { signalInterval: 50 });
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);

  // a burst in one tick: the first goes at once, the latest at the end of the interval
  for (let i = 0; i < 50; i++) a.sendSignal({ cursor: { x: i, y: 0 } });
  await waitFor(() => b.rec.signals.length >= 2, 3000, 'two signals');
  await sleep(200);
  assert.equal(b.rec.signals.length, 2);
  assert.deepEqual(b.rec.signals[0], { by: 'alice', data: { cursor: { x: 0, y: 0 } } });
  assert.deepEqual(b.rec.signals[1].data, { cursor: { x: 49, y: 0 } });
  assert.equal(a.rec.signals.length, 0, 'the sender does not get its own signal back');

  // a steady stream every 5 ms for ~1 s: about 20 sent, the last one included
  b.rec.signals.length = 0;
  const t0 = Date.now();
  let i = 0;
  while (Date.now() - t0 < 1000) {
    a.sendSignal({ typing: 'n1', i: i++ });
    await sleep(5);
  }
  const last = i - 1;
  await waitFor(() => b.rec.signals.some((s) => s.data.i === last), 3000, 'the trailing signal');
  const n = b.rec.signals.length;
  assert.ok(n >= 10 && n <= 25, `between 10 and 25 signals in ~1 s, got ${n}`);

  assert.throws(() => a.sendSignal({ big: 'x'.repeat(2000) }), { code: 'too_large' });
  a.close();
  b.close();
});

test('presence shows both clients, once per user, and who left', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  await a.ready;
  const b = client(id, 'bob');
  const bs = await b.ready;
  assert.deepEqual(bs.presence.map((p) => p.user).sort(), ['alice', 'bob']);
  await waitFor(() => a.presence.length === 2, 5000, 'alice sees bob');
  assert.deepEqual(a.presence.find((p) => p.user === 'bob'), { user: 'bob', name: 'Name of bob' });
  assert.ok(a.rec.presences.some(({ c }) => c.joined.some((p) => p.user === 'bob')));

  // a second session of bob does not make him present twice, and he stays while one is open
  const b2 = client(id, 'bob');
  await b2.ready;
  await sleep(200);
  assert.equal(a.presence.length, 2);
  b.close();
  await sleep(300);
  assert.deepEqual(a.presence.map((p) => p.user).sort(), ['alice', 'bob']);
  b2.close();
  await waitFor(() => a.presence.length === 1, 5000, 'bob left');
  assert.ok(a.rec.presences.some(({ c }) => c.left.includes('bob')));
  a.close();
});

test('a completed paper is read-only: queued and later ops reject with paper_completed', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);
  await a.putNote({ id: 'n', text: 'final words' });
  const res = await fetch(`${node.httpUrl}/api/papers/${id}/complete`, { method: 'POST' });
  assert.equal(res.status, 200);
  const snap = await res.json();
  assert.equal(snap.status, 'completed');
  await waitFor(() => a.status === 'completed' && b.status === 'completed', 5000, 'completed frames');
  assert.equal(a.connection, 'live', 'sessions stay open, read-only');
  assert.ok(b.rec.states.some((c) => c.type === 'completed'));
  await assert.rejects(a.putNote({ id: 'late', text: 'too late' }), { code: 'paper_completed' });
  await assert.rejects(b.patchNote('n', { text: 'edit' }), { code: 'paper_completed' });
  assert.equal(a.notes.has('late'), false);

  // a new join gets a snapshot with status completed and its notes
  const c = client(id, 'carol');
  const cs = await c.ready;
  assert.equal(cs.status, 'completed');
  assert.equal(cs.notes.get('n').text, 'final words');
  for (const h of [a, b, c]) h.close();
});

test('deleting the paper closes its sessions with 1000 and the client stops', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  await a.ready;
  await a.putNote({ id: 'n', text: 'x' });
  const res = await fetch(`${node.httpUrl}/api/papers/${id}`, { method: 'DELETE' });
  assert.equal(res.status, 204);
  await waitFor(() => a.connection === 'closed', 5000, 'closed');
  const last = a.rec.statuses.at(-1);
  assert.equal(last.info.code, 1000);
  await sleep(1500);
  assert.equal(a.connection, 'closed', 'no reconnect after a 1000 close');
  assert.equal(a.rec.statuses.filter((x) => x.s === 'reconnecting').length, 0);
  await assert.rejects(a.putNote({ id: 'm' }), { code: 'closed' });
});

test('a 1008 close (repeated bad frames) is not retried blindly', T, async () => {
  const a = client(paperId(), 'alice');
  await a.ready;
  // misbehave on the raw socket: ten bad frames within a minute close with 1008
  for (let i = 0; i < 12; i++) a.socket.send('not json');
  await waitFor(() => a.connection === 'offline', 5000, 'offline');
  assert.equal(a.rec.statuses.at(-1).info.code, 1008);
  assert.ok(a.rec.errors.some((e) => e.code === 'policy_violation'));
  await sleep(1500);
  assert.equal(a.connection, 'offline', 'no automatic reconnect');
  assert.equal(a.socket, null);
  // the application may reconnect explicitly; the state resumes
  const queued = a.putNote({ id: 'queued', text: 'while offline' });
  assert.equal(a.notes.get('queued').text, 'while offline');
  assert.equal(a.state.pending, 1);
  a.reconnect();
  const ack = await queued;
  assert.equal(ack.seq, 1);
  assert.equal(a.connection, 'live');
  assert.equal(a.state.confirmed.get('queued').text, 'while offline');
  a.close();
});
