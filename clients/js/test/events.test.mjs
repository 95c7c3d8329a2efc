// on(event, fn) / off(event, fn) against a real node: several listeners per event, next to the
// constructor's callbacks, each told the same thing; off stops one without touching the others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

function client(paper, user, extra = {}) {
  const h = connect(node.wsUrl, paper, { WebSocket, user, name: user, ...extra });
  open.push(h);
  return h;
}

/** a listener that records its calls */
function spy() {
  const calls = [];
  const fn = (...args) => { calls.push(args); };
  fn.calls = calls;
  return fn;
}

test('several state and status listeners and the constructor callback all get every event', T, async () => {
  const fromOptions = { state: spy(), status: spy() };
  const a = client(paperId(), 'alice', { onState: fromOptions.state, onStatus: fromOptions.status });
  const states = [spy(), spy()];
  const statuses = [spy(), spy()];
  for (const fn of states) assert.equal(a.on('state', fn), a, 'on returns the connection');
  for (const fn of statuses) a.on('status', fn);
  await a.ready;
  await a.putNote({ id: 'n1', text: 'hi' });

  const kinds = (fn) => fn.calls.map(([, change]) => change.type);
  assert.deepEqual(kinds(fromOptions.state), ['snapshot', 'local', 'delta']);
  for (const fn of states) assert.deepEqual(kinds(fn), kinds(fromOptions.state));
  for (const fn of statuses) assert.deepEqual(fn.calls.map(([s]) => s), ['live']);
  assert.deepEqual(fromOptions.status.calls.map(([s]) => s), ['live']);
  assert.equal(states[1].calls[2][0].notes.get('n1').text, 'hi', 'listeners get the state');
});

test('off removes one listener; the same function added twice is called once', T, async () => {
  const a = client(paperId(), 'alice');
  const kept = spy();
  const removed = spy();
  a.on('state', kept).on('state', kept).on('state', removed);
  await a.ready;
  await a.putNote({ id: 'n1' });
  const before = removed.calls.length;
  assert.equal(kept.calls.length, before, 'added twice, called once per event');
  assert.equal(a.off('state', removed), a, 'off returns the connection');
  a.off('state', () => {}); // never added: nothing happens
  await a.putNote({ id: 'n2' });
  assert.equal(removed.calls.length, before, 'not called after off');
  assert.equal(kept.calls.length, before + 2, 'the other one still is (local + delta)');
});

test('presence, signal and error listeners', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const presence = [spy(), spy()];
  const signal = [spy(), spy()];
  const error = [spy(), spy()];
  for (const fn of presence) a.on('presence', fn);
  for (const fn of signal) a.on('signal', fn);
  for (const fn of error) a.on('error', fn);
  await a.ready;
  const b = client(id, 'bob');
  await b.ready;
  await waitFor(() => presence.every((fn) => fn.calls.some(([, c]) => c.joined.some((p) => p.user === 'bob'))), 5000, 'bob joined');
  b.sendSignal({ cursor: [1, 2] });
  await waitFor(() => signal.every((fn) => fn.calls.length === 1), 5000, 'the signal');
  for (const fn of signal) assert.deepEqual(fn.calls[0][0], { by: 'bob', data: { cursor: [1, 2] } });
  await assert.rejects(a.deleteNote('missing'), (e) => e.code === 'not_found');
  for (const fn of error) {
    assert.equal(fn.calls.length, 1);
    assert.ok(fn.calls[0][0] instanceof RollingPaperError);
    assert.equal(fn.calls[0][0].code, 'not_found');
  }
});

test('an unknown event or a listener that is not a function is refused at once', T, async () => {
  const a = client(paperId(), 'alice');
  assert.throws(() => a.on('stat', () => {}), (e) => e instanceof RollingPaperError && e.code === 'bad_event');
  assert.throws(() => a.off('nope', () => {}), (e) => e.code === 'bad_event');
  assert.throws(() => a.on('state', 'not a function'), (e) => e.code === 'bad_listener');
  assert.throws(() => a.on('__proto__', () => {}), (e) => e.code === 'bad_event');
});
