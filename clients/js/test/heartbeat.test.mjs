// Liveness (PROTOCOL.md "Liveness" and the `ping` frame): a quiet but live connection is kept
// and its `ping` frames reach no listener; a connection on which nothing at all was heard for
// two heartbeat intervals is dropped and resumed with since/epoch. A scripted server plays the
// node (today's node sends no `ping` frame, and cannot be made to go silent on demand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_URL, WebSocket, waitFor } from './support/node-server.mjs';
import { startScriptedServer } from './support/scripted-server.mjs';

const { connect } = await import(CLIENT_URL);

const T = { timeout: 10000 };
// the heartbeat interval of these tests, in ms (the default is 25 s): short, yet long enough that
// a loaded machine's pause of the test process does not pass for two intervals of silence
const INTERVAL = 300;

function record(h) {
  const rec = { states: [], statuses: [], presences: [], signals: [], errors: [] };
  h.on('state', (s, c) => rec.states.push(c));
  h.on('status', (s, info) => rec.statuses.push({ s, info }));
  h.on('presence', (p, c) => rec.presences.push(c));
  h.on('signal', (x) => rec.signals.push(x));
  h.on('error', (e) => rec.errors.push(e));
  return rec;
}

test('ping frames keep a quiet connection live and reach no listener', T, async () => {
  let pings = 0;
  const timers = [];
  const server = await startScriptedServer((conn) => {
    conn.snapshot({ seq: 5 });
    timers.push(setInterval(() => { conn.send({ type: 'ping' }); pings++; }, INTERVAL / 2));
  });
  const h = connect(server.url, 'p1', { WebSocket, user: 'u', heartbeatInterval: INTERVAL });
  const rec = record(h);
  try {
    await h.ready;
    const afterJoin = { states: rec.states.length, presences: rec.presences.length };
    // four intervals: twice the silence that would make the client give up on the socket
    await waitFor(() => pings >= 8, 5000, '8 pings');
    assert.equal(server.connections.length, 1, 'no reconnect');
    assert.equal(h.connection, 'live');
    assert.deepEqual(rec.statuses.map((x) => x.s), ['live']);
    assert.equal(rec.states.length, afterJoin.states, 'no state event for a ping');
    assert.equal(rec.presences.length, afterJoin.presences, 'no presence event for a ping');
    assert.deepEqual(rec.signals, []);
    assert.deepEqual(rec.errors, []);
  } finally {
    for (const t of timers) clearInterval(t);
    h.close();
    await server.stop();
  }
});

test('nothing heard for two intervals: the client drops the socket and resumes with since/epoch', T, async () => {
  // the first connection gets its snapshot and then silence (open, no close: a dead NAT mapping);
  // the second one is resumed
  const server = await startScriptedServer((conn, i) => {
    if (i === 0) conn.snapshot({ epoch: 'E7', seq: 3 });
    else conn.send({ type: 'resumed', paper: 'p1', epoch: 'E7', from: 3, seq: 3, presence: [] });
  });
  const h = connect(server.url, 'p1', { WebSocket, user: 'u', heartbeatInterval: INTERVAL });
  const rec = record(h);
  try {
    await h.ready;
    const joinedAt = Date.now();
    await waitFor(() => server.connections.length === 2, 5000, 'a second connection');
    const silence = Date.now() - joinedAt;
    assert.ok(silence >= 2 * INTERVAL - 20, `not before two intervals of silence (${silence} ms)`);
    assert.deepEqual(server.connections[1].query, { since: '3', epoch: 'E7', user: 'u' });
    await waitFor(() => server.connections[0].closed !== null, 5000, 'the silent socket closed by the client');
    await waitFor(() => h.connection === 'live' && rec.statuses.length >= 3, 5000, 'live again');
    assert.deepEqual(rec.statuses.map((x) => x.s), ['live', 'reconnecting', 'live']);
    assert.equal(rec.statuses[2].info.resumed, true);
    assert.deepEqual(rec.errors.map((e) => e.code), ['heartbeat']);
  } finally {
    h.close();
    await server.stop();
  }
});
