/**
 * Papers as this node sees them: {@code PaperHub} keeps one {@code LocalPaper} per paper with local
 * sessions, subscribes to its channel, orders what arrives by seq (holding deltas that race a join in
 * a {@code DeltaRing}), repairs gaps from the store's history, and fans each delta out as one
 * serialized frame to every local session. Runs on the node's event loop. May call: store, broker,
 * session (through {@code SessionHost}), metrics.
 */
package io.rollingpaper.node.paper;
