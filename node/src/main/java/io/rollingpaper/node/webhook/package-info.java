/**
 * The completion webhook: events, the durable outbox they wait in (PostgreSQL, or memory for a single dev
 * node), and the per-node deliverer that claims due rows under a lease, POSTs them signed with
 * HMAC-SHA256 and retries with exponential back-off and jitter, dead-lettering what is out of attempts.
 *
 * <p>Thread: the node's event loop (a periodic timer, the non-blocking HTTP and SQL clients); nothing
 * blocks. May call: config. Called by: archive (which starts it and writes events in its transactions),
 * lifecycle (which queues events).
 */
package io.rollingpaper.node.webhook;
