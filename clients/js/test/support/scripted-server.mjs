// A WebSocket server on a free loopback port that plays a node by script, for behaviour today's
// node does not have yet or cannot be made to show on demand (in-band refusals, `ping` frames,
// a connection gone silent). Each accepted connection is handed to `script(conn, index)`.
import { WebSocketServer } from 'ws';

/** one client connection as the script sees it */
export class ScriptedConnection {
  constructor(ws, request) {
    this.ws = ws;
    this.url = new URL(request.url, 'ws://127.0.0.1');
    this.received = [];
    /** @type {{code: number, reason: string} | null} the close as the server saw it */
    this.closed = null;
    ws.on('message', (data) => this.received.push(JSON.parse(data.toString())));
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
  }

  get query() { return Object.fromEntries(this.url.searchParams); }

  send(frame) { if (this.ws.readyState === 1) this.ws.send(JSON.stringify(frame)); }

  /** an in-band refusal as PROTOCOL.md "Endpoint" says: one `error` frame (cid null), then the close */
  refuse(closeCode, code, message = code) {
    this.send({ type: 'error', cid: null, code, message });
    this.ws.close(closeCode, code);
  }

  snapshot(over = {}) {
    this.send({ type: 'snapshot', paper: this.url.pathname.split('/').pop(), epoch: 'E1', seq: 0, status: 'open', notes: [], presence: [], ...over });
  }
}

/** starts a scripted server; `url` is its ws:// base, `connections` every connection so far */
export async function startScriptedServer(script) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  const connections = [];
  wss.on('connection', (ws, request) => {
    const conn = new ScriptedConnection(ws, request);
    connections.push(conn);
    script(conn, connections.length - 1);
  });
  return {
    url: `ws://127.0.0.1:${wss.address().port}`,
    connections,
    async stop() {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
