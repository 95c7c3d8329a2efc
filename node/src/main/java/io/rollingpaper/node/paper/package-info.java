/**
 * Papers as this node sees them. {@code PaperHub} keeps one {@code LocalPaper} per paper with local
 * sessions and routes channel messages and sessions' and the HTTP API's store calls ({@code StoreCalls}:
 * timed, and awaited by a drain). A {@code LocalPaper} holds its sessions' cursors, their presence
 * ({@code LocalPresence}), its joins ({@code PaperJoins}: reads shared by joiners) and its subscription and
 * linger; its {@code PaperStream} orders what arrives by seq (a {@code DeltaRing} of recent deltas, a queue
 * for what races a read or a repair), repairs gaps from the store's history and restarts from a snapshot
 * what the history cannot cover. Papers get what they need from the node as a {@code PaperContext}, never
 * the hub. {@code PeriodicRound} is the node's one timer over all papers, which visits each paper once per interval
 * in up to ten slices: one store call per tick for its slice's presence and heads, one grace timer per tick for
 * the papers that look behind.
 *
 * <p>Thread: the node's event loop, all of it. May call: backend (store, broker), session (through
 * {@code SessionHost} and {@code Session}), metrics, protocol.
 */
package io.rollingpaper.node.paper;
