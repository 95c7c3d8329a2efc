// Notes and patches with fields named __proto__, constructor or prototype, through a real node:
// they stay plain data fields and never change a note's (or any object's) prototype in the
// client's state. `next[key] = value` with key "__proto__" would have set the prototype.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, waitFor, paperId, CLIENT_URL, WebSocket } from './support/node-server.mjs';

const { connect } = await import(CLIENT_URL);

const T = { timeout: 20000 };
let node;
const open = [];

before(async () => { node = await startNode(); }, { timeout: 90000 });
after(async () => {
  for (const h of open) h.close();
  if (node) await node.stop();
});

function client(paper, user) {
  const h = connect(node.wsUrl, paper, { WebSocket, user, name: user });
  open.push(h);
  return h;
}

const HOSTILE = ['__proto__', 'constructor', 'prototype'];
// JSON.parse makes "__proto__" an own field, as a frame from the server would
const hostile = (tag) => JSON.parse(`{"__proto__":{"polluted":"${tag}","id":"hijacked"},"constructor":{"prototype":{"polluted":"${tag}"}},"prototype":{"polluted":"${tag}"}}`);

function assertPlainNotes(h, who) {
  for (const map of [h.notes, h.state.confirmed]) {
    for (const [id, note] of map) {
      assert.equal(Object.getPrototypeOf(note), Object.prototype, `${who}: note ${id} keeps Object.prototype`);
      assert.equal(note.polluted, undefined, `${who}: note ${id} inherits nothing`);
      assert.equal(note.id, id);
    }
  }
  assert.equal(({}).polluted, undefined, 'Object.prototype untouched');
}

test('__proto__, constructor and prototype fields in puts, patches and snapshots stay data', T, async () => {
  const id = paperId();
  const a = client(id, 'alice');
  const b = client(id, 'bob');
  await Promise.all([a.ready, b.ready]);

  await a.putNote({ id: 'n1', text: 'put', ...hostile('put') });
  await a.putNote({ id: 'n2', text: 'patched' });
  await a.patchNote('n2', hostile('patch'));
  await waitFor(() => b.seq === 3, 5000, 'bob at seq 3');
  const c = client(id, 'carol'); // gets them in a snapshot
  await c.ready;

  for (const [h, who] of [[a, 'alice'], [b, 'bob'], [c, 'carol']]) {
    assertPlainNotes(h, who);
    for (const [noteId, tag] of [['n1', 'put'], ['n2', 'patch']]) {
      const note = h.notes.get(noteId);
      for (const key of HOSTILE) assert.ok(Object.hasOwn(note, key), `${who}: ${noteId} has its own ${key}`);
      assert.deepEqual(note.__proto__, { polluted: tag, id: 'hijacked' }, `${who}: ${noteId}.__proto__ is the data sent`);
      assert.deepEqual(note.prototype, { polluted: tag });
    }
  }

  // removing them (null) deletes the own fields and leaves the prototype alone
  await a.patchNote('n2', JSON.parse('{"__proto__":null,"constructor":null,"prototype":null}'));
  await waitFor(() => b.seq === 4, 5000, 'bob at seq 4');
  for (const [h, who] of [[a, 'alice'], [b, 'bob']]) {
    assertPlainNotes(h, who);
    const note = h.notes.get('n2');
    for (const key of HOSTILE) assert.ok(!Object.hasOwn(note, key), `${who}: ${key} removed`);
    assert.equal(note.constructor, Object, 'the inherited constructor is Object again');
  }
});
