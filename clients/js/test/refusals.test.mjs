// In-band refusals (PROTOCOL.md "Endpoint"): the node completes the upgrade, sends one `error`
// frame and closes with 4401, 4403, 4404 or 4429. Played by a scripted server, since what a
// client does with each must not depend on the node being able to produce it on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLIENT_URL, WebSocket, waitFor } from './support/node-server.mjs';
import { startScriptedServer } from './support/scripted-server.mjs';

const { connect } = await import(CLIENT_URL);

const T = { timeout: 10000 };
/** long enough for any retry a stopped client would wrongly make (its back-off starts at 20 ms) */
const NO_RETRY_WINDOW_MS = 300;

async function setup(script, opts = {}) {
  const server = await startScriptedServer(script);
  const rec = { statuses: [], errors: [] };
  const h = connect(server.url, 'p1', {
    WebSocket,
    initialBackoff: 20,
    maxBackoff: 100,
    heartbeatInterval: 0,
    onStatus: (s, info) => rec.statuses.push({ s, info }),
    onError: (e) => rec.errors.push(e),
    ...opts,
  });
  return { server, h, rec, async stop() { h.close(); await server.stop(); } };
}

test('4401 with a token function: it is asked once for a new token and the client joins with it', T, async () => {
  let asked = 0;
  const t = await setup((conn, i) => (i === 0 ? conn.refuse(4401, 'unauthorized', 'token expired') : conn.snapshot()),
    { token: () => `token-${++asked}` });
  try {
    const state = await t.h.ready;
    assert.equal(state.connection, 'live');
    assert.equal(asked, 2);
    assert.deepEqual(t.server.connections.map((c) => c.query.access_token), ['token-1', 'token-2']);
    assert.deepEqual(t.rec.errors.map((e) => e.code), ['unauthorized'], 'the refusal reported once');
    assert.equal(t.rec.errors[0].message, 'token expired');
    assert.deepEqual(t.rec.statuses.map((x) => x.s), ['reconnecting', 'live']);
    assert.equal(t.rec.statuses[0].info.code, 4401);
  } finally { await t.stop(); }
});

test('4401 twice: the client stops as unauthorized and ready rejects with the code', T, async () => {
  let asked = 0;
  const t = await setup((conn) => conn.refuse(4401, 'unauthorized'), { token: async () => `token-${++asked}` });
  try {
    await assert.rejects(t.h.ready, (e) => e.code === 'unauthorized' && e.closeCode === 4401);
    assert.equal(t.h.connection, 'unauthorized');
    await sleep(NO_RETRY_WINDOW_MS);
    assert.equal(t.server.connections.length, 2, 'no third try');
    assert.equal(asked, 2, 'the token function asked once after the refusal');
    assert.deepEqual(t.rec.statuses.map((x) => x.s), ['reconnecting', 'unauthorized']);
  } finally { await t.stop(); }
});

test('4401 with a fixed token, or a token function that returns the same token: stops without retrying', T, async () => {
  for (const token of ['fixed', () => 'same-again']) {
    const t = await setup((conn) => conn.refuse(4401, 'unauthorized'), { token });
    try {
      await assert.rejects(t.h.ready, (e) => e.code === 'unauthorized');
      assert.equal(t.h.connection, 'unauthorized');
      await sleep(NO_RETRY_WINDOW_MS);
      assert.equal(t.server.connections.length, 1, `no retry with ${typeof token}`);
    } finally { await t.stop(); }
  }
});

test('unauthorized, then reconnect({token}) with a good one joins', T, async () => {
  const t = await setup((conn) => (conn.query.access_token === 'good' ? conn.snapshot() : conn.refuse(4401, 'unauthorized')), { token: 'bad' });
  try {
    await waitFor(() => t.h.connection === 'unauthorized', 5000, 'unauthorized');
    t.h.reconnect({ token: 'good' });
    await waitFor(() => t.h.connection === 'live', 5000, 'live');
    assert.deepEqual(t.server.connections.map((c) => c.query.access_token), ['bad', 'good']);
  } finally { await t.stop(); }
});

for (const [closeCode, code] of [[4403, 'forbidden'], [4404, 'not_found']]) {
  test(`${closeCode} ${code}: stops, status ${code}, one error event, ready rejects with the code`, T, async () => {
    const t = await setup((conn) => conn.refuse(closeCode, code), { token: () => 'token' });
    try {
      await assert.rejects(t.h.ready, (e) => e.code === code && e.closeCode === closeCode);
      assert.equal(t.h.connection, code);
      await sleep(NO_RETRY_WINDOW_MS);
      assert.equal(t.server.connections.length, 1, 'no retry');
      assert.deepEqual(t.rec.errors.map((e) => e.code), [code]);
      assert.deepEqual(t.rec.statuses.map((x) => x.s), [code]);
      assert.equal(t.rec.statuses[0].info.code, closeCode);
    } finally { await t.stop(); }
  });
}

test('a refusal close without its error frame (e.g. a proxy lost it) is still surfaced once', T, async () => {
  const t = await setup((conn) => conn.ws.close(4404, ''));
  try {
    await assert.rejects(t.h.ready, (e) => e.code === 'not_found' && e.closeCode === 4404);
    assert.equal(t.h.connection, 'not_found');
    assert.deepEqual(t.rec.errors.map((e) => e.code), ['not_found']);
  } finally { await t.stop(); }
});

test('4429 rate_limited: reconnects after a back-off and joins', T, async () => {
  const t = await setup((conn, i) => (i < 2 ? conn.refuse(4429, 'rate_limited') : conn.snapshot()));
  try {
    await t.h.ready;
    assert.equal(t.server.connections.length, 3);
    const waits = t.rec.statuses.filter((x) => x.s === 'reconnecting');
    assert.equal(waits.length, 2);
    for (const w of waits) {
      assert.equal(w.info.code, 4429);
      assert.ok(w.info.delay >= 10, `a back-off, not at once: ${w.info.delay} ms`);
    }
    assert.deepEqual(t.rec.errors.map((e) => e.code), ['rate_limited', 'rate_limited']);
  } finally { await t.stop(); }
});

test('1008: reconnects once with a new token from the token function, stops without one', T, async () => {
  let asked = 0;
  const withFn = await setup((conn, i) => (i === 0 ? conn.ws.close(1008, 'token expired') : conn.snapshot()), { token: () => `t${++asked}` });
  try {
    await withFn.h.ready;
    assert.deepEqual(withFn.server.connections.map((c) => c.query.access_token), ['t1', 't2']);
  } finally { await withFn.stop(); }

  const fixed = await setup((conn) => conn.ws.close(1008, 'token expired'), { token: 'fixed' });
  try {
    await assert.rejects(fixed.h.ready, (e) => e.code === 'policy_violation' && e.closeCode === 1008);
    assert.equal(fixed.h.connection, 'offline');
    await sleep(NO_RETRY_WINDOW_MS);
    assert.equal(fixed.server.connections.length, 1);
  } finally { await fixed.stop(); }
});
