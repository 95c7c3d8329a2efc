// Starts the real node (node/target/rolling-paper-node.jar, in-memory mode) on a free port for
// the tests, and stops it. RP_NODE_JAR overrides the jar.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const JAR = process.env.RP_NODE_JAR || path.resolve(here, '../../../../node/target/rolling-paper-node.jar');
export const CLIENT_URL = new URL('../../rolling-paper.js', import.meta.url).href;
export { WebSocket };

/** a TCP port nobody listens on right now */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One node process. `start()` waits for /health/ready; `stop()` sends SIGTERM (the node may
 * drain and close its sessions with 1012) and waits for the exit, SIGKILL after 10 s.
 */
export class NodeProcess {
  constructor(port) {
    this.port = port;
    this.proc = null;
    this.log = '';
  }

  get httpUrl() { return `http://127.0.0.1:${this.port}`; }
  get wsUrl() { return `ws://127.0.0.1:${this.port}`; }

  async start(timeoutMs = 60000) {
    const env = { ...process.env, PORT: String(this.port) };
    delete env.REDIS_URL; // in-memory store
    if (!existsSync(JAR)) {
      throw new Error(`the node jar is missing: ${JAR} (build it from the repo root with: mvn -q -B package -DskipTests)`);
    }
    const proc = spawn('java', ['-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    // never leave a node behind, even if the test process dies without running its after hooks
    const killOnExit = () => { try { proc.kill('SIGKILL'); } catch { /* gone */ } };
    process.once('exit', killOnExit);
    proc.once('exit', () => process.removeListener('exit', killOnExit));
    this.log = '';
    const keep = (chunk) => { this.log = (this.log + chunk).slice(-20000); };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    let exited = null;
    proc.once('exit', (code, signal) => { exited = { code, signal }; });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`the node exited early (${JSON.stringify(exited)}):\n${this.log}`);
      try {
        const res = await fetch(`${this.httpUrl}/health/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return this;
      } catch { /* not up yet */ }
      await sleep(100);
    }
    await this.stop();
    throw new Error(`the node was not ready within ${timeoutMs} ms:\n${this.log}`);
  }

  async stop(signal = 'SIGTERM') {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
    await gone;
    clearTimeout(timer);
  }
}

/** starts a node on a free port */
export async function startNode() {
  const node = new NodeProcess(await freePort());
  await node.start();
  return node;
}

/** resolves once `predicate()` is true (polled every 10 ms), rejects after `timeoutMs` */
export async function waitFor(predicate, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try { ok = await predicate(); } catch { ok = false; }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

let paperCounter = 0;
/** a fresh paper id for one test */
export function paperId(prefix = 't') {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++paperCounter}`;
}
