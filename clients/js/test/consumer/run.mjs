// A Node app that uses the installed package against a real node: joins, puts a note, reads it
// back through a second client, and prints what it saw as one JSON line.
import { connect } from '@rolling-paper/client';
import WebSocket from 'ws';

const [url, paperId] = process.argv.slice(2);
const a = connect(url, paperId, { WebSocket, user: 'consumer-a', name: 'A' });
const b = connect(url, paperId, { WebSocket, user: 'consumer-b', name: 'B' });
const seen = new Promise((resolve) => b.on('state', (state) => { if (state.notes.has('n1')) resolve(state.notes.get('n1')); }));
await Promise.all([a.ready, b.ready]);
const ack = await a.putNote({ id: 'n1', text: 'from the tarball' });
const note = await seen;
console.log(JSON.stringify({ seq: ack.seq, author: ack.op.note.author, text: note.text, connection: b.connection }));
a.close();
b.close();
