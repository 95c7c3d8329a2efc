/**
 * The backend seam: where a paper's live state is kept and how what happens to it reaches every node.
 * {@code PaperStore} applies an op atomically with the next seq, reads a paper or its history, and keeps
 * presence, complete, delete, create and the idle moves; {@code Broker} delivers each paper's accepted
 * deltas, completion, deletion, presence changes and signals to the nodes subscribed to it, as typed
 * {@code ChannelMessage}s (a sealed interface that alone, with the Lua scripts, knows the wire format) to the
 * {@code BrokerListener} it was started with; {@code Backend} builds the two twins from the configuration:
 * {@code memory} (one node) and {@code redis} (a cluster). The contracts are written on the interfaces and
 * checked by one suite against memory, Redis, a replicated Redis (WAIT) and a Redis Cluster.
 *
 * <p>Thread: the node's event loop. Futures complete on the caller's context; listener callbacks run on
 * the node's event loop. May call: config, the protocol codec (common). Never: paper, session, http.
 */
package io.rollingpaper.node.backend;
