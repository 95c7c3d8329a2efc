'use strict';
// The Socket.IO peer of Rolling Paper Live: the server a team would build for the same job with the
// usual tools (socket.io 4 + @socket.io/redis-adapter + ioredis), used as the side-by-side reference
// of the benchmark. One process per port; N of them share one Redis. See README.md for the contract.
//
//   PORT=3001 REDIS_URL=redis://127.0.0.1:6379 node server.js

const http = require('node:http');
const { Server } = require('socket.io');
const { createAdapter, createShardedAdapter } = require('@socket.io/redis-adapter');
const Redis = require('ioredis');

const PORT = intEnv('PORT', 3000);
const HOST = process.env.HOST || '0.0.0.0';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
// "sharded" (SSUBSCRIBE per room, what the adapter's docs recommend for new work on Redis >= 7) or
// "classic" (one PSUBSCRIBE per namespace: every process receives every room's broadcasts).
const ADAPTER = process.env.ADAPTER || 'sharded';
// The same limits as the Java node's defaults (MAX_FRAME_BYTES, MAX_NOTE_BYTES).
const MAX_MESSAGE_BYTES = intEnv('MAX_MESSAGE_BYTES', 65536);
const MAX_NOTE_BYTES = intEnv('MAX_NOTE_BYTES', 16384);
const NODE_ID = process.env.NODE_ID || `peer-${PORT}`;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function intEnv(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`${name} must be a whole number, got ${v}`);
    process.exit(2);
  }
  return n;
}

// A paper's live state: its seq (a string key) and its notes (a hash of note id -> note JSON). The
// {paper} hash tag keeps both keys in one slot, so MULTI would work on a Redis Cluster too.
const seqKey = (paper) => `peer:{${paper}}:seq`;
const notesKey = (paper) => `peer:{${paper}}:notes`;

async function main() {
  // Commands go on their own connection; the adapter gets a publisher and a subscriber, as documented.
  const redis = new Redis(REDIS_URL);
  const pubClient = new Redis(REDIS_URL);
  const subClient = pubClient.duplicate();
  for (const c of [redis, pubClient, subClient]) {
    c.on('error', (e) => console.error(`${NODE_ID}: redis: ${e.message}`));
  }
  await Promise.all([redis.ping(), pubClient.ping(), subClient.ping()]);

  const adapter = ADAPTER === 'classic'
    ? createAdapter(pubClient, subClient)
    : createShardedAdapter(pubClient, subClient);

  const httpServer = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404).end();
    }
  });
  const io = new Server(httpServer, {
    adapter,
    // WebSocket only: no long-polling, hence no sticky sessions and no CORS preflight to configure.
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
  });

  io.on('connection', (socket) => {
    // Auth is out of scope for the benchmark (the Java node runs with AUTH_DISABLED too): the user id
    // comes from the handshake query, as ours takes ?user= with auth off.
    const q = socket.handshake.query;
    socket.data.user = typeof q.user === 'string' && ID.test(q.user) ? q.user : socket.id;

    socket.on('join', (msg) => join(socket, msg));
    socket.on('op', (msg, ack) => op(socket, msg, ack));
  });

  function refuse(socket, cid, code, message, ack) {
    const err = { cid: cid ?? null, code, message };
    if (typeof ack === 'function') ack(err);
    else socket.emit('error', err);
  }

  async function join(socket, msg) {
    const paper = msg && msg.paper;
    if (typeof paper !== 'string' || !ID.test(paper)) {
      return refuse(socket, null, 'bad_frame', 'join needs a paper id of [A-Za-z0-9_-]{1,64}');
    }
    if (socket.data.paper !== undefined) {
      return refuse(socket, null, 'bad_frame', `already joined ${socket.data.paper}`);
    }
    socket.data.paper = paper;
    // Join the room first, then read: a delta accepted in between reaches the socket as well as the
    // snapshot, and the client drops deltas whose seq the snapshot already covers.
    socket.join(paper);
    try {
      const [[e1, seq], [e2, hash]] = await redis.multi().get(seqKey(paper)).hgetall(notesKey(paper)).exec();
      if (e1 || e2) throw e1 || e2;
      const notes = Object.values(hash).map((s) => JSON.parse(s));
      socket.emit('snapshot', { paper, seq: seq === null ? 0 : Number(seq), notes });
    } catch (e) {
      console.error(`${NODE_ID}: snapshot of ${paper}: ${e.message}`);
      socket.disconnect(true);
    }
  }

  async function op(socket, msg, ack) {
    const paper = socket.data.paper;
    const cid = msg && msg.cid;
    if (cid !== undefined && cid !== null && (typeof cid !== 'string' || cid.length > 64)) {
      return refuse(socket, null, 'bad_frame', 'cid must be a string of at most 64 characters', ack);
    }
    if (paper === undefined) {
      return refuse(socket, cid, 'bad_frame', 'join a paper first', ack);
    }
    const o = msg && msg.op;
    const by = socket.data.user;
    let applied;
    let tx;
    if (o && o.kind === 'note.put' && o.note && typeof o.note === 'object' && !Array.isArray(o.note)
        && typeof o.note.id === 'string' && ID.test(o.note.id)) {
      // The server owns `author`, as in ours: the note is stored and relayed with it.
      const note = { ...o.note, author: by };
      const json = JSON.stringify(note);
      if (Buffer.byteLength(json) > MAX_NOTE_BYTES) {
        return refuse(socket, cid, 'too_large', `a note is at most ${MAX_NOTE_BYTES} bytes`, ack);
      }
      applied = { kind: 'note.put', note };
      tx = redis.multi().incr(seqKey(paper)).hset(notesKey(paper), note.id, json);
    } else if (o && o.kind === 'note.delete' && typeof o.id === 'string' && ID.test(o.id)) {
      // Deleting a missing note still takes a seq: checking first would need WATCH or a script.
      applied = { kind: 'note.delete', id: o.id };
      tx = redis.multi().incr(seqKey(paper)).hdel(notesKey(paper), o.id);
    } else {
      return refuse(socket, cid, 'bad_op', 'op.kind must be note.put (with note.id) or note.delete (with id)', ack);
    }
    let seq;
    try {
      const [[e1, s], [e2]] = await tx.exec();
      if (e1 || e2) throw e1 || e2;
      seq = s;
    } catch (e) {
      return refuse(socket, cid, 'unavailable', 'the store could not take the op', ack);
    }
    // Every socket of the room on every process gets it, the sender too: its own cid coming back is
    // its acknowledgement (an ack callback, when given, gets the seq as well).
    io.to(paper).emit('delta', { paper, seq, by, cid: cid ?? null, op: applied });
    if (typeof ack === 'function') ack({ seq });
  }

  httpServer.listen(PORT, HOST, () => {
    console.log(`${NODE_ID}: listening on ${HOST}:${httpServer.address().port} (pid ${process.pid}, `
      + `${ADAPTER} redis adapter, ${REDIS_URL})`);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    io.close(() => {
      Promise.allSettled([redis.quit(), pubClient.quit(), subClient.quit()]).then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(`${NODE_ID}: ${e.stack || e}`);
  process.exit(1);
});
