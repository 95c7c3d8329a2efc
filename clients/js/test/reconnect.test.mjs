// The client library's reconnect and resume against a real node: a dropped socket resumes with
// since/epoch and catches up; ops made while reconnecting are queued and sent after the resume;
// a restarted in-memory node (the paper lost) gives a snapshot in a new epoch, which replaces
// the state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNode, waitFor, paperId, CLIENT_URL, WebSocket } from './support/node-server.mjs';

const { connect } = await import(CLIENT_URL);

const T = { timeout: 30000 };
let node;
const open = [];

before(async () => { node = await startNode(); }, { timeout: 90000 });
after(async () => {
  for (const h of open) h.close();
  if (node) await node.stop();
});

function client(paper, user, extra = {}) {
  const rec = { states: [], statuses: [], errors: [] };
  const h = connect(node.wsUrl, paper, {
    WebSocket,
    user,
    name: user,
    initialBackoff: 100,
    maxBackoff: 1000,
    onState: (s, c) => rec.states.push(c),
    onStatus: (s, info) => rec.statuses.push({ s, info }),
    onError: (e) => rec.errors.push(e),
    ...extra,
  });
  h.rec = rec;
  open.push(h);
  return h;
}

test('a dropped connection resumes with since/epoch and catches up on what was missed', T, async () => {
  const id = paperId();
  // a back-off of 1 to 2 s, so that bob surely writes while alice is away
  const a = client(id, 'alice', { initialBackoff: 2000 });
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);
  await a.putNote({ id: 'n1', text: 'one' });
  await waitFor(() => b.seq === 1, 5000, 'bob at 1');
  const epoch = a.epoch;

  // drop alice's socket abruptly (no close frame): she sees 1006 and reconnects after a back-off
  let ops = 0;
  a.socket.terminate();
  // meanwhile bob writes; alice queues an op of her own while reconnecting
  await waitFor(() => a.connection === 'reconnecting', 5000, 'reconnecting');
  const queued = a.patchNote('n1', { text: 'one, edited offline' });
  assert.equal(a.notes.get('n1').text, 'one, edited offline', 'queued op shown at once');
  for (let i = 0; i < 5; i++) { await b.putNote({ id: `b${i}`, text: `bob ${i}` }); ops++; }

  const ack = await queued;
  assert.equal(ack.seq, 2 + ops, 'the queued op is sent after the missed deltas');
  const live = a.rec.statuses.filter((x) => x.s === 'live');
  assert.equal(live.length, 2);
  assert.equal(live[1].info.resumed, true, 'resumed, not a fresh snapshot');
  assert.equal(live[1].info.from, 1);
  assert.equal(a.epoch, epoch);
  assert.equal(a.rec.states.filter((c) => c.type === 'snapshot').length, 1, 'no second snapshot');
  await waitFor(() => b.seq === a.seq, 5000, 'converged');
  assert.deepEqual(Object.fromEntries(a.notes), Object.fromEntries(b.notes));
  assert.equal(a.notes.size, 6);
  assert.equal(b.notes.get('n1').text, 'one, edited offline');
  a.close();
  b.close();
});

test('an op in flight when the socket drops is applied once and acknowledged once', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);
  for (let round = 0; round < 5; round++) {
    const p = a.putNote({ id: `r${round}`, text: `round ${round}` });
    const q = a.patchNote(`r${round}`, { n: round });
    a.socket.terminate(); // the frames may or may not have reached the node
    const [d1, d2] = await Promise.all([p, q]);
    assert.equal(d2.seq, d1.seq + 1);
    assert.equal(a.state.pending, 0);
  }
  await waitFor(() => a.seq === b.seq && a.seq >= 10, 5000, 'converged');
  assert.deepEqual(Object.fromEntries(a.notes), Object.fromEntries(b.notes));
  assert.equal(a.notes.size, 5);
  a.close();
  b.close();
});

test('a node restart loses the in-memory paper: the client accepts the new epoch snapshot', { timeout: 120000 }, async (t) => {
  const id = paperId();
  const a = client(id, 'alice');
  await a.ready;
  await a.putNote({ id: 'old', text: 'before the restart' });
  const epoch = a.epoch;

  await node.stop(); // SIGTERM: the node may drain (1012) or just go away (1006)
  await waitFor(() => a.connection === 'reconnecting', 10000, 'reconnecting');
  const queued = a.putNote({ id: 'new', text: 'written while the node was down' });
  await node.start();

  const ack = await queued;
  await waitFor(() => a.connection === 'live', 10000, 'live');
  assert.notEqual(a.epoch, epoch, 'a new epoch');
  const snaps = a.rec.states.filter((c) => c.type === 'snapshot');
  assert.equal(snaps.length, 2);
  assert.equal(snaps[1].epochChanged, true);
  assert.equal(snaps[1].replaced, true);
  assert.equal(ack.seq, 1, 'the queued op is the first of the new history');
  assert.equal(a.notes.has('old'), false, 'the lost note is gone from the replaced state');
  assert.equal(a.notes.get('new').text, 'written while the node was down');
  assert.deepEqual([...a.state.confirmed.keys()], ['new']);
  const closeCodes = a.rec.statuses.filter((x) => x.s === 'reconnecting').map((x) => x.info.code);
  assert.ok(closeCodes.length >= 1);
  t.diagnostic(`close codes seen while the node restarted: ${closeCodes.join(', ')}`);
  a.close();
});

test('a paper completed while the client was away: the resume says so and queued ops are rejected', T, async () => {
  const id = paperId();
  const a = client(id, 'alice', { initialBackoff: 2000 });
  await a.ready;
  await a.putNote({ id: 'n', text: 'x' });
  a.socket.terminate();
  await waitFor(() => a.connection === 'reconnecting', 5000, 'reconnecting');
  const queued = a.patchNote('n', { text: 'y' });
  const res = await fetch(`${node.httpUrl}/api/papers/${id}/complete`, { method: 'POST' });
  assert.equal(res.status, 200);
  await assert.rejects(queued, { code: 'paper_completed' });
  await waitFor(() => a.connection === 'live' && a.status === 'completed', 10000, 'live and completed');
  assert.equal(a.rec.statuses.filter((x) => x.s === 'live').at(-1).info.resumed, true);
  assert.equal(a.notes.get('n').text, 'x', 'the rejected patch is undone');
  await assert.rejects(a.putNote({ id: 'm' }), { code: 'paper_completed' });
  a.close();
});
