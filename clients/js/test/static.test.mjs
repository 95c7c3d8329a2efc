// The node serves the demo board and the client library from its classpath webroot, and the
// library it serves is this package's rolling-paper.js (copied into the jar) and loads as an ES module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startNode } from './support/node-server.mjs';

const webroot = new URL('../../../node/src/main/resources/webroot/', import.meta.url);
const packageRoot = new URL('../', import.meta.url);
const T = { timeout: 15000 };
let node;

before(async () => { node = await startNode(); }, { timeout: 90000 });
after(async () => { if (node) await node.stop(); });

async function get(path) {
  const res = await fetch(`${node.httpUrl}${path}`, { redirect: 'manual' });
  return { status: res.status, type: res.headers.get('content-type') || '', body: await res.text() };
}

const cases = [
  ['/', 'index.html', /text\/html/],
  ['/p/some-paper_1', 'board.html', /text\/html/],
  ['/p/another', 'board.html', /text\/html/],
  ['/assets/board.js', 'assets/board.js', /javascript/],
  ['/assets/board.css', 'assets/board.css', /text\/css/],
  ['/assets/index.js', 'assets/index.js', /javascript/],
  ['/assets/identity.js', 'assets/identity.js', /javascript/],
];

for (const [path, file, type] of cases) {
  test(`GET ${path} serves webroot/${file}`, T, async () => {
    const res = await get(path);
    assert.equal(res.status, 200);
    assert.match(res.type, type);
    assert.equal(res.body, await readFile(new URL(file, webroot), 'utf8'));
  });
}

test('GET /client/rolling-paper.js serves the package\'s rolling-paper.js', T, async () => {
  const res = await get('/client/rolling-paper.js');
  assert.equal(res.status, 200);
  assert.match(res.type, /javascript/);
  assert.equal(res.body, await readFile(new URL('rolling-paper.js', packageRoot), 'utf8'));
});

test('the served client library loads as an ES module with its API', T, async () => {
  const { body } = await get('/client/rolling-paper.js');
  const mod = await import(`data:text/javascript;base64,${Buffer.from(body).toString('base64')}`);
  for (const name of ['connect', 'newId', 'isValidPaperId', 'RollingPaperError', 'PaperConnection']) {
    assert.equal(typeof mod[name], 'function', name);
  }
});
