// The package as a consumer gets it: `npm pack` (which generates the types), the tarball installed
// into a scratch project in target/, a TypeScript usage type-checked with `tsc --noEmit` against
// the shipped types, and a Node app using it against the real node. The scratch project installs
// only the tarball (no dependencies, so no registry); `ws` and `typescript` come from this
// package's own node_modules, which Node and tsc find by walking up from target/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { startNode, paperId } from './support/node-server.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const target = path.join(root, 'target');
const scratch = path.join(target, 'consumer');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const T = { timeout: 120000 };

let node;
let packed;

before(async () => {
  await rm(target, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const [{ stdout }, started] = await Promise.all([
    run(npm, ['pack', '--json', '--pack-destination', target], { cwd: root }),
    startNode(),
  ]);
  node = started;
  // npm prints the prepack script's output before the JSON
  [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
}, { timeout: 120000 });
after(async () => { if (node) await node.stop(); });

test('the tarball holds the module, its types, README, LICENSE and package.json, nothing else', T, async () => {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  assert.equal(packed.name, '@rolling-paper/client');
  assert.equal(packed.version, pkg.version);
  assert.deepEqual(packed.files.map((f) => f.path).sort(),
    ['LICENSE', 'README.md', 'package.json', 'rolling-paper.js', 'types/rolling-paper.d.ts']);
});

test('installed from the tarball: a TypeScript usage type-checks and a Node app works against a real node', T, async () => {
  for (const file of ['usage.ts', 'tsconfig.json', 'run.mjs']) {
    await cp(path.join(root, 'test', 'consumer', file), path.join(scratch, file));
  }
  await writeFile(path.join(scratch, 'package.json'), JSON.stringify({
    name: 'rolling-paper-consumer', private: true, type: 'module',
    dependencies: { '@rolling-paper/client': `file:../${packed.filename}` },
  }, null, 2));
  await run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: scratch });
  const installed = JSON.parse(await readFile(path.join(scratch, 'node_modules/@rolling-paper/client/package.json'), 'utf8'));
  assert.equal(installed.version, packed.version);

  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const typed = await run(process.execPath, [tsc, '--noEmit', '-p', scratch]).catch((e) => e);
  assert.equal(typed.code ?? 0, 0, `tsc --noEmit failed:\n${typed.stdout}${typed.stderr}`);

  const { stdout } = await run(process.execPath, ['run.mjs', node.wsUrl, paperId('consumer')], { cwd: scratch, timeout: 30000 });
  assert.deepEqual(JSON.parse(stdout.trim()), { seq: 1, author: 'consumer-a', text: 'from the tarball', connection: 'live' });
});
