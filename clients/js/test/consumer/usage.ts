// How a TypeScript app uses the package: type-checked by package.test.mjs with `tsc --noEmit`
// against the types the packed tarball ships (never run).
import { connect, RollingPaperError, newId, isValidPaperId } from '@rolling-paper/client';
import type { ConnectionStatus, Delta, Note, PaperConnection, PaperState, StateChange } from '@rolling-paper/client';
import WebSocket from 'ws';

export async function useIt(url: string): Promise<number> {
  const paper: PaperConnection = connect(url, isValidPaperId('p1') ? 'p1' : newId(), {
    WebSocket,
    token: async () => 'a.jwt.token',
    heartbeatInterval: 25_000,
    onState: (state: PaperState, change: StateChange) => { void state.notes.size; void change.type; },
  });
  const onStatus = (status: ConnectionStatus, info: { code?: number }) => { void status; void info.code; };
  paper.on('status', onStatus).on('signal', ({ by, data }) => { void by; void data; });
  paper.on('error', (err: RollingPaperError) => { void err.code; void err.closeCode; });
  paper.on('presence', (people, change) => { void people[0]?.user; void change.left; });
  paper.off('status', onStatus);

  // @ts-expect-error: no such event
  paper.on('statuses', () => {});
  // @ts-expect-error: a state listener does not get a string first
  paper.on('state', (s: string) => s);

  const state = await paper.ready;
  const ack: Delta = await paper.putNote({ text: 'no id: a random one', x: 1 });
  const note: Note | undefined = state.notes.get('n1');
  const text: unknown = note?.text;
  void text;
  await paper.patchNote('n1', { text: 'edited', color: null });
  await paper.deleteNote('n1');
  paper.sendSignal({ cursor: [1, 2] });
  paper.close();
  return ack.seq;
}
